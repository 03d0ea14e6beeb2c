import type { AggregateRecorder, SelectEventsOptions } from '../../core/aggregate-recorder.js';
import { ProgrammingError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/stored-event.js';
import { copyEvent } from './check-batch.js';
import { selectByVersion } from './select-by-version.js';

/**
 * Keeps aggregate snapshots in memory, with the snapshot rules of the KurrentDB adapter:
 *
 * - `insertEvents` takes exactly one snapshot; there is no optimistic concurrency check, but a
 *   snapshot older than the latest one of its aggregate is silently not written.
 * - Snapshots are never notifications: `insertEvents` always resolves with an empty array.
 * - `selectEvents(id, { desc: true, lte })` resolves with `[]` whenever `lte` is given (also
 *   `lte: 0`): historical reads rebuild from events and never use a snapshot.
 *
 * @example
 * ```ts
 * const snapshots = new MemorySnapshotRecorder();
 * await snapshots.insertEvents([snapshot]);
 * const [latest] = await snapshots.selectEvents(id, { desc: true, limit: 1 });
 * ```
 */
export class MemorySnapshotRecorder implements AggregateRecorder {
  readonly #snapshots = new Map<string, StoredEvent[]>();

  /**
   * @throws ProgrammingError unless exactly one snapshot is given
   */
  async insertEvents(events: readonly StoredEvent[]): Promise<bigint[]> {
    const [snapshot] = events;
    if (snapshot === undefined || events.length !== 1) {
      throw new ProgrammingError(`Expected exactly one snapshot, got ${events.length}`);
    }
    const stored = this.#snapshots.get(snapshot.originatorId) ?? [];
    const latest = stored.at(-1);
    if (latest !== undefined && latest.originatorVersion > snapshot.originatorVersion) return [];
    stored.push(copyEvent(snapshot));
    this.#snapshots.set(snapshot.originatorId, stored);
    return [];
  }

  async selectEvents(
    originatorId: string,
    options: SelectEventsOptions = {},
  ): Promise<StoredEvent[]> {
    if (options.desc === true && options.lte !== undefined) return [];
    return selectByVersion(this.#snapshots.get(originatorId) ?? [], options);
  }

  async close(): Promise<void> {}
}
