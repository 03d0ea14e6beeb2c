/**
 * Wakes waiting subscriptions when the in-memory log grows: no polling, no timers.
 *
 * @module
 */

/** A one-shot broadcast: every `wait()` pending when `notify()` runs resolves. */
export class InsertSignal {
  readonly #waiters = new Set<() => void>();

  /** Wakes everything waiting now (a wait with an `until` condition: only if it holds). */
  notify(): void {
    if (this.#waiters.size === 0) return;
    for (const wake of [...this.#waiters]) wake();
  }

  /**
   * Resolves at the next `notify()` (at the first one after which `until()` holds, when given)
   * or when `signal` aborts (never rejects). Registration happens synchronously, so a caller
   * that checked the log and then calls `wait()` cannot miss an insert.
   */
  wait(signal: AbortSignal, until?: () => boolean): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.#waiters.delete(wake);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const wake = until === undefined ? done : (): void => (until() ? done() : undefined);
      this.#waiters.add(wake);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** How many callers are waiting (for tests and diagnostics). */
  get size(): number {
    return this.#waiters.size;
  }
}
