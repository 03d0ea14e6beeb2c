/**
 * `pullBatches` / `processBatches`: order, batch size and deadline, the read-ahead bound, one
 * batch outstanding at a time, unsubscribing, errors.
 */
import { firstValueFrom, lastValueFrom, type Observable, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { MemoryApplicationRecorder } from '../../src/adapters/memory/index.js';
import { StoppableSubscription } from '../../src/core/stoppable-subscription.js';
import type { Notification } from '../../src/core/stored-event.js';
import type { BufferStats } from '../../src/runtime/projection/bounded-buffer.js';
import {
  type Batch,
  processBatches,
  pullBatches,
} from '../../src/runtime/projection/pull-batches.js';
import { makeEvent, newOriginatorId, within } from '../../src/testing/contract/fixtures.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

/** Items 0 … n-1, counting pulls; then ends, fails, or waits like a live subscription. */
function counted(n: number, after: 'end' | 'wait' | Error = 'end') {
  const log = { pulled: 0, finished: false };
  async function* generate(signal?: AbortSignal): AsyncGenerator<number> {
    try {
      for (let i = 0; i < n; i++) {
        log.pulled++;
        yield i;
      }
      if (after instanceof Error) throw after;
      if (after === 'wait') {
        await new Promise<void>((resolve) => {
          signal?.addEventListener('abort', () => resolve(), { once: true });
        });
      }
    } finally {
      log.finished = true;
    }
  }
  return { log, generate };
}

/** Every batch, acknowledged at once; the items and batch sizes. */
async function collect<T>(batches: Observable<Batch<T>>) {
  const sizes: number[] = [];
  const items: T[] = [];
  await new Promise<void>((resolve, reject) => {
    batches.subscribe({
      next: (batch) => {
        sizes.push(batch.items.length);
        items.push(...batch.items);
        batch.done();
      },
      error: reject,
      complete: resolve,
    });
  });
  return { sizes, items };
}

/** Subscribes and records batches without acknowledging them. */
function hold<T>(batches: Observable<Batch<T>>) {
  const received: Batch<T>[] = [];
  const state = { error: undefined as unknown, completed: false };
  const subscription = batches.subscribe({
    next: (batch) => received.push(batch),
    error: (error: unknown) => {
      state.error = error;
    },
    complete: () => {
      state.completed = true;
    },
  });
  return { received, state, subscription };
}

async function until(what: string, condition: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

describe('pullBatches', () => {
  it('delivers every item once, in order, in batches of batchSize, then completes', async () => {
    const { generate } = counted(1_050);
    const { sizes, items } = await collect(pullBatches(generate(), { batchSize: 100 }));
    expect(items).toEqual(range(1_050));
    expect(sizes).toEqual([...Array(10).fill(100), 50]);
  });

  it('emits a partial batch once its oldest item waited batchDeadlineMs', async () => {
    const { generate } = counted(3, 'wait');
    const subscription = new StoppableSubscription<number>((signal) => generate(signal));
    const started = performance.now();
    const batch = await within(
      1_000,
      'the partial batch',
      firstValueFrom(pullBatches(subscription, { batchSize: 100, batchDeadlineMs: 40 })),
    );
    const waited = performance.now() - started;
    expect(batch.items).toEqual([0, 1, 2]);
    expect(waited).toBeGreaterThanOrEqual(35);
    expect(waited).toBeLessThan(500);
    // firstValueFrom unsubscribed: the subscription was stopped.
    expect(subscription.stopped).toBe(true);
  });

  it('with batchDeadlineMs 0, emits what is buffered without waiting', async () => {
    const { generate } = counted(3, 'wait');
    const subscription = new StoppableSubscription<number>((signal) => generate(signal));
    const started = performance.now();
    const batch = await firstValueFrom(pullBatches(subscription, { batchDeadlineMs: 0 }));
    expect(batch.items.length).toBeGreaterThan(0);
    // No deadline to wait for (a generous bound: other tests share the CPU).
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('holds a partial batch for a batchDeadlineMs of 2³¹ ms and more (no 1 ms timer)', async () => {
    const { log, generate } = counted(3, 'wait');
    const subscription = new StoppableSubscription<number>((signal) => generate(signal));
    const {
      received,
      state,
      subscription: rx,
    } = hold(pullBatches(subscription, { batchSize: 100, batchDeadlineMs: 2 ** 31 + 5 }));
    try {
      await until('the items buffered', () => log.pulled === 3);
      // A lone `setTimeout` of this delay would have fired after about 1 ms.
      await sleep(50);
      expect(received).toEqual([]);
      expect(state).toEqual({ error: undefined, completed: false });
    } finally {
      rx.unsubscribe();
    }
    expect(subscription.stopped).toBe(true);
  });

  it('emits the next batch only after done(), and stops reading at the high-water mark', async () => {
    const { log, generate } = counted(10_000);
    const stats: BufferStats[] = [];
    const { received, subscription } = hold(
      pullBatches(generate(), {
        batchSize: 50,
        highWaterMark: 200,
        onBufferChange: (s) => stats.push(s),
      }),
    );
    await until('the first batch', () => received.length === 1);
    await sleep(50);
    // One batch out, the buffer full, and not one item more pulled from the source.
    expect(received).toHaveLength(1);
    expect(log.pulled).toBe(200 + 50);
    expect(stats.at(-1)?.size).toBe(200);

    received[0]?.done();
    received[0]?.done(); // idempotent
    await until('the second batch', () => received.length === 2);
    await sleep(20);
    expect(received).toHaveLength(2);
    expect(received[1]?.items).toEqual(range(50, 50));
    expect(log.pulled).toBe(200 + 100);
    expect(Math.max(...stats.map((s) => s.size))).toBe(200);
    subscription.unsubscribe();
    await until('the generator to finish', () => log.finished);
  });

  it('never buffers more than highWaterMark items under a slow consumer', async () => {
    const { generate } = counted(3_000);
    let maxSize = 0;
    let peak = 0;
    let delivered = 0;
    await lastValueFrom(
      processBatches(
        pullBatches(generate(), {
          batchSize: 64,
          highWaterMark: 256,
          onBufferChange: (s) => {
            maxSize = Math.max(maxSize, s.size);
            peak = s.peak;
          },
        }),
        async (items) => {
          await sleep(1);
          delivered += items.length;
        },
      ),
    );
    expect(delivered).toBe(3_000);
    expect(maxSize).toBe(256);
    expect(peak).toBe(256);
  });

  it('stops a Subscription when unsubscribed mid-batch, and emits nothing after', async () => {
    const { log, generate } = counted(1_000, 'wait');
    const source = new StoppableSubscription<number>((signal) => generate(signal));
    const { received, subscription } = hold(pullBatches(source, { batchSize: 10 }));
    await until('the first batch', () => received.length === 1);
    subscription.unsubscribe(); // before done()
    expect(source.stopped).toBe(true);
    received[0]?.done(); // too late: ignored
    await sleep(30);
    expect(received).toHaveLength(1);
    await until('the producer to finish', () => log.finished);
  });

  it('returns a plain async iterator when unsubscribed', async () => {
    const { log, generate } = counted(1_000);
    const { received, subscription } = hold(pullBatches(generate(), { batchSize: 10 }));
    await until('the first batch', () => received.length === 1);
    subscription.unsubscribe();
    await until('the generator to finish', () => log.finished);
    expect(received).toHaveLength(1);
  });

  it('delivers the items read before a failure, then errors with the source error', async () => {
    const failure = new Error('connection lost');
    const { generate } = counted(150, failure);
    const { received, state } = hold(pullBatches(generate(), { batchSize: 100 }));
    await until('the first batch', () => received.length === 1);
    await sleep(20);
    expect(state.error).toBeUndefined(); // the failure waits behind the unacknowledged batch
    received[0]?.done();
    await until('the second batch', () => received.length === 2);
    expect(received[1]?.items).toEqual(range(50, 100));
    expect(state.error).toBeUndefined();
    received[1]?.done();
    await until('the error', () => state.error !== undefined);
    expect(state.error).toBe(failure);
    expect(state.completed).toBe(false);
  });

  it('errors at once when the source fails before yielding', async () => {
    const failure = new Error('refused');
    const { generate } = counted(0, failure);
    await expect(collect(pullBatches(generate()))).rejects.toBe(failure);
  });

  it('rejects inconsistent options', () => {
    const { generate } = counted(1);
    expect(() => pullBatches(generate(), { batchSize: 0 })).toThrow(RangeError);
    expect(() => pullBatches(generate(), { batchSize: 1.5 })).toThrow(RangeError);
    expect(() => pullBatches(generate(), { batchDeadlineMs: -1 })).toThrow(RangeError);
    expect(() => pullBatches(generate(), { batchSize: 100, highWaterMark: 99 })).toThrow(
      RangeError,
    );
  });
});

describe('processBatches', () => {
  it('runs work one batch at a time and emits its results in order', async () => {
    const { generate } = counted(500);
    let running = 0;
    let maxRunning = 0;
    const results = await lastValueFrom(
      processBatches(pullBatches(generate(), { batchSize: 100 }), async (items) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(2);
        running--;
        return items[0];
      }).pipe(toArray()),
    );
    expect(results).toEqual([0, 100, 200, 300, 400]);
    expect(maxRunning).toBe(1);
  });

  it('errors with the rejection of work and stops the source', async () => {
    const { generate } = counted(1_000, 'wait');
    const source = new StoppableSubscription<number>((signal) => generate(signal));
    const failure = new Error('view is broken');
    let calls = 0;
    const run = processBatches(pullBatches(source, { batchSize: 100 }), async () => {
      calls++;
      if (calls === 3) throw failure;
    });
    await expect(lastValueFrom(run)).rejects.toBe(failure);
    expect(calls).toBe(3);
    expect(source.stopped).toBe(true);
  });

  it('loses and repeats nothing across a resubscription from the last acknowledged id', async () => {
    const recorder = new MemoryApplicationRecorder();
    const id = newOriginatorId();
    for (let v = 0; v < 1_000; v += 100) {
      await recorder.insertEvents(range(100, v).map((version) => makeEvent(id, version)));
    }
    const seen: bigint[] = [];
    // First run: acknowledges three batches, then is torn down holding the fourth.
    await new Promise<void>((resolve) => {
      let batches = 0;
      const run = pullBatches<Notification>(recorder.subscribe({ gt: 0n }), {
        batchSize: 70,
      }).subscribe((batch) => {
        batches++;
        if (batches === 4) {
          queueMicrotask(() => {
            run.unsubscribe();
            resolve();
          });
          return;
        }
        seen.push(...batch.items.map((n) => n.id));
        batch.done();
      });
    });
    expect(seen).toHaveLength(210);
    // Second run: from the last acknowledged id to the end of the log.
    const rest = await new Promise<bigint[]>((resolve) => {
      const ids: bigint[] = [];
      const run = pullBatches<Notification>(recorder.subscribe({ gt: seen.at(-1) ?? 0n }), {
        batchSize: 70,
      }).subscribe((batch) => {
        ids.push(...batch.items.map((n) => n.id));
        batch.done();
        if (ids.length >= 790) {
          queueMicrotask(() => run.unsubscribe());
          resolve(ids);
        }
      });
    });
    expect([...seen, ...rest]).toEqual(range(1_000, 1).map(BigInt));
    await recorder.close();
  });
});
