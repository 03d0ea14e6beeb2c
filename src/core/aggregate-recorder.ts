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

/**
 * Stores the events of aggregates, each aggregate's events atomically and in version order.
 *
 * - `insertEvents` writes a batch for **one** aggregate atomically; versions must be contiguous
 *   and follow the aggregate's current version, otherwise `IntegrityError` and nothing is written.
 *   Events of more than one aggregate in one call → `ProgrammingError`.
 * - `selectEvents` returns an aggregate's events filtered by version, ascending or descending.
 */
export interface AggregateRecorder {
  /**
   * Writes the events; resolves with one notification id per event (empty for an empty call).
   * A recorder without notifications resolves with an empty array.
   */
  insertEvents(events: readonly StoredEvent[]): Promise<bigint[]>;
  selectEvents(originatorId: string, options?: SelectEventsOptions): Promise<StoredEvent[]>;
  /** Releases connections. The recorder must not be used afterwards. */
  close(): Promise<void>;
}
