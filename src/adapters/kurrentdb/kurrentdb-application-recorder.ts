/**
 * The application recorder on KurrentDB: aggregate events plus notifications from `$all`.
 *
 * @module
 */
import type {
  ApplicationRecorder,
  SelectNotificationsOptions,
  SubscribeOptions,
} from '../../core/application-recorder.js';
import { StoppableSubscription } from '../../core/stoppable-subscription.js';
import type { Notification } from '../../core/stored-event.js';
import type { Subscription } from '../../core/subscription.js';
import { readNotifications } from './all-reader.js';
import { KurrentDBAggregateRecorder } from './kurrentdb-aggregate-recorder.js';
import type { KurrentDBConnection } from './kurrentdb-connection.js';
import { type ResubscribeOptions, subscribeToNotifications } from './notification-subscription.js';

/** What distinguishes this recorder from one with contiguous notification ids. */
export const KURRENTDB_RECORDER_CAPABILITIES = {
  /** Notification ids are `$all` commit positions: increasing, large and sparse. */
  contiguousNotificationIds: false,
  /** All events of one `insertEvents` call get the commit position of the batch's last event. */
  notificationIdsPerBatch: 'last-event',
  /** `selectNotifications({ start })` needs an existing event's position (or 0, or none). */
  startMustBeNotificationId: true,
} as const;

/**
 * Aggregate events in streams named after their originator ids; notifications are the events of
 * `$all` that are neither system events nor snapshots, identified by their commit positions.
 *
 * Notification ids are database-wide: every application writing to the same KurrentDB shares one
 * sequence, so readers work relative to an id taken earlier (`maxNotificationId()`).
 */
export class KurrentDBApplicationRecorder
  extends KurrentDBAggregateRecorder
  implements ApplicationRecorder
{
  readonly #resubscribe: ResubscribeOptions;

  /**
   * @param connection shared with other recorders; this one holds a reference until `close()`.
   * @param options how subscriptions resume after a dropped connection.
   */
  constructor(connection: KurrentDBConnection, options: ResubscribeOptions = {}) {
    super(connection);
    this.#resubscribe = options;
  }

  /**
   * Notifications from `start` (inclusive unless `inclusiveOfStart: false`; from the beginning of
   * `$all` when omitted), at most `limit`, none after `stop`, optionally of some topics only.
   *
   * `start` must be the id of an event in `$all` (any event, not only a notification) or 0;
   * any other position fails with a `PersistenceError` naming it.
   */
  async selectNotifications(options: SelectNotificationsOptions): Promise<Notification[]> {
    this.assertOpen();
    const { start, limit, stop, topics } = options;
    const inclusive = options.inclusiveOfStart ?? true;
    if (limit <= 0) return [];
    const skipStart = !inclusive && start !== undefined;
    const read = readNotifications(this.connection, {
      from: start,
      topics,
      pageSize: Math.min(limit + (skipStart ? 1 : 0), 4096),
    });
    const selected: Notification[] = [];
    for await (const notification of read) {
      if (stop !== undefined && notification.id > stop) break;
      if (!(skipStart && notification.id === start)) selected.push(notification);
      if (selected.length >= limit || (stop !== undefined && notification.id >= stop)) break;
    }
    return selected;
  }

  /** The id of the newest notification (not a system event, not a snapshot); `0n` if none. */
  async maxNotificationId(): Promise<bigint> {
    this.assertOpen();
    const read = readNotifications(this.connection, { backwards: true, pageSize: 1 });
    for await (const notification of read) return notification.id;
    return 0n;
  }

  /**
   * Notifications with ids greater than `gt` (all when omitted), optionally of some topics only:
   * first those already stored, then new ones as they are written. The subscription resumes by
   * itself after a dropped connection or a server-side "consumer too slow" abort, from the last
   * delivered id: nothing is lost or repeated. After `close()`, the subscription's first `next()`
   * rejects with `ProgrammingError`.
   */
  subscribe(options: SubscribeOptions = {}): Subscription<Notification> {
    if (this.closed) {
      const error = this.closedError();
      return new StoppableSubscription<Notification>(() => {
        throw error;
      });
    }
    return new StoppableSubscription((signal) =>
      subscribeToNotifications(this.connection, { ...options, signal, ...this.#resubscribe }),
    );
  }
}
