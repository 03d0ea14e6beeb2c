/**
 * The tracking-recorder port (python-anchor §2.7): where a projection's view records, per
 * upstream application, the notification id of the last event it processed, so that it can
 * resume after it and so that callers can wait until an event has been processed.
 *
 * Also holds {@link waitForTracking}, the one wait loop every adapter shares: check, then sleep
 * until the adapter says something may have changed (an in-process signal, a database
 * notification or a poll), until the id is there, the time is up, or the signal aborts.
 *
 * @module
 */
import { TimeoutError, WaitInterruptedError } from './errors.js';

/** The position of one processed upstream notification: recorded atomically with the view's update. */
export interface Tracking {
  /** The name of the upstream application whose notification was processed. */
  readonly applicationName: string;
  /** The upstream notification id (for KurrentDB, the event's `$all` commit position). */
  readonly notificationId: bigint;
}

/** Options of {@link TrackingRecorder.wait}. */
export interface TrackingWaitOptions {
  /** How long to wait, in milliseconds. @defaultValue `1000` */
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
 */
export interface TrackingRecorder {
  /** @throws IntegrityError when `t.notificationId` is not greater than the application's max. */
  insertTracking(t: Tracking): Promise<void>;
  /** The highest notification id recorded for the application, `undefined` when none. */
  maxTrackingId(applicationName: string): Promise<bigint | undefined>;
  /** `true` when `notificationId` is `undefined` or not greater than the application's max. */
  hasTrackingId(applicationName: string, notificationId: bigint | undefined): Promise<boolean>;
  /**
   * Resolves when {@link hasTrackingId} becomes true (at once when it already is).
   *
   * @throws TimeoutError after `options.timeout` ms (default 1000), naming the id and application.
   * @throws WaitInterruptedError when `options.signal` aborts or the recorder is closed.
   * @throws PersistenceError (or a subclass) when a check fails, e.g. the database is unreachable.
   */
  wait(
    applicationName: string,
    notificationId: bigint | undefined,
    options?: TrackingWaitOptions,
  ): Promise<void>;
  /** Releases connections and interrupts pending waits. The recorder must not be used afterwards. */
  close(): Promise<void>;
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
 * The wait loop of {@link TrackingRecorder.wait}, shared by the adapters: checks, then sleeps on
 * `source.changed` until the id is there, the timeout passes, or the signal aborts. The id being
 * there when the wait starts wins over an abort; an abort while sleeping ends the wait at once;
 * a timeout gets one last check.
 */
export async function waitForTracking(
  applicationName: string,
  notificationId: bigint | undefined,
  options: TrackingWaitOptions,
  source: TrackingWaitSource,
): Promise<void> {
  if (notificationId === undefined) return;
  const timeout = options.timeout ?? DEFAULT_TRACKING_WAIT_TIMEOUT;
  const interruptedBy = (): AbortSignal | undefined =>
    options.signal?.aborted ? options.signal : source.closed?.aborted ? source.closed : undefined;
  const interrupted = (by: AbortSignal): WaitInterruptedError =>
    new WaitInterruptedError(
      `${by === source.closed ? 'Recorder closed' : 'Interrupted'} while waiting for notification ${notificationId} from application '${applicationName}' to be processed`,
      by.reason === undefined ? undefined : { cause: by.reason },
    );

  const stop = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
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
    clearTimeout(timer);
    stop.abort();
    options.signal?.removeEventListener('abort', onAbort);
    source.closed?.removeEventListener('abort', onAbort);
  }
}

/**
 * Resolves after `ms`, or at once when `signal` aborts. Never rejects. For adapters that poll.
 */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
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
