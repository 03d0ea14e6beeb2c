/**
 * Snapshots in KurrentDB: one `snapshot-$<id>` stream per aggregate.
 *
 * @module
 */
import { ANY } from '@kurrent/kurrentdb-client';
import type {
  AggregateRecorder,
  AppendedEvents,
  SelectEventsOptions,
} from '../../core/aggregate-recorder.js';
import { checkOriginatorId, checkStoredEvents } from '../../core/check-stored-events.js';
import { ProgrammingError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/stored-event.js';
import { appendWithRetry } from './connection-retry.js';
import { softDeleteStream } from './kurrentdb-aggregate-recorder.js';
import type { KurrentDBConnection } from './kurrentdb-connection.js';
import { snapshotStreamName } from './notification-filter.js';
import {
  type ClientRecordedEvent,
  metadataObject,
  toEventData,
  toStoredEvent,
} from './recorded-event.js';
import { readLastEvent, readStreamEvents } from './stream-reader.js';

/** Metadata key holding the aggregate version a snapshot was taken at. */
export const ORIGINATOR_VERSION_KEY = 'originatorVersion';

/**
 * Stores snapshots: each in the aggregate's snapshot stream, whose revisions are unrelated to the
 * aggregate's versions, so the version is kept in the event metadata (and removed on reading).
 *
 * - One snapshot per `insertEvents` call, checked as every stored event is, appended without a
 *   revision check; a snapshot older than the latest one stored is silently not written
 *   (resolves `[]` either way: snapshots are not notifications; `appendEvents` resolves
 *   `{ ids: [], lastVersion: <the snapshot's version> }`).
 * - `selectEvents` with `lte` resolves `[]`: historical reads rebuild from events only. This also
 *   holds for `lte: 0`, unlike the Python package.
 * - Snapshot streams are never notifications (see `notification-filter.ts`).
 * - `deleteStream(id)` soft-deletes the aggregate's snapshot stream; it resolves also when there
 *   are no snapshots. A later snapshot is stored as usual.
 * - After `close()` every method rejects with `ProgrammingError`.
 */
export class KurrentDBSnapshotRecorder implements AggregateRecorder {
  readonly #connection: KurrentDBConnection;
  #closed = false;

  /** The recorder holds a reference to `connection` until {@link close}. */
  constructor(connection: KurrentDBConnection) {
    this.#connection = connection;
    connection.acquire();
  }

  /** {@link appendEvents} without the version: always `[]`. */
  async insertEvents(events: readonly StoredEvent[]): Promise<bigint[]> {
    return (await this.appendEvents(events)).ids;
  }

  /**
   * Stores the snapshot unless a newer one of its aggregate is stored.
   *
   * @returns no ids, and the snapshot's version as `lastVersion` (also when it was skipped)
   * @throws ProgrammingError unless exactly one well-formed snapshot is given (checked before
   *   any I/O), or after `close()`
   */
  async appendEvents(events: readonly StoredEvent[]): Promise<AppendedEvents> {
    this.#assertOpen();
    checkStoredEvents(events);
    const [snapshot] = events;
    if (events.length !== 1 || snapshot === undefined) {
      throw new ProgrammingError(
        `Exactly one snapshot can be stored per call, got ${events.length}`,
      );
    }
    const result = { ids: [], lastVersion: snapshot.originatorVersion };
    const streamName = snapshotStreamName(snapshot.originatorId);
    const latest = await readLastEvent(this.#connection, streamName);
    if (latest !== undefined && versionOf(latest) > snapshot.originatorVersion) return result;
    const metadata = { ...snapshot.metadata, [ORIGINATOR_VERSION_KEY]: snapshot.originatorVersion };
    const eventData = [toEventData(snapshot, metadata)];
    await appendWithRetry(this.#connection, streamName, (client) =>
      client.appendToStream(streamName, eventData, { streamState: ANY }),
    );
    return result;
  }

  /**
   * The aggregate's snapshots, oldest first (newest first with `desc`), with versions greater
   * than `gt`, at most `limit`; `[]` when `lte` is given.
   */
  async selectEvents(
    originatorId: string,
    options: SelectEventsOptions = {},
  ): Promise<StoredEvent[]> {
    this.#assertOpen();
    const { gt, lte, desc = false, limit } = options;
    if (lte !== undefined || (limit !== undefined && limit <= 0)) return [];
    const events = await readStreamEvents(this.#connection, snapshotStreamName(originatorId), {
      backwards: desc,
      from: desc ? 'end' : 0n,
      maxCount: gt === undefined && limit !== undefined ? limit : Number.MAX_SAFE_INTEGER,
    });
    const selected = events
      .filter((event) => gt === undefined || versionOf(event) > gt)
      .map((event) => toSnapshot(originatorId, event));
    return limit === undefined ? selected : selected.slice(0, limit);
  }

  /** Deletes (soft-deletes) the aggregate's snapshot stream; resolves also when it has none. */
  async deleteStream(originatorId: string): Promise<void> {
    this.#assertOpen();
    checkOriginatorId(originatorId);
    await softDeleteStream(this.#connection, snapshotStreamName(originatorId));
  }

  /** Releases this recorder's reference to the connection (the last one closes it). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#connection.release();
  }

  #assertOpen(): void {
    if (this.#closed) throw new ProgrammingError('KurrentDBSnapshotRecorder is closed');
  }
}

/** The aggregate version stored with a snapshot (its stream revision if the metadata lacks it). */
function versionOf(event: ClientRecordedEvent): number {
  const version = Number(metadataObject(event)[ORIGINATOR_VERSION_KEY]);
  return Number.isSafeInteger(version) ? version : Number(event.revision);
}

function toSnapshot(originatorId: string, event: ClientRecordedEvent): StoredEvent {
  const stored = toStoredEvent(originatorId, event);
  const { [ORIGINATOR_VERSION_KEY]: _version, ...metadata } = stored.metadata;
  return { ...stored, originatorVersion: versionOf(event), metadata };
}
