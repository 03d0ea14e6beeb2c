import type { AggregateRecorder } from './aggregate-recorder.js';
import type { Notification } from './stored-event.js';
import type { Subscription } from './subscription.js';

/** Options of {@link ApplicationRecorder.selectNotifications}. */
export interface SelectNotificationsOptions {
  /** First notification id to consider; omitted = from the very beginning. */
  readonly start?: bigint;
  /** At most this many notifications. */
  readonly limit: number;
  /** Stop after the notification with this id (inclusive). */
  readonly stop?: bigint;
  /** Only notifications whose topic is one of these (exact match). Empty = all topics. */
  readonly topics?: readonly string[];
  /** Include the notification whose id equals `start`. @defaultValue `true` */
  readonly inclusiveOfStart?: boolean;
}

/** Options of {@link ApplicationRecorder.subscribe}. */
export interface SubscribeOptions {
  /** Deliver only notifications with ids strictly greater than this; omitted = from the beginning. */
  readonly gt?: bigint;
  /** Only notifications whose topic is one of these (exact match). Empty = all topics. */
  readonly topics?: readonly string[];
}

/**
 * An aggregate recorder whose events also form one total order of notifications, which can be
 * selected by position and subscribed to.
 */
export interface ApplicationRecorder extends AggregateRecorder {
  selectNotifications(options: SelectNotificationsOptions): Promise<Notification[]>;
  /** The id of the newest notification, `0n` when there is none. */
  maxNotificationId(): Promise<bigint>;
  /** Catch-up then live subscription to notifications with ids greater than `gt`. */
  subscribe(options?: SubscribeOptions): Subscription<Notification>;
}
