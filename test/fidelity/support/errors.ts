/**
 * Capturing the error a client operation fails with, so tests can assert its class and fields.
 *
 * @module
 */
import { WrongExpectedVersionError } from '@kurrent/kurrentdb-client';
import { expect } from 'vitest';

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

/** The fields of a `WrongExpectedVersionError` to check; the ones left out are not checked. */
export type WrongExpectedVersionFields = Partial<
  Pick<WrongExpectedVersionError, 'streamName' | 'expectedState' | 'actualState'>
>;

/** Asserts that `error` is a `WrongExpectedVersionError` whose fields are `fields` (`toBe`). */
export function expectWrongExpectedVersion(
  error: unknown,
  fields: WrongExpectedVersionFields,
): void {
  expect(error).toBeInstanceOf(WrongExpectedVersionError);
  const wev = error as WrongExpectedVersionError;
  if ('streamName' in fields) expect(wev.streamName).toBe(fields.streamName);
  if ('expectedState' in fields) expect(wev.expectedState).toBe(fields.expectedState);
  if ('actualState' in fields) expect(wev.actualState).toBe(fields.actualState);
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
