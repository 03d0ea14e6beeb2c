import type { AppendedEvents, SelectEventsOptions } from '../../core/aggregate-recorder.js';
import type {
  ApplicationRecorder,
  SelectNotificationsOptions,
  SubscribeOptions,
} from '../../core/application-recorder.js';
import { checkOriginatorId, checkStoredEvents } from '../../core/check-stored-events.js';
import { ProgrammingError } from '../../core/errors.js';
import { InsertSignal } from '../../core/insert-signal.js';
import { StoppableSubscription } from '../../core/stoppable-subscription.js';
import type { Notification, StoredEvent } from '../../core/stored-event.js';
import type { Subscription } from '../../core/subscription.js';
import {
  appendTo,
  copyEvent,
  decideAppend,
  type MemoryStream,
  newStream,
  softDelete,
} from './check-batch.js';
import { selectByVersion } from './select-by-version.js';

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
  readonly #streams = new Map<string, MemoryStream<Notification>>();
  readonly #inserted = new InsertSignal();
  readonly #subscriptions = new Set<StoppableSubscription<Notification>>();
  #closed = false;

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
    this.#assertOpen();
    checkStoredEvents(events);
    const first = events[0];
    if (first === undefined) return { ids: [], lastVersion: -1 };
    const stream = this.#streams.get(first.originatorId);
    const decision = decideAppend(stream, events);
    const lastVersion = decision.from + events.length - 1;
    if (decision.kind === 'repeat') {
      const stored = stream?.events.slice(decision.from, lastVersion + 1) ?? [];
      return { ids: stored.map((n) => n.id), lastVersion };
    }
    const notifications = events.map(
      (event, i): Notification => ({
        ...copyEvent(event, decision.from + i),
        id: BigInt(this.#log.length + i + 1),
      }),
    );
    const target = stream ?? newStream();
    appendTo(target, notifications);
    for (const notification of notifications) this.#log.push(notification);
    this.#streams.set(first.originatorId, target);
    this.#inserted.notify();
    return { ids: notifications.map((n) => n.id), lastVersion };
  }

  async selectEvents(originatorId: string, options?: SelectEventsOptions): Promise<StoredEvent[]> {
    this.#assertOpen();
    const stream = this.#streams.get(originatorId);
    if (stream === undefined) return [];
    return selectByVersion(stream.events, options, stream.visibleFrom).map(toStoredEvent);
  }

  /**
   * Soft-deletes the aggregate's events (see {@link ApplicationRecorder.deleteStream}): its
   * notifications stay.
   */
  async deleteStream(originatorId: string): Promise<void> {
    this.#assertOpen();
    checkOriginatorId(originatorId);
    softDelete(this.#streams.get(originatorId), originatorId);
  }

  /**
   * Notifications with `id ≥ start` (`> start` when `inclusiveOfStart` is false) and `id ≤ stop`,
   * of the given topics (exact match; none = all), at most `limit`. Any `start` is accepted.
   */
  async selectNotifications(options: SelectNotificationsOptions): Promise<Notification[]> {
    this.#assertOpen();
    return this.#scan(options);
  }

  async maxNotificationId(): Promise<bigint> {
    this.#assertOpen();
    return BigInt(this.#log.length);
  }

  /**
   * Notifications with ids greater than `gt` (all when omitted) of the given topics: first those
   * already stored, then each new one as it is inserted. Stopped by `stop()` or `close()`.
   * After `close()`, the subscription's first `next()` rejects with `ProgrammingError`.
   */
  subscribe(options: SubscribeOptions = {}): Subscription<Notification> {
    if (this.#closed) {
      return new StoppableSubscription<Notification>(() => {
        throw this.#closedError();
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
    this.#closed = true;
    for (const subscription of this.#subscriptions) subscription.stop();
    this.#subscriptions.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw this.#closedError();
  }

  #closedError(): ProgrammingError {
    return new ProgrammingError('MemoryApplicationRecorder is closed');
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
