import type {
  AggregateRecorder,
  AppendedEvents,
  SelectEventsOptions,
} from '../../core/aggregate-recorder.js';
import { checkOriginatorId, checkStoredEvents } from '../../core/check-stored-events.js';
import type { StoredEvent } from '../../core/stored-event.js';
import { copyEvent } from './check-batch.js';
import { ClosedGuard } from './closed-guard.js';
import { StreamMap } from './stream-map.js';

/**
 * An {@link AggregateRecorder} that keeps each aggregate's events in memory, with the write rules
 * of the KurrentDB adapter: one aggregate per call, contiguous versions that follow the stored
 * ones (the first version of a new aggregate is 0), idempotent repeats by event id, and soft
 * delete with the numbering going on.
 *
 * It has no notification log, so `insertEvents` resolves with an empty array; use
 * {@link MemoryApplicationRecorder} for notifications.
 *
 * @example
 * ```ts
 * const recorder = new MemoryAggregateRecorder();
 * await recorder.insertEvents([event0, event1]);
 * const latest = await recorder.selectEvents(id, { desc: true, limit: 1 });
 * ```
 */
export class MemoryAggregateRecorder implements AggregateRecorder {
  readonly #streams = new StreamMap<StoredEvent>();
  readonly #guard = new ClosedGuard('MemoryAggregateRecorder');

  /** {@link appendEvents} without the version: always `[]` (no notifications). */
  async insertEvents(events: readonly StoredEvent[]): Promise<bigint[]> {
    return (await this.appendEvents(events)).ids;
  }

  /**
   * Stores the events atomically (the checks and the write run without yielding).
   *
   * @throws ProgrammingError for a malformed event, events of more than one aggregate, or after
   *   `close()`
   * @throws IntegrityError for a gap, a duplicate version, or a version already taken by
   *   another event id; nothing is written then
   */
  async appendEvents(events: readonly StoredEvent[]): Promise<AppendedEvents> {
    this.#guard.assertOpen();
    checkStoredEvents(events);
    const { lastVersion } = this.#streams.append(events, copyEvent);
    return { ids: [], lastVersion };
  }

  async selectEvents(originatorId: string, options?: SelectEventsOptions): Promise<StoredEvent[]> {
    this.#guard.assertOpen();
    return this.#streams.select(originatorId, options);
  }

  /** Soft-deletes the aggregate's events (see {@link AggregateRecorder.deleteStream}). */
  async deleteStream(originatorId: string): Promise<void> {
    this.#guard.assertOpen();
    checkOriginatorId(originatorId);
    this.#streams.delete(originatorId);
  }

  /** Makes every later call reject with `ProgrammingError`. */
  async close(): Promise<void> {
    this.#guard.close();
  }
}
