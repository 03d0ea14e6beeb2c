import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonEvent, KurrentDBClient, START } from '@kurrent/kurrentdb-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type KurrentDBTestServer,
  startKurrentDBTestServer,
} from '../../src/testing/test-server/start-test-server.js';

let dir: string;
let server: KurrentDBTestServer;

/** A throw-away CA and a server certificate for localhost / 127.0.0.1, made with openssl. */
function makeCertificates(into: string): { ca: string; cert: string; key: string } {
  const path = (name: string) => join(into, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=Test CA',
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.crt'),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    path('server.key'),
    '-out',
    path('server.csr'),
  );
  writeFileSync(
    path('ext.cnf'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-CA',
    path('ca.crt'),
    '-CAkey',
    path('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    path('ext.cnf'),
    '-out',
    path('server.crt'),
  );
  return { ca: path('ca.crt'), cert: path('server.crt'), key: path('server.key') };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kurrentdb-test-server-tls-'));
  const files = makeCertificates(dir);
  server = await startKurrentDBTestServer({
    tls: { cert: readFileSync(files.cert), key: readFileSync(files.key, 'utf8') },
  });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS', () => {
  it('gives a tls=true connection string on localhost', () => {
    expect(server.uri).toBe(`kurrentdb://admin:changeit@localhost:${server.port}?tls=true`);
  });

  it('serves appends (grpc-js), reads (Rust bridge) and subscriptions over TLS', async () => {
    const client = KurrentDBClient.connectionString(
      `${server.uri}&tlsCAFile=${join(dir, 'ca.crt')}`,
    );
    try {
      const stream = `tls-${randomUUID()}`;
      await client.appendToStream(stream, [jsonEvent({ type: 'Secured', data: { ok: true } })]);
      const read: string[] = [];
      for await (const resolved of client.readStream(stream, { fromRevision: START })) {
        read.push(resolved.event?.type ?? '?');
      }
      expect(read).toEqual(['Secured']);
      const subscription = client.subscribeToStream(stream, { fromRevision: START });
      for await (const resolved of subscription) {
        expect(resolved.event?.type).toBe('Secured');
        break;
      }
    } finally {
      await client.dispose();
    }
  });

  it('rejects a client that does not trust the certificate', async () => {
    const client = KurrentDBClient.connectionString(server.uri);
    try {
      await expect(
        client.appendToStream(`tls-${randomUUID()}`, [jsonEvent({ type: 'X', data: {} })]),
      ).rejects.toThrow();
    } finally {
      await client.dispose();
    }
  });
});
