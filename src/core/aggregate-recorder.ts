import type { StoredEvent } from './stored-event.js';

/** Options of {@link AggregateRecorder.selectEvents}. */
export interface SelectEventsOptions {
  /** Only versions strictly greater than this. */
  readonly gt?: number;
  /** Only versions less than or equal to this. */
  readonly lte?: number;
  /** Newest first. @defaultValue `false` */
  readonly desc?: boolean;
  /** At most this many events. */
  readonly limit?: number;
}

/** What {@link AggregateRecorder.appendEvents} resolves with. */
export interface AppendedEvents {
  /** One notification id per event, as `insertEvents` resolves (empty without notifications). */
  readonly ids: bigint[];
  /**
   * The version the store gave the batch's last event (the server's answer). Equal to the last
   * event's `originatorVersion`, except where the store renumbers: a soft-deleted stream
   * continues its numbering after its old last version when a batch starts at version 0.
   * For a repeat of stored events, the version they were stored at. -1 for an empty batch.
   */
  readonly lastVersion: number;
}

/**
 * Stores the events of aggregates, each aggregate's events atomically and in version order.
 *
 * - `appendEvents` / `insertEvents` write a batch for **one** aggregate atomically; versions must
 *   be contiguous and follow the aggregate's current version, otherwise `IntegrityError` and
 *   nothing is written. Events of more than one aggregate in one call → `ProgrammingError`.
 *   Every event is checked before any I/O (`checkStoredEvents`): a malformed one is a
 *   `ProgrammingError` naming it, as a rejected promise, and nothing is written.
 * - A batch that repeats stored events (same event ids at the same versions) writes nothing and
 *   resolves as the first write did.
 * - `selectEvents` returns an aggregate's events filtered by version, ascending or descending.
 * - `deleteStream` soft-deletes an aggregate's events (see there).
 * - After `close()` every method rejects with `ProgrammingError` ("… is closed").
 */
export interface AggregateRecorder {
  /**
   * Writes the events; resolves with one notification id per event (empty for an empty call).
   * A recorder without notifications resolves with an empty array. The same as
   * `appendEvents(events)` without the version.
   */
  insertEvents(events: readonly StoredEvent[]): Promise<bigint[]>;
  /**
   * Writes the events, like {@link insertEvents}, and resolves with their notification ids and
   * the version the store gave the last one (after a soft delete it may differ from the batch's:
   * read {@link AppendedEvents.lastVersion}).
   */
  appendEvents(events: readonly StoredEvent[]): Promise<AppendedEvents>;
  selectEvents(originatorId: string, options?: SelectEventsOptions): Promise<StoredEvent[]>;
  /**
   * Soft-deletes the aggregate's events (KurrentDB `deleteStream`): `selectEvents` returns none
   * afterwards; notifications already made stay; a later batch starting at version 0 (expected
   * "no stream") continues the numbering after the last deleted version, as KurrentDB does, and
   * so does a batch that starts right after the last deleted version. Deleting again is allowed.
   * Deleting an aggregate that never had an event fails with `IntegrityError`, as KurrentDB
   * answers "wrong expected version" (snapshot recorders resolve instead: no snapshots to delete).
   *
   * @throws ProgrammingError for an originator id `appendEvents` would refuse.
   */
  deleteStream(originatorId: string): Promise<void>;
  /** Releases connections. The recorder must not be used afterwards. */
  close(): Promise<void>;
}
