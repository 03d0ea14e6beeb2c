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
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OperationTimedOutError(what, ms)), ms);
  });
  // If the deadline wins, the abandoned promise may still reject later: keep that quiet.
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The items of `iterable`, failing with {@link OperationTimedOutError} when one takes longer than
 * `ms` to arrive. Returning early does not wait for a pending step.
 */
export async function* iterateWithinDeadline<T>(
  iterable: AsyncIterable<T>,
  ms: number,
  what: string,
): AsyncGenerator<T, void, undefined> {
  const iterator = iterable[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const result = await withinDeadline(iterator.next(), ms, what);
      if (result.done) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } finally {
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
