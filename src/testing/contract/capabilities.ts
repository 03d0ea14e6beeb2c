/**
 * Options of the recorder contract suites: how to create a recorder and how the adapter's
 * notification log differs from the ideal one. Differences are named capabilities, never
 * `if (adapter === …)` branches inside a test.
 *
 * @module
 */
import type { AggregateRecorder } from '../../core/aggregate-recorder.js';
import type { ApplicationRecorder } from '../../core/application-recorder.js';

/** How an adapter's notification ids behave. */
export interface RecorderCapabilities {
  /**
   * Notification ids are 1, 2, 3, … with no holes, so `id + 1` is the next notification.
   * Memory: `true`. KurrentDB: `false` (ids are sparse `$all` commit positions).
   * When `false`, the suite never computes `id + 1` and asserts only order and relative position.
   */
  readonly contiguousNotificationIds: boolean;
  /**
   * What `insertEvents` resolves with for a batch of several events.
   * - `'each-event'`: one distinct, increasing id per event, each equal to the event's
   *   notification id (memory).
   * - `'last-event'`: every element is the notification id of the batch's last event, because
   *   the store only reports that (KurrentDB: the append result carries the commit position of
   *   the last event). `selectNotifications` still returns each event's own id.
   */
  readonly notificationIdsPerBatch: 'each-event' | 'last-event';
  /**
   * `selectNotifications({ start })` rejects (with a `PersistenceError`) when `start` is not the
   * id of an existing notification (KurrentDB: `$all` can only be read from an event's commit
   * position). When `false`, any `start` is accepted and means "ids from `start`" (memory).
   */
  readonly startMustBeNotificationId: boolean;
}

/** The capabilities of an ideal, gap-free notification log (the in-memory recorder's). */
export const CONTIGUOUS_NOTIFICATION_LOG: RecorderCapabilities = Object.freeze({
  contiguousNotificationIds: true,
  notificationIdsPerBatch: 'each-event',
  startMustBeNotificationId: false,
});

/**
 * What every contract suite takes.
 *
 * The suites never assume an empty store: other writers may share it (every test uses random
 * originator ids and positions taken when it starts, and counts only its own notifications).
 * Each test creates the recorders it needs with `create()` and closes them when it ends.
 */
export interface RecorderContractOptions<TRecorder> {
  /**
   * Creates a recorder connected to the store under test. The suites never rely on two
   * recorders from separate calls sharing a store (a memory adapter may return a new store each
   * time), and they close every recorder they create.
   */
  readonly create: () => Promise<TRecorder>;
  /** How this adapter's notification ids differ from a contiguous log. */
  readonly capabilities: RecorderCapabilities;
  /**
   * Timeout in milliseconds of the heavy tests (thousands of writes, subscriptions that must
   * receive them). @defaultValue `120_000`
   */
  readonly heavyTestTimeout?: number;
}

/** Options of {@link describeAggregateRecorderContract}. */
export type AggregateRecorderContractOptions = RecorderContractOptions<AggregateRecorder>;

/** Options of {@link describeApplicationRecorderContract}. */
export type ApplicationRecorderContractOptions = RecorderContractOptions<ApplicationRecorder>;

/** Options of {@link describeSnapshotRecorderContract}. */
export interface SnapshotRecorderContractOptions
  extends RecorderContractOptions<AggregateRecorder> {
  /**
   * An application recorder over the same store as the snapshot recorders `create()` returns.
   * When given, the suite checks that snapshots never appear as notifications (KurrentDB keeps
   * snapshots in `$all` and must filter them out). Leave it out when snapshots are stored apart
   * from the notification log by construction (memory).
   */
  readonly createApplicationRecorder?: () => Promise<ApplicationRecorder>;
}
