import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonEvent, KurrentDBClient, START } from '@kurrent/kurrentdb-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type KurrentDBTestServer,
  startKurrentDBTestServer,
} from '../../src/testing/test-server/start-test-server.js';
import { makeTestCertificates } from '../support/tls-certificates.js';

let dir: string;
let server: KurrentDBTestServer;

beforeAll(async () => {
  const { ca, cert, key } = makeTestCertificates();
  dir = mkdtempSync(join(tmpdir(), 'kurrentdb-test-server-tls-'));
  writeFileSync(join(dir, 'ca.pem'), ca);
  server = await startKurrentDBTestServer({ tls: { cert, key } });
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
      `${server.uri}&tlsCAFile=${join(dir, 'ca.pem')}`,
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
