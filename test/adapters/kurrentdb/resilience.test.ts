import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  KurrentDBApplicationRecorder,
  KurrentDBConnection,
  type ResubscribeInfo,
} from '../../../src/adapters/kurrentdb/index.js';
import { isIntegrityError, isPersistenceError } from '../../../src/core/errors.js';
import type { Notification, StoredEvent } from '../../../src/core/stored-event.js';
import {
  comparables,
  makeEvent,
  rejectionOf,
  strictlyIncreasing,
  takeOwn,
  within,
} from '../../../src/testing/contract/fixtures.js';
import { startKurrentDBTestServer } from '../../../src/testing/test-server/start-test-server.js';
import { freePort } from '../../support/free-port.js';

type TestServer = Awaited<ReturnType<typeof startKurrentDBTestServer>>;

/** The message of an error and of its causes. */
function messages(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) parts.push(e.message);
  return parts.join(' <- ');
}

/** Inserts, retrying on connection errors: the same event ids make a retry idempotent. */
async function insertRetrying(recorder: KurrentDBApplicationRecorder, events: StoredEvent[]) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await recorder.insertEvents(events);
    } catch (error) {
      if (isIntegrityError(error) || !isPersistenceError(error) || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('KurrentDB recorder resilience', () => {
  const servers: TestServer[] = [];
  const open: KurrentDBApplicationRecorder[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.close()));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it('fails fast while the server is down, then the same recorder works once it is up', async () => {
    const port = await freePort();
    const recorder = new KurrentDBApplicationRecorder(
      new KurrentDBConnection({ uri: `kurrentdb://admin:changeit@127.0.0.1:${port}?tls=false` }),
    );
    open.push(recorder);
    const id = randomUUID();
    const event = makeEvent(id, 0);

    for (const attempt of [
      () => recorder.insertEvents([event]),
      () => recorder.selectEvents(id),
      () => recorder.maxNotificationId(),
      () => recorder.selectNotifications({ limit: 1 }),
    ]) {
      const started = Date.now();
      const error = await rejectionOf(attempt());
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(isPersistenceError(error)).toBe(true);
      expect((error as Error).cause).toBeInstanceOf(Error);
      expect((error as Error).message).not.toContain('changeit');
    }

    const server = await startKurrentDBTestServer({ port });
    servers.push(server);
    const start = await recorder.maxNotificationId();
    const [notificationId] = await recorder.insertEvents([event]);
    expect(comparables(await recorder.selectEvents(id))).toEqual(comparables([event]));
    expect(await recorder.maxNotificationId()).toBe(notificationId);
    const selected = await recorder.selectNotifications({
      start,
      limit: 10,
      inclusiveOfStart: false,
    });
    expect(selected.map((n) => n.originatorId)).toContain(id);
  });

  it('gives up within the deadline on a server that accepts connections but never answers', async () => {
    const sockets = new Set<Socket>();
    const blackHole = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const { port } = blackHole.address() as AddressInfo;
    try {
      const recorder = new KurrentDBApplicationRecorder(
        new KurrentDBConnection({
          uri: `kurrentdb://127.0.0.1:${port}?tls=false&defaultDeadline=1000`,
        }),
      );
      open.push(recorder);
      for (const attempt of [
        () => recorder.insertEvents([makeEvent(randomUUID(), 0)]),
        () => recorder.selectEvents(randomUUID()),
      ]) {
        const started = Date.now();
        const error = await rejectionOf(attempt());
        expect(Date.now() - started).toBeLessThan(4_000);
        expect(isPersistenceError(error)).toBe(true);
        expect(messages(error)).toMatch(/made no progress within|deadline/i);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    }
  });

  it('keeps a subscription going across dropped connections and aborted subscriptions, with no loss and no duplicates', async () => {
    const server = await startKurrentDBTestServer();
    servers.push(server);
    const resubscribed: ResubscribeInfo[] = [];
    const recorder = new KurrentDBApplicationRecorder(
      new KurrentDBConnection({ uri: server.uri }),
      {
        initialBackoffMs: 20,
        onResubscribe: (info) => resubscribed.push(info),
      },
    );
    open.push(recorder);
    const start = await recorder.maxNotificationId();
    const ids = Array.from({ length: 40 }, () => randomUUID());
    const subscription = recorder.subscribe({ gt: start });
    const iterator = subscription[Symbol.asyncIterator]();
    const received: Notification[] = [];
    try {
      // Faults strike while events are written and while the subscription is catching up.
      const writer = (async () => {
        for (const [i, id] of ids.entries()) {
          await insertRetrying(recorder, [makeEvent(id, 0)]);
          if (i === 10) server.disconnectClients();
          if (i === 20) server.abortSubscriptions();
          if (i === 30) {
            server.disconnectClients();
            server.abortSubscriptions();
          }
        }
      })();
      received.push(...(await takeOwn(iterator, ids, 5, 20_000)));
      server.disconnectClients();
      received.push(...(await takeOwn(iterator, ids, 10, 20_000)));
      server.abortSubscriptions();
      received.push(...(await takeOwn(iterator, ids, ids.length - 15, 30_000)));
      await writer;
    } finally {
      subscription.stop();
    }
    expect(received.map((n) => n.originatorId)).toEqual(ids);
    expect(strictlyIncreasing(received.map((n) => n.id))).toBe(true);
    // Both kinds of fault really broke the subscription, and it resumed after each.
    const causes = resubscribed.map((info) => messages(info.error));
    expect(causes.some((m) => /consumer too slow/i.test(m))).toBe(true);
    expect(causes.some((m) => !/consumer too slow/i.test(m))).toBe(true);
  }, 60_000);

  it('resumes a subscription made while the server is down once it is up', async () => {
    const port = await freePort();
    const recorder = new KurrentDBApplicationRecorder(
      new KurrentDBConnection({ uri: `kurrentdb://127.0.0.1:${port}?tls=false` }),
      { initialBackoffMs: 50, maxBackoffMs: 200 },
    );
    open.push(recorder);
    const subscription = recorder.subscribe();
    const iterator = subscription[Symbol.asyncIterator]();
    try {
      const first = iterator.next(); // subscribes, fails (nothing listens), retries
      await new Promise((resolve) => setTimeout(resolve, 300));
      const server = await startKurrentDBTestServer({ port });
      servers.push(server);
      const id = randomUUID();
      await recorder.insertEvents([makeEvent(id, 0)]);
      const next = await within(10_000, 'the first notification', first);
      expect(next.done).toBe(false);
      expect((next.value as Notification).originatorId).toBe(id);
    } finally {
      subscription.stop();
    }
  });

  it('fails a subscription with PersistenceError when the server stays down', async () => {
    const port = await freePort();
    const recorder = new KurrentDBApplicationRecorder(
      new KurrentDBConnection({ uri: `kurrentdb://127.0.0.1:${port}?tls=false` }),
      { initialBackoffMs: 10, maxAttempts: 3 },
    );
    open.push(recorder);
    const subscription = recorder.subscribe();
    const error = await rejectionOf(subscription[Symbol.asyncIterator]().next());
    expect(isPersistenceError(error)).toBe(true);
    expect((error as Error).message).toMatch(/3 times/);
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(subscription.stopped).toBe(true);
  });

  it('fails a subscription with PersistenceError carrying the cause on a non-resumable error', async () => {
    const recorder = new KurrentDBApplicationRecorder(
      new KurrentDBConnection({ uri: inject('kurrentdbUri') }),
    );
    open.push(recorder);
    const id = randomUUID();
    const [first] = await recorder.insertEvents([makeEvent(id, 0)]);
    await recorder.insertEvents([makeEvent(id, 1)]);
    // Inside the first event's record, before the end of the log: the server refuses to catch up
    // from there (INVALID_ARGUMENT). (Beyond the end, a server subscribes live without a check.)
    const subscription = recorder.subscribe({ gt: (first as bigint) + 1n });
    const error = await rejectionOf(subscription[Symbol.asyncIterator]().next());
    expect(isPersistenceError(error)).toBe(true);
    expect(messages((error as Error).cause)).toMatch(/invalid position/i);
  });
});
