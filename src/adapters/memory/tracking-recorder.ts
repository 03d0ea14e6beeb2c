/**
 * The in-memory tracking recorder (Python's `POPOTrackingRecorder`): the base class of in-memory
 * views, and the reference the SQLite and PostgreSQL recorders are checked against.
 *
 * It is not a {@link BatchingTrackingRecorder}: memory cannot roll back, so a memory view applies
 * each event's update on its own (`inBatch` runs the work plainly).
 *
 * @module
 */
import { type Observable, Subject } from 'rxjs';
import { IntegrityError } from '../../core/errors.js';
import { InsertSignal } from '../../core/insert-signal.js';
import { isPromiseLike } from '../../core/promise-like.js';
import {
  type BatchingTrackingRecorder,
  isTracked,
  reaches,
  type Tracking,
  type TrackingRecorder,
  type TrackingWaitOptions,
  waitForTracking,
} from '../../core/tracking-recorder.js';

/**
 * A {@link TrackingRecorder} in memory: one max notification id per application. A wait
 * resolves on the insert that satisfies it, without polling.
 *
 * Views subclass it and change their own state together with the tracking record inside
 * {@link MemoryTrackingRecorder.withLock | withLock}, so that a rejected tracking record leaves
 * the view unchanged. The lock section is the view's "transaction": the tracking records it
 * recorded are emitted on {@link MemoryTrackingRecorder.committed$ | committed$} when it ends
 * (also when it throws after recording them: memory cannot roll back).
 *
 * It has no `batch` (it is not a {@link BatchingTrackingRecorder}): each event's update applies
 * on its own, at once.
 *
 * @example
 * ```ts
 * class Counter extends MemoryTrackingRecorder {
 *   count = 0;
 *   increment(tracking: Tracking): Promise<void> {
 *     return this.withLock(() => {
 *       this.assertTrackingUniqueness(tracking); // throws before anything changes
 *       this.count++;
 *       this.insertTrackingUnlocked(tracking);
 *     });
 *   }
 * }
 * ```
 */
export class MemoryTrackingRecorder implements TrackingRecorder {
  /** The persistence module views of this class live in (read by the `ProjectionRunner`). */
  static readonly persistenceModule = 'memory';

  readonly #maxTrackingIds = new Map<string, bigint>();
  readonly #inserted = new InsertSignal();
  readonly #closed = new AbortController();
  readonly #committed = new Subject<Tracking>();
  /** The records of the lock section that runs now, emitted when it ends; `undefined` outside. */
  #section: Tracking[] | undefined;
  /** The tail of the lock's queue: settles when the last queued critical section has run. */
  #lockTail: Promise<unknown> = Promise.resolve();

  /** @throws IntegrityError when the id is not greater than the application's max. */
  async insertTracking(t: Tracking): Promise<void> {
    await this.withLock(() => {
      this.assertTrackingUniqueness(t);
      this.insertTrackingUnlocked(t);
    });
  }

  async maxTrackingId(applicationName: string): Promise<bigint | undefined> {
    return this.#maxTrackingIds.get(applicationName);
  }

  async hasTrackingId(
    applicationName: string,
    notificationId: bigint | undefined,
  ): Promise<boolean> {
    return isTracked(notificationId, () => this.#maxTrackingIds.get(applicationName));
  }

  wait(
    applicationName: string,
    notificationId: bigint | undefined,
    options: TrackingWaitOptions = {},
  ): Promise<void> {
    return waitForTracking(applicationName, notificationId, options, {
      has: () => this.hasTrackingId(applicationName, notificationId),
      // Woken only by the insert that reaches the id, not by every insert before it.
      changed: (signal) =>
        this.#inserted.wait(signal, () =>
          reaches(this.#maxTrackingIds.get(applicationName), notificationId),
        ),
      closed: this.#closed.signal,
    });
  }

  readonly committed$: Observable<Tracking> = this.#committed.asObservable();

  /** Interrupts pending waits and completes {@link committed$}. The recorded ids stay readable. */
  async close(): Promise<void> {
    this.#closed.abort();
    this.#committed.complete();
  }

  /**
   * Runs `fn` alone: critical sections run one at a time, in the order they were requested
   * (a FIFO promise mutex). Resolves or rejects with `fn`'s outcome. Not reentrant: inside `fn`
   * use {@link insertTrackingUnlocked}, never {@link insertTracking}, which would wait forever.
   * The tracking records recorded by `fn` are emitted on {@link committed$} when it ends.
   */
  protected withLock<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.#held === 0) return this.#runFree(fn);
    this.#held++;
    const run = this.#lockTail.then(() => this.#runSection(fn));
    this.#lockTail = run.then(this.#release, this.#release);
    return run;
  }

  /** Sections queued or running; 0 when the lock is free. */
  #held = 0;
  readonly #release = (): void => {
    this.#held--;
  };

  /** The lock is free: runs `fn` now (a section that stays synchronous never takes the lock). */
  #runFree<T>(fn: () => T | Promise<T>): Promise<T> {
    const recorded: Tracking[] = [];
    this.#section = recorded;
    let result: T | Promise<T>;
    try {
      result = fn();
    } catch (error) {
      this.#endSection(recorded);
      return Promise.reject(error);
    }
    if (!isPromiseLike(result)) {
      this.#endSection(recorded);
      return Promise.resolve(result);
    }
    // An asynchronous section: hold the lock until it settles.
    this.#held++;
    const run = Promise.resolve(result).finally(() => this.#endSection(recorded));
    this.#lockTail = run.then(this.#release, this.#release);
    return run;
  }

  async #runSection<T>(fn: () => T | Promise<T>): Promise<T> {
    const recorded: Tracking[] = [];
    this.#section = recorded;
    try {
      return await fn();
    } finally {
      this.#endSection(recorded);
    }
  }

  /** Ends a lock section: emits the tracking records it recorded. */
  #endSection(recorded: readonly Tracking[]): void {
    this.#section = undefined;
    for (const t of recorded) this.#committed.next(t);
  }

  /**
   * Throws when the tracking record would not advance its application's max. Call it inside
   * {@link withLock}, before changing anything.
   *
   * @throws IntegrityError "Tracking notification ID n not greater than current max tracking ID m"
   */
  protected assertTrackingUniqueness(t: Tracking): void {
    const max = this.#maxTrackingIds.get(t.applicationName);
    if (max !== undefined && t.notificationId <= max) {
      throw new IntegrityError(
        `Tracking notification ID ${t.notificationId} not greater than current max tracking ID ${max}`,
      );
    }
  }

  /**
   * Records the tracking record and wakes the waits it satisfies. Call it inside
   * {@link withLock}, after {@link assertTrackingUniqueness}; it does not check again. The
   * record is emitted on {@link committed$} when the lock section ends (at once when called
   * outside one).
   */
  protected insertTrackingUnlocked(t: Tracking): void {
    this.#maxTrackingIds.set(t.applicationName, t.notificationId);
    this.#inserted.notify();
    if (this.#section === undefined) this.#committed.next(t);
    else this.#section.push(t);
  }
}
