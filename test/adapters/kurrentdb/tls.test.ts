import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KurrentDBApplicationRecorder,
  KurrentDBConnection,
} from '../../../src/adapters/kurrentdb/index.js';
import { isPersistenceError } from '../../../src/core/errors.js';
import {
  comparables,
  makeEvent,
  rejectionOf,
  takeOwn,
} from '../../../src/testing/contract/fixtures.js';
import { startKurrentDBTestServer } from '../../../src/testing/test-server/start-test-server.js';
import { makeTestCertificates, type TestCertificates } from '../../support/tls-certificates.js';

const TLS_FAILURE = /certificate|self[- ]signed|unknown ?ca|issuer|handshake|tls|ssl/i;

/** The message of an error and of its causes. */
function messages(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) parts.push(e.message);
  return parts.join(' <- ');
}

describe('KurrentDB over TLS', () => {
  let certificates: TestCertificates;
  let server: Awaited<ReturnType<typeof startKurrentDBTestServer>>;
  const open: KurrentDBApplicationRecorder[] = [];
  const recorder = (rootCertificates?: string) => {
    const r = new KurrentDBApplicationRecorder(
      new KurrentDBConnection({ uri: server.uri, rootCertificates }),
    );
    open.push(r);
    return r;
  };

  beforeAll(async () => {
    certificates = makeTestCertificates();
    server = await startKurrentDBTestServer({
      tls: { cert: certificates.cert, key: certificates.key },
    });
    expect(server.uri).toMatch(/tls=true/);
  });

  afterAll(async () => {
    await Promise.all(open.splice(0).map((r) => r.close()));
    await server?.stop();
  });

  it('works with the CA as rootCertificates: writes (grpc-js), reads (Rust bridge), subscriptions', async () => {
    const r = recorder(certificates.ca);
    const id = randomUUID();
    const start = await r.maxNotificationId();
    const events = [makeEvent(id, 0), makeEvent(id, 1)];
    const ids = await r.insertEvents(events);
    expect(ids).toHaveLength(2);
    expect(comparables(await r.selectEvents(id))).toEqual(comparables(events));
    const selected = await r.selectNotifications({ start, inclusiveOfStart: false, limit: 10 });
    expect(selected.filter((n) => n.originatorId === id)).toHaveLength(2);
    const subscription = r.subscribe({ gt: start });
    try {
      const received = await takeOwn(subscription[Symbol.asyncIterator](), [id], 2);
      expect(received.map((n) => n.originatorVersion)).toEqual([0, 1]);
    } finally {
      subscription.stop();
    }
  });

  it('fails the first write within seconds with PersistenceError caused by the TLS failure when the CA is not trusted', async () => {
    const r = recorder();
    const started = Date.now();
    const error = await rejectionOf(r.insertEvents([makeEvent(randomUUID(), 0)]));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(isPersistenceError(error)).toBe(true);
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(messages((error as Error).cause)).toMatch(TLS_FAILURE);
  });

  it('fails reads the same way (the Rust bridge does not trust the CA either)', async () => {
    const r = recorder();
    const started = Date.now();
    const error = await rejectionOf(r.selectEvents(randomUUID()));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(isPersistenceError(error)).toBe(true);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('rejects a server whose certificate another CA signed', async () => {
    const r = recorder(makeTestCertificates().ca);
    const error = await rejectionOf(r.insertEvents([makeEvent(randomUUID(), 0)]));
    expect(isPersistenceError(error)).toBe(true);
    expect(messages((error as Error).cause)).toMatch(TLS_FAILURE);
  });
});
