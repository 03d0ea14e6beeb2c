import type {
  AggregateRecorder,
  AppendedEvents,
  SelectEventsOptions,
} from '../../core/aggregate-recorder.js';
import { checkOriginatorId, checkStoredEvents } from '../../core/check-stored-events.js';
import { ProgrammingError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/stored-event.js';
import {
  appendTo,
  copyEvent,
  decideAppend,
  type MemoryStream,
  newStream,
  softDelete,
} from './check-batch.js';
import { selectByVersion } from './select-by-version.js';

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
  readonly #streams = new Map<string, MemoryStream<StoredEvent>>();
  #closed = false;

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
    this.#assertOpen();
    checkStoredEvents(events);
    const first = events[0];
    if (first === undefined) return { ids: [], lastVersion: -1 };
    const stream = this.#streams.get(first.originatorId);
    const decision = decideAppend(stream, events);
    if (decision.kind === 'append') {
      const target = stream ?? newStream();
      appendTo(
        target,
        events.map((event, i) => copyEvent(event, decision.from + i)),
      );
      this.#streams.set(first.originatorId, target);
    }
    return { ids: [], lastVersion: decision.from + events.length - 1 };
  }

  async selectEvents(originatorId: string, options?: SelectEventsOptions): Promise<StoredEvent[]> {
    this.#assertOpen();
    const stream = this.#streams.get(originatorId);
    return stream === undefined ? [] : selectByVersion(stream.events, options, stream.visibleFrom);
  }

  /** Soft-deletes the aggregate's events (see {@link AggregateRecorder.deleteStream}). */
  async deleteStream(originatorId: string): Promise<void> {
    this.#assertOpen();
    checkOriginatorId(originatorId);
    softDelete(this.#streams.get(originatorId), originatorId);
  }

  /** Makes every later call reject with `ProgrammingError`. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new ProgrammingError('MemoryAggregateRecorder is closed');
  }
}
