/**
 * Records everything a subscription emits (events, confirmation, caught-up, checkpoints,
 * errors) and lets tests wait, with a timeout, until a condition on the record holds.
 *
 * Note on ordering: the client emits `confirmation`, `caughtUp` and checkpoints synchronously
 * while it processes each server message, but `data` events pass through a stream buffer and
 * may be emitted later. Signals are therefore ordered among themselves; `eventsSoFar` is only
 * a lower bound of the events the server had sent before the signal.
 *
 * @module
 */
import type { CaughtUp, Position, ReadableSubscription } from '@kurrent/kurrentdb-client';

/** A non-event notification of a subscription, in the order the client emitted it. */
export type SubscriptionSignal =
  | { readonly kind: 'confirmation'; readonly eventsSoFar: number }
  | { readonly kind: 'caughtUp'; readonly info: CaughtUp; readonly eventsSoFar: number }
  | { readonly kind: 'checkpoint'; readonly position: Position; readonly eventsSoFar: number }
  | { readonly kind: 'error'; readonly error: Error; readonly eventsSoFar: number }
  | { readonly kind: 'end'; readonly eventsSoFar: number };

/** Default time a `waitFor` gives the server. */
export const DEFAULT_WAIT_MS = 10_000;

/** Records one subscription. Pass {@link SubscriptionRecorder.onCheckpoint} as a filter's `checkpointReached`. */
export class SubscriptionRecorder<E> {
  readonly events: E[] = [];
  readonly signals: SubscriptionSignal[] = [];
  readonly #waiters = new Set<() => void>();
  #subscription: ReadableSubscription<E> | undefined;

  /** Checkpoint callback for `eventTypeFilter`/`streamNameFilter`/`excludeSystemEvents`. */
  readonly onCheckpoint = (_subscription: unknown, position: Position): void => {
    this.#push({ kind: 'checkpoint', position, eventsSoFar: this.events.length });
  };

  /** Starts recording `subscription`; returns `this`. */
  attach(subscription: ReadableSubscription<E>): this {
    this.#subscription = subscription;
    subscription.on('data', (event: E) => {
      this.events.push(event);
      this.#notify();
    });
    subscription.on('confirmation', () => {
      this.#push({ kind: 'confirmation', eventsSoFar: this.events.length });
    });
    subscription.on('caughtUp', (...args: unknown[]) => {
      const info = (args[0] ?? {}) as CaughtUp;
      this.#push({ kind: 'caughtUp', info, eventsSoFar: this.events.length });
    });
    subscription.on('error', (error: Error) => {
      this.#push({ kind: 'error', error, eventsSoFar: this.events.length });
    });
    subscription.on('end', () => {
      this.#push({ kind: 'end', eventsSoFar: this.events.length });
    });
    return this;
  }

  /** The subscription id the confirmation carried. */
  get id(): string | undefined {
    return this.#subscription?.id;
  }

  get confirmations(): number {
    return this.signals.filter((s) => s.kind === 'confirmation').length;
  }

  get caughtUps(): CaughtUp[] {
    return this.signals.flatMap((s) => (s.kind === 'caughtUp' ? [s.info] : []));
  }

  get checkpoints(): Position[] {
    return this.signals.flatMap((s) => (s.kind === 'checkpoint' ? [s.position] : []));
  }

  get errors(): Error[] {
    return this.signals.flatMap((s) => (s.kind === 'error' ? [s.error] : []));
  }

  /** Resolves once `predicate` holds; rejects after `timeoutMs` or on a subscription error. */
  async waitFor(
    description: string,
    predicate: () => boolean,
    timeoutMs = DEFAULT_WAIT_MS,
    options: { readonly allowErrors?: boolean } = {},
  ): Promise<void> {
    const failure = (): Error | undefined =>
      options.allowErrors === true ? undefined : this.errors[0];
    if (predicate()) return;
    const early = failure();
    if (early !== undefined) throw early;
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (predicate()) {
          clearTimeout(timer);
          this.#waiters.delete(check);
          resolve();
          return;
        }
        const error = failure();
        if (error !== undefined) {
          clearTimeout(timer);
          this.#waiters.delete(check);
          reject(error);
        }
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${description} (events: ${this.events.length}, signals: ${this.signals
              .map((s) => s.kind)
              .join(',')})`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }

  /** Waits for the confirmation. */
  confirmed(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return this.waitFor('confirmation', () => this.confirmations > 0, timeoutMs);
  }

  /** Waits for the first caught-up signal. */
  caughtUp(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return this.waitFor('caughtUp', () => this.caughtUps.length > 0, timeoutMs);
  }

  /** Waits until at least `count` events matching `predicate` were received. */
  received(
    count: number,
    predicate: (event: E) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ) {
    return this.waitFor(
      `${count} matching events`,
      () => this.events.filter(predicate).length >= count,
      timeoutMs,
    );
  }

  /** Cancels the subscription (client-side). */
  async stop(): Promise<void> {
    await this.#subscription?.unsubscribe();
  }

  #push(signal: SubscriptionSignal): void {
    this.signals.push(signal);
    this.#notify();
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** Recorders started by one test file, to be stopped together in its `afterAll`. */
export interface RecorderPool<E> {
  /** Starts recording `subscription`. */
  record(subscription: ReadableSubscription<E>): SubscriptionRecorder<E>;
  /** Stops every recorder started so far. */
  stopAll(): Promise<void>;
}

/** A new, empty {@link RecorderPool}. */
export function recorderPool<E>(): RecorderPool<E> {
  const recorders: SubscriptionRecorder<E>[] = [];
  return {
    record(subscription) {
      const recorder = new SubscriptionRecorder<E>().attach(subscription);
      recorders.push(recorder);
      return recorder;
    },
    async stopAll() {
      await Promise.all(recorders.map((r) => r.stop()));
    },
  };
}
