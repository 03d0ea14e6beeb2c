/**
 * Upper bounds on how long the adapter waits for the client.
 *
 * Reads go through the client's Rust bridge, which applies no deadline at all, and appends first
 * ask the server for its features without one; a server that accepts connections but never
 * answers would hang them for ever. Every step is therefore raced against the connection's
 * deadline.
 *
 * One watchdog timer serves every pending call of the process: starting or finishing a call, or
 * receiving an item of a read, costs a set update or a clock reading, not a timer of its own.
 *
 * @module
 */
import { MAX_TIMER_DELAY_MS } from '../../core/sleep.js';
import { OperationTimedOutError } from './client-errors.js';

/** A call the watchdog watches: it expires at `dueAt` (`performance.now()` time) unless unwatched. */
interface Watched {
  dueAt: number;
  readonly expire: () => void;
}

/**
 * Expires overdue calls with one timer, armed for the earliest deadline. The timer holds the
 * process open only while a call is pending, as a timer per call would.
 */
class Watchdog {
  readonly #pending = new Set<Watched>();
  #timer: NodeJS.Timeout | undefined;
  #armedFor = Number.POSITIVE_INFINITY;

  watch(call: Watched): void {
    this.#pending.add(call);
    if (call.dueAt < this.#armedFor) this.#arm(call.dueAt);
    else if (this.#pending.size === 1) this.#timer?.ref();
  }

  unwatch(call: Watched): void {
    if (this.#pending.delete(call) && this.#pending.size === 0) this.#timer?.unref();
  }

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#armedFor = at;
    // A deadline 2³¹ ms or more away: wake at the longest delay a timer takes, then re-arm
    // (a longer delay would fire after 1 ms, and the watchdog would spin).
    const delay = Math.min(Math.max(at - performance.now(), 0), MAX_TIMER_DELAY_MS);
    this.#timer = setTimeout(() => this.#check(), delay);
  }

  #check(): void {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const call of this.#pending) {
      if (call.dueAt <= now) {
        this.#pending.delete(call);
        call.expire();
      } else if (call.dueAt < next) {
        next = call.dueAt;
      }
    }
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
  }
}

const watchdog = new Watchdog();

/**
 * Resolves like `promise`, or rejects with {@link OperationTimedOutError} after `ms` (any length,
 * also 2³¹ ms and more; never for `Infinity`).
 */
export function withinDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const call: Watched = {
      dueAt: performance.now() + ms,
      expire: () => reject(new OperationTimedOutError(what, ms)),
    };
    watchdog.watch(call);
    // If the deadline wins, the abandoned promise may still settle later: that changes nothing.
    promise.then(
      (value) => {
        watchdog.unwatch(call);
        resolve(value);
      },
      (error: unknown) => {
        watchdog.unwatch(call);
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
 * The whole iteration is one watched call whose deadline each item pushes back, so the deadline
 * costs a clock reading per item however many there are.
 */
export function consumeWithinDeadline<T>(
  iterable: AsyncIterable<T>,
  ms: number,
  what: string,
  onItem: (item: T) => void,
): Promise<void> {
  const iterator = iterable[Symbol.asyncIterator]();
  let settled = false;
  let exhausted = false;
  return new Promise<void>((resolve, reject) => {
    const finish = (failed: boolean, error?: unknown) => {
      if (settled) return;
      settled = true;
      watchdog.unwatch(call);
      if (!exhausted) void Promise.resolve(iterator.return?.()).catch(() => undefined);
      if (failed) reject(error);
      else resolve();
    };
    const call: Watched = {
      dueAt: performance.now() + ms,
      expire: () => finish(true, new OperationTimedOutError(what, ms)),
    };
    watchdog.watch(call);
    (async () => {
      for (;;) {
        const result = await iterator.next();
        if (settled) return;
        if (result.done) {
          exhausted = true;
          return;
        }
        call.dueAt = performance.now() + ms;
        onItem(result.value);
      }
    })().then(
      () => finish(false),
      (error: unknown) => finish(true, error),
    );
  });
}
