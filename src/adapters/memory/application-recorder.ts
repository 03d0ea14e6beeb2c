import type { AppendedEvents, SelectEventsOptions } from '../../core/aggregate-recorder.js';
import type {
  ApplicationRecorder,
  SelectNotificationsOptions,
  SubscribeOptions,
} from '../../core/application-recorder.js';
import { checkOriginatorId, checkStoredEvents } from '../../core/check-stored-events.js';
import { InsertSignal } from '../../core/insert-signal.js';
import { StoppableSubscription } from '../../core/stoppable-subscription.js';
import type { Notification, StoredEvent } from '../../core/stored-event.js';
import type { Subscription } from '../../core/subscription.js';
import { copyEvent } from './check-batch.js';
import { ClosedGuard } from './closed-guard.js';
import { StreamMap } from './stream-map.js';

/** How many notifications a subscription takes from the log per scan. */
const SUBSCRIPTION_PAGE = 500;

/**
 * An {@link ApplicationRecorder} in memory: aggregate events plus one gap-free notification log
 * (ids 1, 2, 3, …; each event its own id), with the write rules of the KurrentDB adapter (one
 * aggregate per call, contiguous versions from 0, idempotent repeats by event id, soft delete:
 * the notifications stay, the events written after it get new ids and continue the numbering).
 *
 * Writes are atomic: the checks and the write run without yielding, so concurrent callers never
 * interleave. Subscriptions catch up from the log and then sleep until the next insert wakes them.
 *
 * @example
 * ```ts
 * const recorder = new MemoryApplicationRecorder();
 * const [id] = await recorder.insertEvents([event]);
 * for await (const notification of recorder.subscribe({ gt: 0n })) { … }
 * ```
 */
export class MemoryApplicationRecorder implements ApplicationRecorder {
  /** `log[i]` has notification id `i + 1`. */
  readonly #log: Notification[] = [];
  readonly #streams = new StreamMap<Notification>();
  readonly #inserted = new InsertSignal();
  readonly #subscriptions = new Set<StoppableSubscription<Notification>>();
  readonly #guard = new ClosedGuard('MemoryApplicationRecorder');

  /** {@link appendEvents} without the version. */
  async insertEvents(events: readonly StoredEvent[]): Promise<bigint[]> {
    return (await this.appendEvents(events)).ids;
  }

  /**
   * Stores the events and appends them to the notification log.
   *
   * @returns each event's notification id — for a repeat of stored events (same event ids at the
   *   same versions) the ids they got when first stored — and the last event's stored version
   * @throws ProgrammingError for a malformed event, events of more than one aggregate, or after
   *   `close()`
   * @throws IntegrityError for a gap, a duplicate version, or a version taken by another event
   */
  async appendEvents(events: readonly StoredEvent[]): Promise<AppendedEvents> {
    this.#guard.assertOpen();
    checkStoredEvents(events);
    const { appended, stored, lastVersion } = this.#streams.append(
      events,
      (event, version, index): Notification => ({
        ...copyEvent(event, version),
        id: BigInt(this.#log.length + index + 1),
      }),
    );
    if (appended) {
      for (const notification of stored) this.#log.push(notification);
      this.#inserted.notify();
    }
    return { ids: stored.map((n) => n.id), lastVersion };
  }

  async selectEvents(originatorId: string, options?: SelectEventsOptions): Promise<StoredEvent[]> {
    this.#guard.assertOpen();
    return this.#streams.select(originatorId, options).map(toStoredEvent);
  }

  /**
   * Soft-deletes the aggregate's events (see {@link ApplicationRecorder.deleteStream}): its
   * notifications stay.
   */
  async deleteStream(originatorId: string): Promise<void> {
    this.#guard.assertOpen();
    checkOriginatorId(originatorId);
    this.#streams.delete(originatorId);
  }

  /**
   * Notifications with `id ≥ start` (`> start` when `inclusiveOfStart` is false) and `id ≤ stop`,
   * of the given topics (exact match; none = all), at most `limit`. Any `start` is accepted.
   */
  async selectNotifications(options: SelectNotificationsOptions): Promise<Notification[]> {
    this.#guard.assertOpen();
    return this.#scan(options);
  }

  async maxNotificationId(): Promise<bigint> {
    this.#guard.assertOpen();
    return BigInt(this.#log.length);
  }

  /**
   * Notifications with ids greater than `gt` (all when omitted) of the given topics: first those
   * already stored, then each new one as it is inserted. Stopped by `stop()` or `close()`.
   * After `close()`, the subscription's first `next()` rejects with `ProgrammingError`.
   */
  subscribe(options: SubscribeOptions = {}): Subscription<Notification> {
    if (this.#guard.closed) {
      return new StoppableSubscription<Notification>(() => {
        throw this.#guard.error();
      });
    }
    this.#forgetStopped();
    const subscription = new StoppableSubscription<Notification>((signal) =>
      this.#follow(options, signal),
    );
    this.#subscriptions.add(subscription);
    return subscription;
  }

  /** Stops every subscription of this recorder; every later call rejects with `ProgrammingError`. */
  async close(): Promise<void> {
    this.#guard.close();
    for (const subscription of this.#subscriptions) subscription.stop();
    this.#subscriptions.clear();
  }

  /** Synchronous selection; the log is indexed by id, so it starts at `start` directly. */
  #scan(options: SelectNotificationsOptions): Notification[] {
    const { start, limit, stop, topics = [], inclusiveOfStart = true } = options;
    const wanted = topics.length === 0 ? undefined : new Set(topics);
    const result: Notification[] = [];
    if (limit <= 0) return result;
    const first = start === undefined ? 1n : inclusiveOfStart ? start : start + 1n;
    let index = first < 1n ? 0 : Number(first - 1n);
    for (; index < this.#log.length; index++) {
      const notification = this.#log[index] as Notification;
      if (stop !== undefined && notification.id > stop) break;
      if (wanted !== undefined && !wanted.has(notification.topic)) continue;
      result.push(notification);
      if (result.length >= limit) break;
    }
    return result;
  }

  async *#follow(options: SubscribeOptions, signal: AbortSignal): AsyncGenerator<Notification> {
    let position = options.gt ?? 0n;
    const topics = options.topics ?? [];
    try {
      while (!signal.aborted) {
        const end = BigInt(this.#log.length);
        const page = this.#scan({
          start: position,
          inclusiveOfStart: false,
          limit: SUBSCRIPTION_PAGE,
          topics,
        });
        if (page.length === 0) {
          // Everything up to `end` was scanned (also when no topic matched): skip it next time.
          if (end > position) position = end;
          await this.#inserted.wait(signal);
          continue;
        }
        for (const notification of page) {
          if (signal.aborted) return;
          yield notification;
          position = notification.id;
        }
        const scannedTo = page.length < SUBSCRIPTION_PAGE ? end : position;
        if (scannedTo > position) position = scannedTo;
      }
    } finally {
      this.#forgetStopped();
    }
  }

  #forgetStopped(): void {
    for (const subscription of this.#subscriptions) {
      if (subscription.stopped) this.#subscriptions.delete(subscription);
    }
  }
}

function toStoredEvent(notification: Notification): StoredEvent {
  const { id: _id, ...event } = notification;
  return event;
}
