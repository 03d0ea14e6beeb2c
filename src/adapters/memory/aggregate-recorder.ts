import type { AggregateRecorder, SelectEventsOptions } from '../../core/aggregate-recorder.js';
import type { StoredEvent } from '../../core/stored-event.js';
import { checkBatch, copyEvent, decideAppend } from './check-batch.js';
import { selectByVersion } from './select-by-version.js';

/**
 * An {@link AggregateRecorder} that keeps each aggregate's events in memory, with the write rules
 * of the KurrentDB adapter: one aggregate per call, contiguous versions that follow the stored
 * ones (the first version of a new aggregate is 0), and idempotent repeats by event id.
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
  readonly #streams = new Map<string, StoredEvent[]>();

  /**
   * Stores the events atomically (the check and the write run without yielding).
   *
   * @throws ProgrammingError for events of more than one aggregate
   * @throws IntegrityError for a gap, a duplicate version, or a version already taken by
   *   another event id; nothing is written then
   */
  async insertEvents(events: readonly StoredEvent[]): Promise<bigint[]> {
    if (events.length === 0) return [];
    const originatorId = checkBatch(events);
    const stream = this.#streams.get(originatorId) ?? [];
    if (decideAppend(stream, events) === 'append') {
      stream.push(...events.map(copyEvent));
      this.#streams.set(originatorId, stream);
    }
    return [];
  }

  async selectEvents(originatorId: string, options?: SelectEventsOptions): Promise<StoredEvent[]> {
    return selectByVersion(this.#streams.get(originatorId) ?? [], options);
  }

  async close(): Promise<void> {}
}
