/**
 * Aggregate events in KurrentDB: one stream per aggregate, stream revision = originator version.
 *
 * @module
 */
import { NO_STREAM, WrongExpectedVersionError } from '@kurrent/kurrentdb-client';
import type {
  AggregateRecorder,
  AppendedEvents,
  SelectEventsOptions,
} from '../../core/aggregate-recorder.js';
import { checkOriginatorId, checkStoredEvents } from '../../core/check-stored-events.js';
import { IntegrityError, PersistenceError, ProgrammingError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/stored-event.js';
import { describeError } from './client-errors.js';
import { appendWithRetry, withConnectionRetry } from './connection-retry.js';
import { withinDeadline } from './deadline.js';
import type { KurrentDBConnection } from './kurrentdb-connection.js';
import { SNAPSHOT_STREAM_PREFIX } from './notification-filter.js';
import { toEventData, toStoredEvent } from './recorded-event.js';
import { planStreamRead } from './stream-read-plan.js';
import { readLastEvent, selectStreamEvents } from './stream-reader.js';

/**
 * Stores each aggregate's events in the stream named after its originator id.
 *
 * - Versions are stream revisions, so the first event of an aggregate has version 0.
 * - A batch is appended atomically with the expected revision `no_stream` (first version 0) or
 *   first version − 1: a concurrent writer, or a version already taken, gives `IntegrityError`.
 * - Event ids are kept, so appending the same batch again is idempotent (KurrentDB recognises
 *   the ids and returns the original result).
 * - Every batch is checked before any I/O (`checkStoredEvents`), and an originator id may not
 *   start with `snapshot-$` either: such streams hold snapshots and are never notifications.
 * - `deleteStream` soft-deletes the stream (KurrentDB `deleteStream`); a batch at version 0 then
 *   continues its numbering, as {@link AppendedEvents.lastVersion} reports.
 * - After `close()` every method rejects with `ProgrammingError`, also while other recorders
 *   keep the shared connection open.
 */
export class KurrentDBAggregateRecorder implements AggregateRecorder {
  protected readonly connection: KurrentDBConnection;
  #closed = false;

  /** The recorder holds a reference to `connection` until {@link close}. */
  constructor(connection: KurrentDBConnection) {
    this.connection = connection;
    connection.acquire();
  }

  /**
   * Appends the events of one aggregate. Resolves with one notification id per event: the `$all`
   * commit position of the batch's **last** event (KurrentDB reports only that one), so all events
   * of a batch share an id.
   */
  insertEvents(events: readonly StoredEvent[]): Promise<bigint[]> {
    return this.appendEvents(events).then((appended) => appended.ids);
  }

  /**
   * Appends the events of one aggregate, as {@link insertEvents}; `lastVersion` is the stream
   * revision KurrentDB gave the last event (`nextExpectedRevision`).
   *
   * @throws ProgrammingError for a malformed batch (before any I/O), or after `close()`.
   * @throws IntegrityError for a wrong expected revision or a gap in the versions.
   */
  appendEvents(events: readonly StoredEvent[]): Promise<AppendedEvents> {
    try {
      this.assertOpen();
      checkStoredEvents(events);
      checkNotSnapshotStream(events[0]?.originatorId);
    } catch (error) {
      return Promise.reject(error);
    }
    const first = events[0];
    if (first === undefined) return Promise.resolve({ ids: [], lastVersion: -1 });
    const streamName = first.originatorId;
    const version = first.originatorVersion;
    // A retry after a lost connection sends the same event ids with the same expected revision:
    // if the first attempt was stored, KurrentDB answers with its result and stores nothing.
    const eventData = events.map((event) => toEventData(event));
    const streamState = version === 0 ? NO_STREAM : BigInt(version - 1);
    return appendWithRetry(this.connection, streamName, (client) =>
      client.appendToStream(streamName, eventData, { streamState }),
    ).then((result) => {
      if (!result.success) {
        throw new IntegrityError(
          `Stream '${streamName}' is not at the expected revision ${version - 1} (current: ${result.nextExpectedRevision})`,
        );
      }
      const commit = result.position?.commit;
      if (commit === undefined) {
        throw new PersistenceError(`Appending to stream '${streamName}' returned no position`);
      }
      return { ids: events.map(() => commit), lastVersion: Number(result.nextExpectedRevision) };
    });
  }

  /** The aggregate's events selected by version (see {@link planStreamRead}); `[]` for no stream. */
  async selectEvents(
    originatorId: string,
    options: SelectEventsOptions = {},
  ): Promise<StoredEvent[]> {
    this.assertOpen();
    const plan = await planStreamRead(options, async () => {
      const last = await readLastEvent(this.connection, originatorId);
      return last === undefined ? undefined : Number(last.revision);
    });
    if (plan === undefined) return [];
    const above = plan.above;
    // A soft-deleted stream starts a forward read at its first visible revision, whatever the
    // plan's start: the count read from there may reach beyond `lte`.
    const { lte } = options;
    return selectStreamEvents(this.connection, originatorId, plan, (event) => {
      const revision = Number(event.revision);
      if (above !== undefined && revision <= above) return undefined;
      if (lte !== undefined && revision > lte) return undefined;
      return toStoredEvent(originatorId, event);
    });
  }

  /**
   * Soft-deletes the aggregate's stream (KurrentDB `deleteStream`, expected revision any): see
   * {@link AggregateRecorder.deleteStream}.
   *
   * @throws IntegrityError when the stream has no events (KurrentDB: wrong expected version).
   */
  async deleteStream(originatorId: string): Promise<void> {
    this.assertOpen();
    checkOriginatorId(originatorId);
    checkNotSnapshotStream(originatorId);
    if (!(await softDeleteStream(this.connection, originatorId))) {
      throw new IntegrityError(
        `Can't delete the events of '${originatorId}': it has none (KurrentDB: wrong expected version, the stream does not exist)`,
      );
    }
  }

  /** Releases this recorder's reference to the connection (the last one closes it). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.connection.release();
  }

  /** True after {@link close}. */
  protected get closed(): boolean {
    return this.#closed;
  }

  /** @throws ProgrammingError after {@link close}. */
  protected assertOpen(): void {
    if (this.#closed) throw this.closedError();
  }

  /** The error of every call after {@link close}. */
  protected closedError(): ProgrammingError {
    return new ProgrammingError(`${this.constructor.name} is closed`);
  }
}

/**
 * Soft-deletes a stream with the expected revision any, retried like an append after a lost
 * connection (deleting twice is harmless).
 *
 * @returns `false` when the stream does not exist (nothing to delete), `true` otherwise.
 * @throws PersistenceError for any other failure (the client's error is the cause).
 */
export function softDeleteStream(
  connection: KurrentDBConnection,
  streamName: string,
): Promise<boolean> {
  const what = `Deleting stream '${streamName}'`;
  return withConnectionRetry(
    connection,
    (client) =>
      withinDeadline(
        client.deleteStream(streamName).then(
          () => true,
          (error: unknown) => {
            if (error instanceof WrongExpectedVersionError) return false;
            throw error;
          },
        ),
        connection.deadlineMs + 1_000,
        what,
      ),
    (error) =>
      new PersistenceError(`Failed to delete stream '${streamName}': ${describeError(error)}`, {
        cause: error,
      }),
  );
}

/** @throws ProgrammingError for an originator id in the snapshot streams' namespace. */
function checkNotSnapshotStream(originatorId: string | undefined): void {
  if (originatorId?.startsWith(SNAPSHOT_STREAM_PREFIX) === true) {
    throw new ProgrammingError(
      `Invalid originatorId '${originatorId}': names starting with '${SNAPSHOT_STREAM_PREFIX}' are the snapshot streams of the KurrentDB adapter (their events never become notifications)`,
    );
  }
}
