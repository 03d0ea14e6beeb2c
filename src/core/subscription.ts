import type { Observable } from 'rxjs';

/**
 * A live, pull-based stream of items: an `AsyncIterable` that blocks for new items and ends only
 * when `stop()` is called (or the underlying source fails, which rejects the pending `next()`).
 *
 * - `stop()` before iterating → the iteration yields nothing.
 * - `stop()` during iteration → the pending and every later `next()` resolve `done`.
 * - `asObservable()` gives an RxJS `Observable` over the same items; unsubscribing stops it.
 */
export interface Subscription<T> extends AsyncIterable<T>, AsyncDisposable {
  stop(): void;
  /** True once `stop()` was called or the source ended. */
  readonly stopped: boolean;
  asObservable(): Observable<T>;
}
