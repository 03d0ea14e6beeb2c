import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createKurrentDBRecorders,
  KurrentDBConnection,
  kurrentDBOptionsFromEnvironment,
  maskUri,
  parseKurrentDBUri,
} from '../../../src/adapters/kurrentdb/index.js';
import { Environment } from '../../../src/core/environment.js';
import { type ConfigurationError, isConfigurationError } from '../../../src/core/errors.js';
import { makeTestCertificates } from '../../support/tls-certificates.js';

const SECRET = 's3cr3t-pw';

/** The ConfigurationError thrown by `build`. */
function configurationError(build: () => unknown): ConfigurationError {
  try {
    build();
  } catch (error) {
    expect(isConfigurationError(error)).toBe(true);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('KurrentDB URI validation', () => {
  const malformed: Array<[uri: string, problem: RegExp]> = [
    [`http://admin:${SECRET}@localhost:2113`, /unknown scheme 'http'/],
    [`localhost:2113?tls=false`, /expected a scheme/],
    [`kurrentdb://admin:${SECRET}@`, /no host/],
    [`kurrentdb://admin:${SECRET}@localhost:abc?tls=false`, /port 'abc'/],
    [`kurrentdb://admin:${SECRET}@localhost:70000`, /port '70000'/],
    [
      `kurrentdb://admin:${SECRET}@localhost:2113?tls=yes`,
      /tls must be 'true' or 'false', got 'yes'/,
    ],
    [
      `kurrentdb://admin:${SECRET}@localhost?tlsVerifyCert=1`,
      /tlsVerifyCert must be 'true' or 'false'/,
    ],
    [`kurrentdb://admin:${SECRET}@localhost?tls`, /must be key=value/],
    [`kurrentdb://admin:${SECRET}@localhost?colour=blue`, /unknown query parameter 'colour'/],
    [
      `kurrentdb://admin:${SECRET}@localhost?defaultDeadline=soon`,
      /defaultDeadline must be an integer/,
    ],
    [
      `kurrentdb://admin:${SECRET}@localhost?defaultDeadline=0`,
      /defaultDeadline must be a positive/,
    ],
    [`kurrentdb://admin:${SECRET}@localhost/db`, /a path \('\/db'\) is not allowed/],
    [`kurrentdb://admin:${SECRET}@local host`, /invalid host/],
    [`kurrentdb://admin:${SECRET}@localhost?userCertFile=a.pem`, /together/],
    [`kurrentdb://admin:${SECRET}:more@localhost`, /percent-encode/],
    [`kurrentdb://:${SECRET}@localhost`, /username:password/],
    [`kurrentdb://admin:${SECRET}@localhost?nodePreference=nearest`, /nodePreference/],
  ];

  for (const [uri, problem] of malformed) {
    it(`rejects ${maskUri(uri)} at construction, naming the problem, credentials masked`, () => {
      const error = configurationError(() => new KurrentDBConnection({ uri }));
      expect(error.message).toMatch(problem);
      expect(error.message).toContain('Invalid KurrentDB URI');
      expect(error.message).not.toContain(SECRET);
      expect(String(error.cause ?? '')).not.toContain(SECRET);
    });
  }

  it('shows the URI with masked credentials in the message', () => {
    const error = configurationError(() =>
      createKurrentDBRecorders({ uri: `kurrentdb://admin:${SECRET}@localhost:99999?tls=false` }),
    );
    expect(error.message).toContain("'kurrentdb://***@localhost:99999?tls=false'");
  });

  it('masks percent-encoded and decoded credentials alike', () => {
    const error = configurationError(() =>
      parseKurrentDBUri('kurrentdb://admin:p%40ss%3Aword@localhost:0'),
    );
    expect(error.message).not.toMatch(/p%40ss|p@ss:word|p%40ss%3Aword/);
  });

  it('accepts the forms both client parsers accept', () => {
    const valid = [
      'kurrentdb://localhost:2113?tls=false',
      'kurrentdb://admin:changeit@localhost:2113?tls=false&defaultDeadline=5000',
      'esdb://admin:changeit@localhost?Tls=False'.replace('False', 'false'),
      'kdb+discover://node1:2113,node2:2113,node3?tls=true&tlsVerifyCert=false',
      'kurrent://localhost/?tls=false&nodePreference=follower&connectionName=my%20app',
    ];
    for (const uri of valid) {
      const parsed = parseKurrentDBUri(uri);
      expect(parsed.uri).toBe(uri);
    }
    expect(parseKurrentDBUri('kurrentdb://localhost?tls=false').tls).toBe(false);
    expect(parseKurrentDBUri('kurrentdb://localhost').tls).toBe(true);
    expect(parseKurrentDBUri('kurrentdb://localhost?defaultDeadline=2500').deadlineMs).toBe(2500);
  });

  it('builds a connection (no I/O) for a valid URI and closes it', async () => {
    const { connection, close } = createKurrentDBRecorders({
      uri: 'kurrentdb://admin:changeit@localhost:2113?tls=false',
    });
    expect(connection.maskedUri).toBe('kurrentdb://***@localhost:2113?tls=false');
    await close();
    expect(connection.closed).toBe(true);
  });

  it('rejects root certificates that are not PEM, and both rootCertificates and tlsCAFile', () => {
    expect(
      configurationError(
        () => new KurrentDBConnection({ uri: 'kurrentdb://localhost', rootCertificates: 'nope' }),
      ).message,
    ).toMatch(/BEGIN CERTIFICATE/);
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(
      configurationError(
        () =>
          new KurrentDBConnection({
            uri: 'kurrentdb://localhost?tlsCAFile=/tmp/ca.pem',
            rootCertificates: pem,
          }),
      ).message,
    ).toMatch(/not both/);
  });

  it('reads KURRENTDB_URI and KURRENTDB_ROOT_CERTIFICATES with the application prefix first', () => {
    const env = new Environment('Orders', {
      KURRENTDB_URI: 'kurrentdb://plain',
      ORDERS_KURRENTDB_URI: 'kurrentdb://prefixed',
      KURRENTDB_ROOT_CERTIFICATES: 'PEM',
    });
    expect(kurrentDBOptionsFromEnvironment(env)).toEqual({
      uri: 'kurrentdb://prefixed',
      rootCertificates: 'PEM',
    });
    const error = configurationError(() =>
      kurrentDBOptionsFromEnvironment(new Environment('Orders', {})),
    );
    expect(error.message).toContain("'ORDERS_KURRENTDB_URI, KURRENTDB_URI'");
  });

  it('writes root certificates to a private temporary file for both halves of the client, deleted on close', async () => {
    const previous = process.env.TMPDIR;
    const sandbox = mkdtempSync(join(tmpdir(), 'kdb-uri-test-'));
    process.env.TMPDIR = sandbox;
    try {
      const pem = makeTestCertificates().ca;
      const connection = new KurrentDBConnection({
        uri: 'kurrentdb://localhost:2113?tls=true',
        rootCertificates: pem,
      });
      const [dir] = readdirSync(sandbox);
      expect(dir).toMatch(/^eventsourcing-kurrentdb-ca-/);
      const file = join(sandbox, dir as string, 'root-certificates.pem');
      expect(readFileSync(file, 'utf8')).toBe(pem);
      expect(statSync(file).mode & 0o077).toBe(0);
      await connection.close();
      expect(readdirSync(sandbox)).toEqual([]);
      // Certificates the client can't load are refused at construction, and the file removed.
      const garbage = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
      const error = configurationError(
        () => new KurrentDBConnection({ uri: 'kurrentdb://localhost', rootCertificates: garbage }),
      );
      expect(error.message).toMatch(/root certificates/);
      expect(readdirSync(sandbox)).toEqual([]);
      // A plaintext connection ignores them.
      await new KurrentDBConnection({
        uri: 'kurrentdb://localhost?tls=false',
        rootCertificates: pem,
      }).close();
      expect(readdirSync(sandbox)).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
      rmSync(sandbox, { recursive: true, force: true });
    }
  });
});
