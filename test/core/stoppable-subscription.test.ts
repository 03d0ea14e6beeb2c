import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { StoppableSubscription } from '../../src/core/stoppable-subscription.js';

/** A producer that records what happened to it and, after its items, waits until aborted. */
function producer<T>(
  items: readonly T[] = [],
  options: { fail?: Error; endAfterItems?: boolean } = {},
) {
  const log = { started: 0, finished: 0, signal: undefined as AbortSignal | undefined };
  const source = async function* (signal: AbortSignal): AsyncGenerator<T> {
    log.started++;
    log.signal = signal;
    try {
      for (const item of items) yield item;
      if (options.fail) throw options.fail;
      if (options.endAfterItems) return;
      // Wait like a live subscription until aborted.
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      log.finished++;
    }
  };
  return { source, log };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('StoppableSubscription', () => {
  it('starts the producer lazily, on the first next()', async () => {
    const { source, log } = producer([1]);
    const subscription = new StoppableSubscription(source);
    expect(log.started).toBe(0);
    await expect(subscription.next()).resolves.toEqual({ done: false, value: 1 });
    expect(log.started).toBe(1);
    subscription.stop();
  });

  it('yields nothing and never starts the producer when stopped before iterating', async () => {
    const { source, log } = producer([1, 2]);
    const subscription = new StoppableSubscription(source);
    subscription.stop();
    const items: number[] = [];
    for await (const item of subscription) items.push(item);
    expect(items).toEqual([]);
    expect(log.started).toBe(0);
    expect(subscription.stopped).toBe(true);
  });

  it('resolves a pending next() as done when stopped, and aborts the producer', async () => {
    const { source, log } = producer([1]);
    const subscription = new StoppableSubscription(source);
    await subscription.next();
    const pending = subscription.next();
    await tick();
    subscription.stop();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expect(log.signal?.aborted).toBe(true);
    await tick();
    expect(log.finished).toBe(1);
    await expect(subscription.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('ends after the current item when stopped during iteration', async () => {
    const { source } = producer([1, 2, 3]);
    const subscription = new StoppableSubscription(source);
    const items: number[] = [];
    for await (const item of subscription) {
      items.push(item);
      subscription.stop();
    }
    expect(items).toEqual([1]);
  });

  it('stops when a for-await loop breaks', async () => {
    const { source, log } = producer([1, 2, 3]);
    const subscription = new StoppableSubscription(source);
    for await (const item of subscription) {
      expect(item).toBe(1);
      break;
    }
    expect(subscription.stopped).toBe(true);
    expect(log.signal?.aborted).toBe(true);
    await tick();
    expect(log.finished).toBe(1);
  });

  it('stops when disposed', async () => {
    const { source, log } = producer([1]);
    const subscription = new StoppableSubscription(source);
    await subscription.next();
    await subscription[Symbol.asyncDispose]();
    expect(subscription.stopped).toBe(true);
    expect(log.signal?.aborted).toBe(true);
  });

  it('is stopped once the producer ends', async () => {
    const { source, log } = producer([1, 2], { endAfterItems: true });
    const subscription = new StoppableSubscription(source);
    const items: number[] = [];
    for await (const item of subscription) items.push(item);
    expect(items).toEqual([1, 2]);
    expect(subscription.stopped).toBe(true);
    expect(log.signal?.aborted).toBe(true);
  });

  it('rejects the pending next() with the producer error, then is stopped', async () => {
    const failure = new Error('connection lost');
    const { source } = producer([1], { fail: failure });
    const subscription = new StoppableSubscription(source);
    await expect(subscription.next()).resolves.toEqual({ done: false, value: 1 });
    await expect(subscription.next()).rejects.toBe(failure);
    expect(subscription.stopped).toBe(true);
    await expect(subscription.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('ignores stop() after stop()', async () => {
    const { source } = producer([1]);
    const subscription = new StoppableSubscription(source);
    subscription.stop();
    subscription.stop();
    expect(subscription.stopped).toBe(true);
  });

  describe('asObservable', () => {
    it('emits the items and completes when the producer ends', async () => {
      const { source } = producer([1, 2, 3], { endAfterItems: true });
      const subscription = new StoppableSubscription(source);
      await expect(firstValueFrom(subscription.asObservable().pipe(toArray()))).resolves.toEqual([
        1, 2, 3,
      ]);
    });

    it('stops the subscription when unsubscribed', async () => {
      const { source, log } = producer([1, 2, 3]);
      const subscription = new StoppableSubscription(source);
      const items = await firstValueFrom(subscription.asObservable().pipe(take(2), toArray()));
      expect(items).toEqual([1, 2]);
      expect(subscription.stopped).toBe(true);
      expect(log.signal?.aborted).toBe(true);
    });

    it('stops a subscription waiting for items when unsubscribed', async () => {
      const { source, log } = producer<number>([]);
      const subscription = new StoppableSubscription(source);
      const seen: number[] = [];
      const rx = subscription.asObservable().subscribe((n) => seen.push(n));
      await tick();
      expect(log.started).toBe(1);
      rx.unsubscribe();
      expect(subscription.stopped).toBe(true);
      expect(log.signal?.aborted).toBe(true);
      expect(seen).toEqual([]);
    });

    it('errors with the producer error', async () => {
      const failure = new Error('boom');
      const { source } = producer([1], { fail: failure });
      const subscription = new StoppableSubscription(source);
      await expect(firstValueFrom(subscription.asObservable().pipe(toArray()))).rejects.toBe(
        failure,
      );
    });
  });
});
