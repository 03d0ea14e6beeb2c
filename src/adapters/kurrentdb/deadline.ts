/**
 * Upper bounds on how long the adapter waits for the client.
 *
 * Reads go through the client's Rust bridge, which applies no deadline at all, and appends first
 * ask the server for its features without one; a server that accepts connections but never
 * answers would hang them for ever. Every step is therefore raced against the connection's
 * deadline.
 *
 * @module
 */
import { OperationTimedOutError } from './client-errors.js';

/** Resolves like `promise`, or rejects with {@link OperationTimedOutError} after `ms`. */
export function withinDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new OperationTimedOutError(what, ms)), ms);
    // If the deadline wins, the abandoned promise may still settle later: that changes nothing.
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Hands each item of `iterable` to `onItem`, failing with {@link OperationTimedOutError} when one
 * takes longer than `ms` to arrive. Resolves once the iterable is exhausted; rejects with its
 * error, or with `onItem`'s. A failure does not wait for a pending step.
 *
 * One watchdog timer covers the whole iteration (each item only records the time it arrived), so
 * the deadline costs next to nothing per item, however many there are.
 */
export function consumeWithinDeadline<T>(
  iterable: AsyncIterable<T>,
  ms: number,
  what: string,
  onItem: (item: T) => void,
): Promise<void> {
  const iterator = iterable[Symbol.asyncIterator]();
  let lastProgress = performance.now();
  let settled = false;
  let exhausted = false;
  let timer: NodeJS.Timeout | undefined;
  return new Promise<void>((resolve, reject) => {
    const finish = (failed: boolean, error?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!exhausted) void Promise.resolve(iterator.return?.()).catch(() => undefined);
      if (failed) reject(error);
      else resolve();
    };
    const watch = () => {
      if (settled) return;
      const idle = performance.now() - lastProgress;
      if (idle >= ms) finish(true, new OperationTimedOutError(what, ms));
      else timer = setTimeout(watch, ms - idle);
    };
    timer = setTimeout(watch, ms);
    (async () => {
      for (;;) {
        const result = await iterator.next();
        if (settled) return;
        if (result.done) {
          exhausted = true;
          return;
        }
        lastProgress = performance.now();
        onItem(result.value);
      }
    })().then(
      () => finish(false),
      (error: unknown) => finish(true, error),
    );
  });
}
