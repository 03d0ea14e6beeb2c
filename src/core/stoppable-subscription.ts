import { Observable } from 'rxjs';
import type { Subscription } from './subscription.js';

/**
 * Produces the items of a subscription. It must watch `signal`: when it aborts, the producer
 * stops waiting and returns, releasing whatever it holds.
 */
export type SubscriptionSource<T> = (signal: AbortSignal) => AsyncIterable<T>;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The one {@link Subscription} implementation every adapter uses: it turns a producer (usually an
 * async generator) into a stoppable `AsyncIterable` and an RxJS `Observable`.
 *
 * The producer is started lazily on the first `next()`, so `stop()` before iterating yields
 * nothing and costs nothing. Items are pulled one at a time: a slow consumer slows the producer.
 */
export class StoppableSubscription<T> implements Subscription<T>, AsyncIterator<T> {
  readonly #source: SubscriptionSource<T>;
  readonly #controller = new AbortController();
  readonly #onStop = new Set<() => void>();
  #iterator: AsyncIterator<T> | undefined;
  #stopped = false;

  constructor(source: SubscriptionSource<T>) {
    this.#source = source;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#controller.abort();
    for (const resolve of this.#onStop) resolve();
    this.#onStop.clear();
    // Let the producer release its resources; it has been told to stop through the signal.
    this.#iterator?.return?.()?.catch(() => undefined);
  }

  async next(): Promise<IteratorResult<T>> {
    if (this.#stopped) return DONE;
    this.#iterator ??= this.#source(this.#controller.signal)[Symbol.asyncIterator]();
    let resolveStop: (() => void) | undefined;
    const stopped = new Promise<IteratorReturnResult<undefined>>((resolve) => {
      resolveStop = () => resolve(DONE);
      this.#onStop.add(resolveStop);
    });
    try {
      const result = await Promise.race([this.#iterator.next(), stopped]);
      if (this.#stopped) return DONE;
      if (result.done) {
        this.#stopped = true;
        this.#controller.abort();
      }
      return result;
    } catch (error) {
      if (this.#stopped) return DONE;
      this.#stopped = true;
      this.#controller.abort();
      throw error;
    } finally {
      if (resolveStop) this.#onStop.delete(resolveStop);
    }
  }

  async return(): Promise<IteratorResult<T>> {
    this.stop();
    return DONE;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
  }

  /** The same items as an Observable; unsubscribing stops the subscription. */
  asObservable(): Observable<T> {
    return new Observable<T>((subscriber) => {
      (async () => {
        try {
          for (;;) {
            const result = await this.next();
            if (result.done || subscriber.closed) break;
            subscriber.next(result.value);
          }
          subscriber.complete();
        } catch (error) {
          subscriber.error(error);
        }
      })();
      return () => this.stop();
    });
  }
}
