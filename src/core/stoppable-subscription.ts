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
  /**
   * Resolvers of the pending `next()` calls, which `stop()` resolves as done. Only the caller's
   * own promise waits for the producer, and it leaves this set as soon as it settles: nothing
   * long-lived accumulates reactions, however many items pass.
   */
  readonly #pending = new Set<(result: IteratorResult<T>) => void>();
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
    for (const resolve of this.#pending) resolve(DONE);
    this.#pending.clear();
    // Let the producer release its resources; it has been told to stop through the signal.
    this.#iterator?.return?.()?.catch(() => undefined);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#stopped) return Promise.resolve(DONE);
    let step: Promise<IteratorResult<T>>;
    try {
      this.#iterator ??= this.#source(this.#controller.signal)[Symbol.asyncIterator]();
    } catch (error) {
      return Promise.reject(error);
    }
    try {
      step = this.#iterator.next();
    } catch (error) {
      this.#end();
      return Promise.reject(error);
    }
    // One promise per item: the producer's step settles it, unless stop() does first.
    return new Promise<IteratorResult<T>>((resolve, reject) => {
      this.#pending.add(resolve);
      step.then(
        (result) => {
          this.#pending.delete(resolve);
          if (this.#stopped) return resolve(DONE);
          if (result.done) this.#end();
          resolve(result);
        },
        (error: unknown) => {
          this.#pending.delete(resolve);
          if (this.#stopped) return resolve(DONE);
          this.#end();
          reject(error);
        },
      );
    });
  }

  /** The producer ended or failed: stopped, and its signal aborted. */
  #end(): void {
    this.#stopped = true;
    this.#controller.abort();
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

  /**
   * The same items as an Observable; unsubscribing stops the subscription. Items are pushed as
   * fast as the source gives them (RxJS has no backpressure): for asynchronous work per item use
   * `pullBatches(subscription)`, which reads only as fast as the work is acknowledged.
   */
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
