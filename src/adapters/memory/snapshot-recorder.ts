import type {
  AggregateRecorder,
  AppendedEvents,
  SelectEventsOptions,
} from '../../core/aggregate-recorder.js';
import { checkOriginatorId, checkStoredEvents } from '../../core/check-stored-events.js';
import { ProgrammingError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/stored-event.js';
import { copyEvent } from './check-batch.js';
import { ClosedGuard } from './closed-guard.js';
import { selectByVersion } from './select-by-version.js';

/**
 * Keeps aggregate snapshots in memory, with the snapshot rules of the KurrentDB adapter:
 *
 * - `insertEvents` takes exactly one snapshot, checked as every stored event is; there is no
 *   optimistic concurrency check, but a snapshot older than the latest one of its aggregate is
 *   silently not written.
 * - Snapshots are never notifications: `insertEvents` always resolves with an empty array, and
 *   `appendEvents` with `{ ids: [], lastVersion: <the snapshot's version> }`.
 * - `selectEvents(id, { desc: true, lte })` resolves with `[]` whenever `lte` is given (also
 *   `lte: 0`): historical reads rebuild from events and never use a snapshot.
 * - `deleteStream(id)` deletes the aggregate's snapshots; it resolves also when there are none.
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
  readonly #guard = new ClosedGuard('MemorySnapshotRecorder');

  /** {@link appendEvents} without the version: always `[]`. */
  async insertEvents(events: readonly StoredEvent[]): Promise<bigint[]> {
    return (await this.appendEvents(events)).ids;
  }

  /**
   * Stores the snapshot unless a newer one of its aggregate is stored.
   *
   * @returns no ids, and the snapshot's version as `lastVersion` (also when it was skipped)
   * @throws ProgrammingError unless exactly one well-formed snapshot is given, or after `close()`
   */
  async appendEvents(events: readonly StoredEvent[]): Promise<AppendedEvents> {
    this.#guard.assertOpen();
    checkStoredEvents(events);
    const [snapshot] = events;
    if (snapshot === undefined || events.length !== 1) {
      throw new ProgrammingError(`Expected exactly one snapshot, got ${events.length}`);
    }
    const result = { ids: [], lastVersion: snapshot.originatorVersion };
    const stored = this.#snapshots.get(snapshot.originatorId) ?? [];
    const latest = stored.at(-1);
    if (latest !== undefined && latest.originatorVersion > snapshot.originatorVersion) {
      return result;
    }
    stored.push(copyEvent(snapshot));
    this.#snapshots.set(snapshot.originatorId, stored);
    return result;
  }

  async selectEvents(
    originatorId: string,
    options: SelectEventsOptions = {},
  ): Promise<StoredEvent[]> {
    this.#guard.assertOpen();
    if (options.desc === true && options.lte !== undefined) return [];
    return selectByVersion(this.#snapshots.get(originatorId) ?? [], options);
  }

  /** Deletes the aggregate's snapshots; resolves also when it has none. */
  async deleteStream(originatorId: string): Promise<void> {
    this.#guard.assertOpen();
    checkOriginatorId(originatorId);
    this.#snapshots.delete(originatorId);
  }

  /** Makes every later call reject with `ProgrammingError`. */
  async close(): Promise<void> {
    this.#guard.close();
  }
}
