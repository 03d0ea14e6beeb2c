/**
 * Batches pulled from a subscription as fast as the consumer finishes them: RxJS with real
 * backpressure.
 *
 * RxJS has no backpressure protocol: `from(asyncIterable)` drains its source as fast as it can
 * and `concatMap` queues whatever arrives while an inner Observable runs, without bound. Here a
 * reader loop pulls the source's async iterator into a {@link BoundedBuffer} and stops pulling
 * while the buffer holds `highWaterMark` items; batches are cut from the buffer by size or
 * deadline, and the next batch is emitted only after the consumer acknowledged the previous one
 * with {@link Batch.done}. A slow consumer therefore slows the reader, and through the source's
 * own pull (the KurrentDB adapter reads its gRPC stream only when asked) the server.
 *
 * @module
 */
import { concatMap, defer, Observable, tap } from 'rxjs';
import { setLongTimeout } from '../../core/sleep.js';
import type { Subscription } from '../../core/subscription.js';
import { BoundedBuffer, type BufferStats } from './bounded-buffer.js';

export type { BufferStats } from './bounded-buffer.js';

/** Options of {@link pullBatches}. */
export interface PullBatchesOptions {
  /** Most items per batch. @defaultValue 100 */
  readonly batchSize?: number;
  /**
   * Emit a partial batch once its oldest item has waited this long (live tail: a trickle of
   * events still gets processed promptly). `0` emits whatever is buffered at once; any length
   * is honoured (also 2³¹ ms and more), and `Infinity` cuts batches by size only.
   * @defaultValue 20
   */
  readonly batchDeadlineMs?: number;
  /**
   * Most items read ahead into the in-process buffer; the reader stops pulling the source while
   * the buffer is this full. At least `batchSize`. Items in memory at any time: at most this
   * plus the one batch the consumer holds. @defaultValue 1000
   */
  readonly highWaterMark?: number;
  /** Called after every item read into the buffer and every batch cut from it. */
  readonly onBufferChange?: (stats: BufferStats) => void;
}

/** Items handed to the consumer, who calls {@link Batch.done} when it finished them. */
export interface Batch<T> {
  readonly items: readonly T[];
  /** The consumer finished this batch: the next one may be emitted. Idempotent. */
  done(): void;
}

const DEFAULT_BATCH_SIZE = 100;
const DEFAULT_BATCH_DEADLINE_MS = 20;
const DEFAULT_HIGH_WATER_MARK = 1000;

/**
 * The items of `source` as an Observable of batches, one batch outstanding at a time.
 *
 * - **Backpressure.** One `next()` of the source's iterator is pending at most, and none while
 *   the buffer holds `highWaterMark` items. A batch is emitted only when the previous one was
 *   acknowledged with `done()`, so `concatMap`-style consumers never queue emissions.
 * - **Batches.** A batch is cut as soon as `batchSize` items are buffered, or when the oldest
 *   buffered item has waited `batchDeadlineMs`, or when the source ended or failed.
 * - **Order.** Items are emitted in source order, each exactly once.
 * - **Unsubscribing** (also mid-batch, before `done()`) stops the source: `stop()` of a
 *   {@link Subscription}, `return()` of any other iterator. Buffered items not yet emitted are
 *   dropped; a consumer that resumes from its last acknowledged item loses nothing.
 * - **Errors.** When the source fails, the items read before the failure are still emitted (each
 *   batch waiting for `done()` as usual), then the Observable errors with the source's error.
 * - **Completion** when the source ends, after its last items were acknowledged.
 *
 * The Observable is cold: each subscriber iterates `source` anew, so a {@link Subscription}
 * (iterable once) should be subscribed once.
 *
 * @throws RangeError for a non-positive `batchSize` or `highWaterMark`, a negative
 *   `batchDeadlineMs`, or a `highWaterMark` below `batchSize`
 *
 * @example
 * ```ts
 * pullBatches(recorder.subscribe({ gt }), { batchSize: 100 }).subscribe(async (batch) => {
 *   await view.apply(batch.items);
 *   batch.done();
 * });
 * ```
 */
export function pullBatches<T>(
  source: Subscription<T> | AsyncIterable<T>,
  options: PullBatchesOptions = {},
): Observable<Batch<T>> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const deadlineMs = options.batchDeadlineMs ?? DEFAULT_BATCH_DEADLINE_MS;
  const highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
  const onBufferChange = options.onBufferChange;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  if (!(deadlineMs >= 0)) {
    throw new RangeError(`batchDeadlineMs must be zero or more, got ${deadlineMs}`);
  }
  if (!(highWaterMark >= batchSize)) {
    throw new RangeError(
      `highWaterMark (${highWaterMark}) must be at least batchSize (${batchSize})`,
    );
  }

  return new Observable<Batch<T>>((subscriber) => {
    const buffer = new BoundedBuffer<T>(highWaterMark);
    let iterator: AsyncIterator<T> | undefined;
    /** The source ended (`done`) or failed (`failure`); nothing more will be read. */
    let ended = false;
    let failure: { readonly error: unknown } | undefined;
    /** Unsubscribed, completed or errored. */
    let closed = false;
    /** A batch is out and not yet acknowledged. */
    let outstanding = false;
    /** Cancels the armed deadline timer (see `setLongTimeout`), if any. */
    let cancelTimer: (() => void) | undefined;
    let pumping = false;
    let pumpAgain = false;

    const report = (): void => onBufferChange?.(buffer.stats);

    const clearTimer = (): void => {
      cancelTimer?.();
      cancelTimer = undefined;
    };

    const emit = (count: number): void => {
      clearTimer();
      const items = buffer.take(count);
      report();
      let acknowledged = false;
      outstanding = true;
      subscriber.next({
        items,
        done: () => {
          if (acknowledged || closed) return;
          acknowledged = true;
          outstanding = false;
          pump();
        },
      });
    };

    /** Emits the next batch if it is due, or arms the deadline; finishes once drained. */
    const pump = (): void => {
      if (pumping) {
        pumpAgain = true; // a synchronous done() inside subscriber.next()
        return;
      }
      pumping = true;
      try {
        do {
          pumpAgain = false;
          if (closed || outstanding) return;
          const size = buffer.size;
          if (size >= batchSize || (ended && size > 0)) {
            emit(batchSize);
          } else if (ended) {
            closed = true;
            if (failure === undefined) subscriber.complete();
            else subscriber.error(failure.error);
          } else if (size > 0 && cancelTimer === undefined) {
            const waited = performance.now() - (buffer.oldestAt ?? performance.now());
            const due = Math.max(0, deadlineMs - waited);
            // Chained timers: `setTimeout` alone fires a delay of 2³¹ ms or more after 1 ms.
            cancelTimer = setLongTimeout(() => {
              cancelTimer = undefined;
              if (!closed && !outstanding && buffer.size > 0) emit(batchSize);
            }, due);
          }
        } while (pumpAgain);
      } finally {
        pumping = false;
      }
    };

    const read = async (): Promise<void> => {
      try {
        iterator = source[Symbol.asyncIterator]();
        while (!closed) {
          if (buffer.full) {
            await buffer.whenRoom();
            continue;
          }
          const result = await iterator.next();
          // Read after unsubscribing: nobody will acknowledge it, so it is dropped.
          if (closed) return;
          if (result.done) break;
          buffer.push(result.value);
          report();
          pump();
        }
      } catch (error) {
        if (closed) return;
        failure = { error };
      }
      ended = true;
      pump();
    };

    void read();

    return () => {
      const wasOpen = !closed;
      closed = true;
      clearTimer();
      buffer.clear();
      if (!wasOpen && ended) return; // the source finished by itself
      stopSource(source, iterator);
    };
  });
}

/** Stops a subscription, or asks any other iterator to release its resources. */
function stopSource<T>(
  source: Subscription<T> | AsyncIterable<T>,
  iterator: AsyncIterator<T> | undefined,
): void {
  if (isSubscription(source)) {
    source.stop();
    return;
  }
  try {
    iterator?.return?.()?.catch(() => undefined);
  } catch {
    // A broken return() must not break unsubscribing.
  }
}

function isSubscription<T>(source: Subscription<T> | AsyncIterable<T>): source is Subscription<T> {
  return typeof (source as Partial<Subscription<T>>).stop === 'function';
}

/**
 * Applies `work` to each batch of `source`, one batch at a time, and acknowledges the batch once
 * the promise `work` returned resolved; emits what `work` resolved to, in order.
 *
 * If `work` rejects, the Observable errors with that reason and unsubscribes `source` (which
 * stops the underlying subscription); the failed batch is not acknowledged.
 *
 * @example
 * ```ts
 * processBatches(pullBatches(subscription), (items) => view.apply(items))
 *   .subscribe({ error: (e) => log(e) });
 * ```
 */
export function processBatches<T, R>(
  source: Observable<Batch<T>>,
  work: (items: readonly T[]) => Promise<R>,
): Observable<R> {
  // pullBatches emits the next batch only after done(), so concatMap never holds more than the
  // one batch emitted synchronously inside done() while the finished inner completes.
  return source.pipe(
    concatMap((batch) =>
      defer(() => work(batch.items)).pipe(tap({ complete: () => batch.done() })),
    ),
  );
}
