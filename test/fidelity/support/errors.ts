/**
 * Capturing the error a client operation fails with, so tests can assert its class and fields.
 *
 * @module
 */

/** Awaits `operation` and returns what it rejected with; fails if it resolved. */
export async function errorOf(
  operation: Promise<unknown> | (() => Promise<unknown>),
): Promise<unknown> {
  try {
    await (typeof operation === 'function' ? operation() : operation);
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to fail, but it succeeded');
}

/** Drains an async iterable and returns what it threw; fails if it completed. */
export async function iterationErrorOf(iterable: AsyncIterable<unknown>): Promise<unknown> {
  return errorOf(async () => {
    for await (const _ of iterable) {
      // drain
    }
  });
}

/** Rejects with a descriptive error when `promise` does not settle within `ms`. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
