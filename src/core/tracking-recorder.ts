/**
 * The tracking-recorder port (python-anchor §2.7): where a projection's view records, per
 * upstream application, the notification id of the last event it processed, so that it can
 * resume after it and so that callers can wait until an event has been processed.
 *
 * Also holds {@link waitForTracking}, the one wait loop every adapter shares: check, then sleep
 * until the adapter says something may have changed (an in-process signal, a database
 * notification or a poll), until the id is there, the time is up, or the signal aborts; and
 * {@link TrackingBatches}, the savepoint bookkeeping of the adapters whose views can apply many
 * events in one transaction ({@link BatchingTrackingRecorder}).
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Observable } from 'rxjs';
import { ProgrammingError, TimeoutError, WaitInterruptedError } from './errors.js';
import { checkMilliseconds, setLongTimeout } from './sleep.js';
import { describeValue } from './well-formed.js';

/** The position of one processed upstream notification: recorded atomically with the view's update. */
export interface Tracking {
  /** The name of the upstream application whose notification was processed. */
  readonly applicationName: string;
  /** The upstream notification id (for KurrentDB, the event's `$all` commit position). */
  readonly notificationId: bigint;
}

/** Options of {@link TrackingRecorder.wait}. */
export interface TrackingWaitOptions {
  /**
   * How long to wait, in milliseconds: a number ≥ 0 (also 2³¹ ms and more), or `Infinity` to
   * wait without a time limit (until the id is processed, the signal aborts or the recorder
   * closes). `NaN`, a negative number or a value that is not a number is a `ProgrammingError`.
   * @defaultValue `1000`
   */
  readonly timeout?: number;
  /** Aborting it ends the wait with a `WaitInterruptedError`. */
  readonly signal?: AbortSignal;
}

/**
 * Records, per upstream application, the highest notification id processed so far.
 *
 * - `insertTracking` accepts only ids greater than the current max of that application;
 *   an equal or lower id raises `IntegrityError` and records nothing.
 * - `hasTrackingId(app, id)` is `true` when `id` is `undefined` or `max ≥ id`.
 * - `wait(app, id)` resolves once `hasTrackingId(app, id)`, raises `TimeoutError` after
 *   `timeout` ms and `WaitInterruptedError` when `signal` aborts (or the recorder closes).
 * - `committed$` emits each tracking record recorded through this recorder once it committed.
 */
export interface TrackingRecorder {
  /** @throws IntegrityError when `t.notificationId` is not greater than the application's max. */
  insertTracking(t: Tracking): Promise<void>;
  /** The highest notification id recorded for the application, `undefined` when none. */
  maxTrackingId(applicationName: string): Promise<bigint | undefined>;
  /**
   * `true` when `notificationId` is `undefined`, ≤ 0 (no notification has such an id; an empty
   * store's `maxNotificationId()` is `0n`), or not greater than the application's max.
   */
  hasTrackingId(applicationName: string, notificationId: bigint | undefined): Promise<boolean>;
  /**
   * Resolves when {@link hasTrackingId} becomes true (at once when it already is).
   *
   * @throws TimeoutError after `options.timeout` ms (default 1000; `Infinity`: never), naming
   *   the id and application.
   * @throws WaitInterruptedError when `options.signal` aborts or the recorder is closed.
   * @throws ProgrammingError (checked first, also for an id that is always tracked) when
   *   `applicationName` is not a string, `notificationId` neither a bigint nor `undefined`,
   *   `options` not an object, `options.timeout` not a number ≥ 0 or `Infinity`, or
   *   `options.signal` not an `AbortSignal`.
   * @throws PersistenceError (or a subclass) when a check fails, e.g. the database is unreachable.
   */
  wait(
    applicationName: string,
    notificationId: bigint | undefined,
    options?: TrackingWaitOptions,
  ): Promise<void>;
  /** Releases connections and interrupts pending waits. The recorder must not be used afterwards. */
  close(): Promise<void>;
  /**
   * Each tracking record recorded through this recorder (or view), emitted after the
   * transaction that recorded it committed, in commit order; for a batch, each of the batch's
   * records in order, after the batch's commit. Never a record of a rejected or rolled-back
   * transaction or batch. Commits of other recorders on the same store are not emitted. It is
   * hot (a subscriber sees only later commits) and completes on {@link close}. By the time the
   * call that recorded a record resolves, the record has been emitted.
   *
   * In memory, the "transaction" is the view's lock section: its records are emitted when the
   * section ends, also when it throws after recording them (memory cannot roll back).
   */
  readonly committed$: Observable<Tracking>;
}

/**
 * A {@link TrackingRecorder} whose views can apply many events in one database transaction
 * (SQLite, PostgreSQL): one commit per batch instead of one per event.
 */
export interface BatchingTrackingRecorder extends TrackingRecorder {
  /**
   * Runs `work` in one transaction that every tracked transaction of this recorder started
   * inside `work` (at any await depth) joins as a savepoint, and commits once when `work`
   * resolves. An error that escapes `work` rolls the whole batch back and is rethrown; a
   * tracked transaction whose failure `work` catches is rolled back to its savepoint alone.
   * Tracking ids must still increase within the batch (an equal or older id raises
   * `IntegrityError`). Nothing of the batch is visible to other connections, to `wait` or on
   * `committed$` before the commit. A `batch` inside `work` becomes a savepoint of the batch.
   * Start tracked transactions of one batch one after the other or concurrently: they run one
   * at a time; do not leave them running after `work` resolves.
   *
   * @throws whatever escapes `work` (driver errors translated), after rolling back.
   * @throws PersistenceError when the batch cannot begin or commit; nothing is committed.
   */
  batch<T>(work: () => Promise<T>): Promise<T>;
}

/** True when the recorder (or view) can apply many events in one transaction ({@link BatchingTrackingRecorder.batch}). */
export function isBatchingTrackingRecorder(
  view: TrackingRecorder,
): view is BatchingTrackingRecorder {
  return typeof (view as Partial<BatchingTrackingRecorder>).batch === 'function';
}

/**
 * Runs `work` in one batch of `view` when it is a {@link BatchingTrackingRecorder}, and plainly
 * otherwise (in memory each event's update then applies on its own, as it happens; an error
 * escaping `work` undoes nothing).
 */
export function inBatch<T>(view: TrackingRecorder, work: () => Promise<T>): Promise<T> {
  return isBatchingTrackingRecorder(view) ? view.batch(work) : work();
}

/** The default `timeout` of {@link TrackingRecorder.wait}, in milliseconds. */
export const DEFAULT_TRACKING_WAIT_TIMEOUT = 1000;

/** How an adapter tells {@link waitForTracking} that the tracking records may have changed. */
export interface TrackingWaitSource {
  /** The check: `hasTrackingId(applicationName, notificationId)`. */
  has(): Promise<boolean>;
  /**
   * Resolves at the next moment worth checking again (a commit, a notification, or a poll
   * interval, whichever the adapter has), or when `signal` aborts. Never rejects. It is called
   * *before* each check, so a change that lands during the check is not missed.
   */
  changed(signal: AbortSignal, attempt: number): Promise<void>;
  /** Aborted when the recorder closes: pending waits end with `WaitInterruptedError`. */
  readonly closed?: AbortSignal;
}

/** The message of the `TimeoutError` raised by {@link TrackingRecorder.wait}. */
export const trackingTimeoutMessage = (applicationName: string, notificationId: bigint): string =>
  `Timed out waiting for notification ${notificationId} from application '${applicationName}' to be processed`;

/**
 * True for an id that is always processed: `undefined`, or ≤ 0 — no notification has such an id,
 * and `maxNotificationId()` of an empty store is `0n`, so waiting for it returns at once.
 */
export function alwaysTracked(notificationId: bigint | undefined): boolean {
  return notificationId === undefined || notificationId <= 0n;
}

/**
 * {@link TrackingRecorder.hasTrackingId} for every adapter: always tracked, or not greater than
 * the max `readMax` gives (read only when needed).
 */
export async function isTracked(
  notificationId: bigint | undefined,
  readMax: () => bigint | undefined | Promise<bigint | undefined>,
): Promise<boolean> {
  return alwaysTracked(notificationId) || reaches(await readMax(), notificationId);
}

/** The same rule once the max is known: always tracked, or `max ≥ notificationId`. */
export function reaches(max: bigint | undefined, notificationId: bigint | undefined): boolean {
  if (notificationId === undefined || alwaysTracked(notificationId)) return true;
  return max !== undefined && max >= notificationId;
}

/**
 * Checks the arguments of {@link TrackingRecorder.wait} (and of the waits built on it) as they
 * come from callers who may not use TypeScript, and returns the timeout in milliseconds
 * (`Infinity`: none).
 *
 * @throws ProgrammingError naming the offending value: `applicationName` not a string,
 *   `notificationId` neither a bigint nor `undefined`, `options` not an object, `timeout` not a
 *   number ≥ 0 or `Infinity`, `signal` not an `AbortSignal`.
 */
export function checkWaitArguments(
  applicationName: unknown,
  notificationId: unknown,
  options: unknown,
): number {
  if (typeof applicationName !== 'string') {
    throw new ProgrammingError(
      `The application name of a wait is ${describeValue(applicationName)}, not a string`,
    );
  }
  if (notificationId !== undefined && typeof notificationId !== 'bigint') {
    throw new ProgrammingError(
      `The notification id of a wait is ${describeValue(notificationId)}, not a bigint (e.g. 5n) or undefined`,
    );
  }
  if (options === undefined) return DEFAULT_TRACKING_WAIT_TIMEOUT;
  if (typeof options !== 'object' || options === null) {
    throw new ProgrammingError(
      `The options of a wait are ${describeValue(options)}, not an object`,
    );
  }
  const { timeout, signal } = options as { timeout?: unknown; signal?: unknown };
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw new ProgrammingError(
      `The signal of a wait is ${describeValue(signal)}, not an AbortSignal`,
    );
  }
  return timeout === undefined
    ? DEFAULT_TRACKING_WAIT_TIMEOUT
    : checkMilliseconds(timeout, 'wait timeout');
}

/** True for an `AbortSignal` (also one of another realm or a compatible implementation). */
function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function' &&
    typeof (value as AbortSignal).removeEventListener === 'function'
  );
}

/**
 * The wait loop of {@link TrackingRecorder.wait}, shared by the adapters: checks the arguments
 * ({@link checkWaitArguments}), then checks, then sleeps on `source.changed` until the id is
 * there, the timeout passes, or the signal aborts. The id being there when the wait starts wins
 * over an abort; an abort while sleeping ends the wait at once; a timeout gets one last check.
 * Timeouts of 2³¹ ms and more are honoured; `Infinity` sets no timer.
 */
export async function waitForTracking(
  applicationName: string,
  notificationId: bigint | undefined,
  options: TrackingWaitOptions,
  source: TrackingWaitSource,
): Promise<void> {
  const timeout = checkWaitArguments(applicationName, notificationId, options);
  if (notificationId === undefined || alwaysTracked(notificationId)) return;
  const interruptedBy = (): AbortSignal | undefined =>
    options.signal?.aborted ? options.signal : source.closed?.aborted ? source.closed : undefined;
  const interrupted = (by: AbortSignal): WaitInterruptedError =>
    new WaitInterruptedError(
      `${by === source.closed ? 'Recorder closed' : 'Interrupted'} while waiting for notification ${notificationId} from application '${applicationName}' to be processed`,
      by.reason === undefined ? undefined : { cause: by.reason },
    );

  const stop = new AbortController();
  let timedOut = false;
  const cancelTimer = setLongTimeout(() => {
    timedOut = true;
    stop.abort();
  }, timeout);
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  source.closed?.addEventListener('abort', onAbort, { once: true });
  try {
    for (let attempt = 0; ; attempt++) {
      const changed = source.changed(stop.signal, attempt);
      let found: boolean;
      try {
        found = await source.has();
      } catch (error) {
        // A check that fails because the recorder closed under it is an interruption.
        const by = interruptedBy();
        if (by !== undefined) throw interrupted(by);
        throw error;
      }
      if (found) return;
      const by = interruptedBy();
      if (by !== undefined) throw interrupted(by);
      if (timedOut) throw new TimeoutError(trackingTimeoutMessage(applicationName, notificationId));
      await changed;
      // Interrupted while sleeping: end now (a timeout still gets one last check).
      const byWhileSleeping = interruptedBy();
      if (byWhileSleeping !== undefined) throw interrupted(byWhileSleeping);
    }
  } finally {
    cancelTimer();
    stop.abort();
    options.signal?.removeEventListener('abort', onAbort);
    source.closed?.removeEventListener('abort', onAbort);
  }
}

/**
 * Resolves when the first of `waits` resolves or `signal` aborts, then aborts the others, so that
 * a long wait that loops over it leaves no listeners or timers behind. Never rejects.
 */
export async function firstOf(
  signal: AbortSignal,
  ...waits: ((signal: AbortSignal) => Promise<void>)[]
): Promise<void> {
  if (signal.aborted) return;
  const local = new AbortController();
  const onAbort = (): void => local.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race(waits.map((wait) => wait(local.signal)));
  } finally {
    local.abort();
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * The savepoint statements of one batch's connection, as {@link TrackingBatches.nested} needs
 * them. A savepoint that succeeded is not released at once: its `RELEASE` is sent with the next
 * sibling's `SAVEPOINT` (one round trip less per tracked transaction), or implied by the
 * release, rollback or commit of the level around it.
 */
export interface SavepointStatements {
  /**
   * `SAVEPOINT name`, preceded by `RELEASE SAVEPOINT name` when `releasePrevious` (the previous
   * sibling of the same name succeeded). An adapter may send more statements with it (e.g. the
   * tracking record's upsert) as long as a failure leaves either no savepoint `name` or one that
   * `rollbackTo` can roll back to.
   */
  savepoint(name: string, releasePrevious: boolean): void | Promise<void>;
  /** `ROLLBACK TO SAVEPOINT name` and then `RELEASE SAVEPOINT name` */
  rollbackTo(name: string): void | Promise<void>;
  /**
   * Called when the child's work resolved, before its tracking records are kept: throw to fail
   * the child instead (it is then rolled back), e.g. when an error its work swallowed aborted
   * the transaction. Resolves `true` when it released the savepoint itself.
   * @defaultValue resolves `false`: the release is left for later
   */
  succeeded?(name: string): boolean | Promise<boolean>;
}

/**
 * One level of an open batch, for adapters: the batch itself (the root, on the batch's
 * connection) or a savepoint inside it. Its children (tracked transactions and nested batches)
 * run one at a time, in the order they were started, so their savepoints never interleave.
 */
export class BatchScope<C> {
  /** The batch's connection (or database). */
  readonly connection: C;
  /** The enclosing level; `undefined` for the batch itself. */
  readonly parent: BatchScope<C> | undefined;
  /** 0 for the batch itself, 1 for its savepoints, and so on. */
  readonly depth: number;
  /** The tracking records recorded at this level (and released from its children), in order. */
  readonly recorded: Tracking[] = [];
  /** On the root: the error of a savepoint that could not be rolled back; the batch must not commit. */
  broken: unknown;
  /** The last child's savepoint succeeded and has not been released yet (see {@link SavepointStatements}). */
  childUnreleased = false;
  #open = true;
  #tail: Promise<void> = Promise.resolve();

  constructor(connection: C, parent?: BatchScope<C>) {
    this.connection = connection;
    this.parent = parent;
    this.depth = parent === undefined ? 0 : parent.depth + 1;
  }

  /** The batch this level belongs to. */
  get root(): BatchScope<C> {
    return this.parent === undefined ? this : this.parent.root;
  }

  /** False once the level has ended; work started in its async context then no longer joins it. */
  get open(): boolean {
    return this.#open;
  }

  /** Ends the level: children not yet started fail with `ProgrammingError`. */
  end(): void {
    this.#open = false;
  }

  /** Settles when the children started so far have settled. Never rejects. */
  idle(): Promise<void> {
    return this.#tail;
  }

  /**
   * Runs `fn` after the children started before it have settled (a FIFO mutex).
   *
   * @throws ProgrammingError when the level has ended by the time `fn` would start.
   */
  exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.#tail.then(() => {
      if (!this.#open) {
        throw new ProgrammingError(
          'A tracked transaction was started in a batch that has ended: await every tracked transaction inside the batch',
        );
      }
      return fn();
    });
    this.#tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

/**
 * The open batches of one recorder, for adapters: which batch level the caller's async context
 * belongs to (carried by `AsyncLocalStorage` across awaits), and savepoints for the levels.
 */
/** One level of the batch context: a scope of one recorder, inside those of the outer ones. */
interface BatchContextNode {
  readonly scope: BatchScope<unknown>;
  readonly owner: object;
  readonly outer: BatchContextNode | undefined;
}

/**
 * The open batches of the caller's async context, for every recorder at once. One storage for
 * the whole process: Node keeps each enabled AsyncLocalStorage in a global list that every
 * promise walks, so one per recorder would slow everything down as views come and go.
 */
const batchContext = new AsyncLocalStorage<BatchContextNode>();

export class TrackingBatches<C> {
  /** The innermost open level of the caller's async context; `undefined` outside open batches. */
  current(): BatchScope<C> | undefined {
    for (let node = batchContext.getStore(); node !== undefined; node = node.outer) {
      if (node.owner !== this) continue;
      for (
        let scope: BatchScope<C> | undefined = node.scope as BatchScope<C>;
        scope !== undefined;
        scope = scope.parent
      ) {
        if (scope.open) return scope;
      }
      return undefined;
    }
    return undefined;
  }

  /** Runs `work` in the async context of `scope` (the adapter begins and commits the root). */
  run<T>(scope: BatchScope<C>, work: () => Promise<T>): Promise<T> {
    return batchContext.run({ scope, owner: this, outer: batchContext.getStore() }, work);
  }

  /**
   * Runs `fn` as a child of `parent` inside a savepoint: after `parent`'s earlier children, in
   * a level of its own (so that tracked transactions started by `fn` nest further). When `fn`
   * resolves, the child's tracking records become the parent's (its savepoint is released
   * later, see {@link SavepointStatements}); when it throws, the savepoint is rolled back and
   * its records are dropped. A savepoint that cannot be set together with its previous
   * sibling's release, or cannot be rolled back, marks the batch {@link BatchScope.broken}.
   */
  nested<T>(
    parent: BatchScope<C>,
    statements: SavepointStatements,
    fn: (scope: BatchScope<C>) => T | Promise<T>,
  ): Promise<T> {
    return parent.exclusive(async () => {
      const name = `tracking_batch_${parent.depth + 1}`;
      const rollBack = async (): Promise<void> => {
        try {
          await statements.rollbackTo(name);
        } catch (undoError) {
          parent.root.broken ??= undoError;
        }
      };
      const releasePrevious = parent.childUnreleased;
      parent.childUnreleased = false;
      try {
        await statements.savepoint(name, releasePrevious);
      } catch (error) {
        // When the previous sibling's release went with it, which part failed is unknown: that
        // sibling's records may not hold any more, so the batch must not commit.
        if (releasePrevious) parent.root.broken ??= error;
        else await rollBack();
        throw error;
      }
      const child = new BatchScope(parent.connection, parent);
      try {
        const result = await this.run(child, async () => fn(child));
        child.end();
        await child.idle();
        const released = (await statements.succeeded?.(name)) ?? false;
        parent.recorded.push(...child.recorded);
        parent.childUnreleased = !released;
        return result;
      } catch (error) {
        child.end();
        await child.idle();
        await rollBack();
        throw error;
      }
    });
  }
}
