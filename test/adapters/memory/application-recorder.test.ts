import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryApplicationRecorder } from '../../../src/adapters/memory/index.js';
import { isIntegrityError } from '../../../src/core/errors.js';
import type { StoredEvent } from '../../../src/core/stored-event.js';

const event = (originatorId: string, version: number, topic = 'test:Event'): StoredEvent => ({
  originatorId,
  originatorVersion: version,
  topic,
  state: new Uint8Array([version]),
  metadata: { version },
  eventId: randomUUID(),
});

describe('MemoryApplicationRecorder', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts empty: max notification id 0n, no notifications', async () => {
    const recorder = new MemoryApplicationRecorder();
    await expect(recorder.maxNotificationId()).resolves.toBe(0n);
    await expect(recorder.selectNotifications({ limit: 10 })).resolves.toEqual([]);
  });

  it('numbers notifications 1n, 2n, 3n… across aggregates', async () => {
    const recorder = new MemoryApplicationRecorder();
    const a = randomUUID();
    const b = randomUUID();
    await expect(recorder.insertEvents([event(a, 0), event(a, 1)])).resolves.toEqual([1n, 2n]);
    await expect(recorder.insertEvents([event(b, 0)])).resolves.toEqual([3n]);
    await expect(recorder.maxNotificationId()).resolves.toBe(3n);
    const ids = (await recorder.selectNotifications({ start: 2n, limit: 10 })).map((n) => n.id);
    expect(ids).toEqual([2n, 3n]);
  });

  it('lets exactly one of two concurrent writers take a version', async () => {
    const recorder = new MemoryApplicationRecorder();
    const id = randomUUID();
    const results = await Promise.allSettled([
      recorder.insertEvents([event(id, 0)]),
      recorder.insertEvents([event(id, 0)]),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(isIntegrityError(rejected?.reason)).toBe(true);
    await expect(recorder.maxNotificationId()).resolves.toBe(1n);
  });

  it('keeps its own copy of what was written', async () => {
    const recorder = new MemoryApplicationRecorder();
    const id = randomUUID();
    const written = { ...event(id, 0), state: new Uint8Array([1, 2]), metadata: { a: { b: 1 } } };
    await recorder.insertEvents([written]);
    written.state[0] = 9;
    (written.metadata.a as { b: number }).b = 2;
    const [stored] = await recorder.selectEvents(id);
    expect([...(stored?.state ?? [])]).toEqual([1, 2]);
    expect(stored?.metadata).toEqual({ a: { b: 1 } });
  });

  it('treats a start beyond the log as an empty selection', async () => {
    const recorder = new MemoryApplicationRecorder();
    await recorder.insertEvents([event(randomUUID(), 0)]);
    await expect(recorder.selectNotifications({ start: 5n, limit: 10 })).resolves.toEqual([]);
    await expect(recorder.selectNotifications({ start: -3n, limit: 10 })).resolves.toHaveLength(1);
    await expect(recorder.selectNotifications({ limit: 0 })).resolves.toEqual([]);
  });

  it('wakes a waiting subscription on insert, without timers (no polling)', async () => {
    const recorder = new MemoryApplicationRecorder();
    vi.useFakeTimers();
    const subscription = recorder.subscribe({ gt: 0n });
    const pending = subscription[Symbol.asyncIterator]().next();
    await Promise.resolve();
    const id = randomUUID();
    await recorder.insertEvents([event(id, 0)]);
    const first = await pending;
    expect(first.done).toBe(false);
    expect(first.value?.originatorId).toBe(id);
    expect(vi.getTimerCount()).toBe(0);
    subscription.stop();
  });

  it('catches up across pages and keeps order', async () => {
    const recorder = new MemoryApplicationRecorder();
    const id = randomUUID();
    const events = Array.from({ length: 1234 }, (_, v) => event(id, v));
    await recorder.insertEvents(events);
    const subscription = recorder.subscribe();
    const ids: bigint[] = [];
    for await (const n of subscription) {
      ids.push(n.id);
      if (ids.length === events.length) break;
    }
    expect(ids).toEqual(events.map((_, i) => BigInt(i + 1)));
  });

  it('skips non-matching topics and still receives later matching events', async () => {
    const recorder = new MemoryApplicationRecorder();
    const id = randomUUID();
    await recorder.insertEvents(Array.from({ length: 700 }, (_, v) => event(id, v, 'test:Other')));
    const subscription = recorder.subscribe({ topics: ['test:Wanted'] });
    const pending = subscription[Symbol.asyncIterator]().next();
    await recorder.insertEvents([event(id, 700, 'test:Wanted')]);
    const first = await pending;
    expect(first.value?.id).toBe(701n);
    subscription.stop();
  });

  it('stops its subscriptions when closed', async () => {
    const recorder = new MemoryApplicationRecorder();
    const subscription = recorder.subscribe();
    const pending = subscription[Symbol.asyncIterator]().next();
    await recorder.close();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expect(subscription.stopped).toBe(true);
  });
});
