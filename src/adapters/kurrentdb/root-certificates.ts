/**
 * Root certificates for both halves of the official client.
 *
 * The client's grpc-js side and its Rust bridge (which serves reads) each build their own TLS
 * configuration, and the bridge only ever sees the connection string. The one setting both read
 * is the `tlsCAFile` query parameter, so PEM text given in code (`KURRENTDB_ROOT_CERTIFICATES`) is
 * written to a private temporary file whose path is added to the connection string.
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../../core/errors.js';
import { withQueryParameter } from './connection-uri.js';

/** A PEM file on disk that lives as long as the connection using it. */
export interface RootCertificatesFile {
  readonly path: string;
  /** Deletes the file and its directory; safe to call twice. */
  remove(): void;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/**
 * Writes `pem` to a new file readable only by this user, in a directory of its own.
 *
 * @throws ConfigurationError when `pem` holds no PEM certificate.
 */
export function writeRootCertificates(pem: string): RootCertificatesFile {
  if (!PEM_CERTIFICATE.test(pem)) {
    throw new ConfigurationError(
      'Invalid root certificates: expected PEM text with at least one "-----BEGIN CERTIFICATE-----" block',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'eventsourcing-kurrentdb-ca-'));
  const path = join(dir, 'root-certificates.pem');
  writeFileSync(path, pem.endsWith('\n') ? pem : `${pem}\n`, { mode: 0o600 });
  let removed = false;
  return {
    path,
    remove() {
      if (removed) return;
      removed = true;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Adds `tlsCAFile=<path>` to a connection string (which must not have one already). */
export function withTlsCaFile(uri: string, path: string): string {
  return withQueryParameter(uri, 'tlsCAFile', path);
}
