/**
 * The aggregates' streams of the in-memory event recorders, with the write rules of
 * `check-batch.ts`.
 *
 * @module
 */
import type { SelectEventsOptions } from '../../core/aggregate-recorder.js';
import type { StoredEvent } from '../../core/stored-event.js';
import { appendTo, decideAppend, type MemoryStream, newStream, softDelete } from './check-batch.js';
import { selectByVersion } from './select-by-version.js';

/** What {@link StreamMap.append} did with a batch. */
export interface StreamAppend<T extends StoredEvent> {
  /** Whether the batch was stored now (not for an empty batch or a repeat). */
  readonly appended: boolean;
  /** The batch's events as stored: the new copies, or for a repeat those stored before. */
  readonly stored: readonly T[];
  /** The stored version of the batch's last event; -1 for an empty batch. */
  readonly lastVersion: number;
}

/** Each aggregate's {@link MemoryStream}, by originator id. */
export class StreamMap<T extends StoredEvent> {
  readonly #streams = new Map<string, MemoryStream<T>>();

  /**
   * Stores a batch that `checkStoredEvents` accepted, as {@link decideAppend} decides: `store`
   * makes the copy kept of the batch's event number `index`, at its stream `version`.
   *
   * @throws IntegrityError as {@link decideAppend} does; nothing is stored then
   */
  append(
    events: readonly StoredEvent[],
    store: (event: StoredEvent, version: number, index: number) => T,
  ): StreamAppend<T> {
    const first = events[0];
    if (first === undefined) return { appended: false, stored: [], lastVersion: -1 };
    const stream = this.#streams.get(first.originatorId);
    const decision = decideAppend(stream, events);
    const lastVersion = decision.from + events.length - 1;
    if (decision.kind === 'repeat') {
      const stored = stream?.events.slice(decision.from, lastVersion + 1) ?? [];
      return { appended: false, stored, lastVersion };
    }
    const copies = events.map((event, i) => store(event, decision.from + i, i));
    const target = stream ?? newStream<T>();
    appendTo(target, copies);
    this.#streams.set(first.originatorId, target);
    return { appended: true, stored: copies, lastVersion };
  }

  /** The aggregate's visible events that `options` select (see {@link selectByVersion}). */
  select(originatorId: string, options?: SelectEventsOptions): T[] {
    const stream = this.#streams.get(originatorId);
    return stream === undefined ? [] : selectByVersion(stream.events, options, stream.visibleFrom);
  }

  /**
   * Soft-deletes the aggregate's events (see {@link softDelete}).
   *
   * @throws IntegrityError when the aggregate never had an event
   */
  delete(originatorId: string): void {
    softDelete(this.#streams.get(originatorId), originatorId);
  }
}
