/**
 * Pauses and timers for any delay a caller may give: a pause that an abort signal cuts short,
 * a timer that also waits 2³¹ ms and more (Node's `setTimeout` fires such a delay after 1 ms),
 * and the check of a timeout or delay option.
 *
 * @module
 */
import { ProgrammingError } from './errors.js';
import { describeValue } from './well-formed.js';

/**
 * The longest delay `setTimeout` honours, 2³¹ − 1 ms (about 24.8 days); a longer one fires
 * after 1 ms. Drivers that take a timeout (better-sqlite3, node-postgres) cannot wait longer.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * The milliseconds of a timeout or delay option, checked: a number ≥ 0, or `Infinity` for no
 * limit at all.
 *
 * @param what names the option in the error, e.g. `'wait timeout'`.
 * @throws ProgrammingError for `NaN`, a negative number or a value that is not a number, naming
 *   `what` and the value.
 */
export function checkMilliseconds(value: unknown, what: string): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new ProgrammingError(
      `Invalid ${what}: ${describeValue(value)}; expected a number of milliseconds ≥ 0, or Infinity for none`,
    );
  }
  return value;
}

/**
 * Calls `callback` once after `ms` milliseconds, like `setTimeout`, but also for delays of
 * 2³¹ ms and more (it chains timers of at most {@link MAX_TIMER_DELAY_MS}), and never for
 * `Infinity` (no timer at all). Takes `ms` as {@link checkMilliseconds} returns it.
 *
 * @returns a function that cancels the call (harmless after it ran).
 */
export function setLongTimeout(callback: () => void, ms: number): () => void {
  if (ms === Number.POSITIVE_INFINITY) return () => undefined;
  let remaining = ms;
  let timer: ReturnType<typeof setTimeout>;
  const next = (): void => {
    if (remaining > MAX_TIMER_DELAY_MS) {
      remaining -= MAX_TIMER_DELAY_MS;
      timer = setTimeout(next, MAX_TIMER_DELAY_MS);
    } else {
      timer = setTimeout(callback, remaining);
    }
  };
  next();
  return () => clearTimeout(timer);
}

/**
 * Resolves after `ms` (any length, see {@link setLongTimeout}; never for `Infinity`), or at once
 * when `signal` aborts. Never rejects. For adapters that poll and for backoff pauses.
 */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      cancel();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const cancel = setLongTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
