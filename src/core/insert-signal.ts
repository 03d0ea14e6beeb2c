/**
 * Wakes waiting subscriptions when the in-memory log grows: no polling, no timers.
 *
 * @module
 */

/** A one-shot broadcast: every `wait()` pending when `notify()` runs resolves. */
export class InsertSignal {
  readonly #waiters = new Set<() => void>();

  /** Wakes everything waiting now. */
  notify(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /**
   * Resolves at the next `notify()` or when `signal` aborts (never rejects). Registration happens
   * synchronously, so a caller that checked the log and then calls `wait()` cannot miss an insert.
   */
  wait(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        this.#waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.#waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  /** How many callers are waiting (for tests and diagnostics). */
  get size(): number {
    return this.#waiters.size;
  }
}
