/**
 * {@link afterCommit}: turns a view's read into an Observable that re-reads after each commit of
 * the view, so a view class can publish its state, e.g.
 * `readonly counts$ = afterCommit(this, () => this.getCounts())`.
 *
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import { Observable } from 'rxjs';
import type { TrackingRecorder } from './tracking-recorder.js';

/**
 * An Observable of `read()`: read once on subscribe, and again after each commit of `view`
 * (each emission of {@link TrackingRecorder.committed$}), emitting only values that are not
 * deep-equal (`util.isDeepStrictEqual`) to the previous emitted one.
 *
 * Reads run one at a time, in order, and each starts after the commits that triggered it;
 * commits that arrive while a read is still queued share that read (so a batch of many
 * tracking records costs one read, not one per record), and the last read always starts after
 * the last commit. The first value is emitted asynchronously. It completes when `committed$`
 * completes (the view closed), after the pending read, and errors when `read` throws.
 *
 * `read` must return a fresh value (a copy, not the view's live state), or changes would
 * compare equal to themselves and be skipped.
 *
 * @example
 * ```ts
 * class Counts extends MemoryTrackingRecorder {
 *   readonly #counts = new Map<string, number>();
 *   readonly counts$ = afterCommit(this, () => new Map(this.#counts));
 * }
 * ```
 */
export function afterCommit<T>(
  view: Pick<TrackingRecorder, 'committed$'>,
  read: () => T | Promise<T>,
): Observable<T> {
  return new Observable<T>((subscriber) => {
    let due = true; // the first read
    let reading = false;
    let completed = false;
    let previous: { value: T } | undefined;

    const drain = async (): Promise<void> => {
      if (reading) return;
      reading = true;
      try {
        while (due && !subscriber.closed) {
          // Let commits emitted in the same burst (a batch) mark this read due, not the next.
          await Promise.resolve();
          due = false;
          const value = await read();
          if (subscriber.closed) return;
          if (previous === undefined || !isDeepStrictEqual(previous.value, value)) {
            previous = { value };
            subscriber.next(value);
          }
        }
      } catch (error) {
        subscriber.error(error);
        return;
      } finally {
        reading = false;
      }
      if (completed) subscriber.complete();
    };

    void drain(); // before subscribing: a closed view completes at once, after this first read
    const commits = view.committed$.subscribe({
      next: () => {
        due = true;
        void drain();
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => {
        completed = true;
        if (!reading) subscriber.complete();
      },
    });
    return () => commits.unsubscribe();
  });
}
