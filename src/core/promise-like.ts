/**
 * Telling a thenable from a plain value, for the paths that stay synchronous when they can.
 *
 * @module
 */

/** True when `value` has a `then` function (a promise or another thenable). */
export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null | undefined)?.then === 'function';
}
