/**
 * Aggregate events in KurrentDB: one stream per aggregate, stream revision = originator version.
 *
 * @module
 */
import { NO_STREAM } from '@kurrent/kurrentdb-client';
import type { AggregateRecorder, SelectEventsOptions } from '../../core/aggregate-recorder.js';
import { IntegrityError, PersistenceError, ProgrammingError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/stored-event.js';
import { appendWithRetry } from './connection-retry.js';
import type { KurrentDBConnection } from './kurrentdb-connection.js';
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
    if (events.length === 0) return Promise.resolve([]);
    let first: StoredEvent;
    try {
      first = checkBatch(events);
    } catch (error) {
      return Promise.reject(error);
    }
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
      return events.map(() => commit);
    });
  }

  /** The aggregate's events selected by version (see {@link planStreamRead}); `[]` for no stream. */
  async selectEvents(
    originatorId: string,
    options: SelectEventsOptions = {},
  ): Promise<StoredEvent[]> {
    const plan = await planStreamRead(options, async () => {
      const last = await readLastEvent(this.connection, originatorId);
      return last === undefined ? undefined : Number(last.revision);
    });
    if (plan === undefined) return [];
    const above = plan.above;
    return selectStreamEvents(this.connection, originatorId, plan, (event) =>
      above === undefined || Number(event.revision) > above
        ? toStoredEvent(originatorId, event)
        : undefined,
    );
  }

  /** Releases this recorder's reference to the connection (the last one closes it). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.connection.release();
  }
}

/**
 * Checks a batch before any I/O: one originator, contiguous versions, valid event ids.
 *
 * @returns the first event.
 */
function checkBatch(events: readonly StoredEvent[]): StoredEvent {
  const first = events[0] as StoredEvent;
  for (let index = 1; index < events.length; index++) {
    if ((events[index] as StoredEvent).originatorId !== first.originatorId) {
      throw new ProgrammingError(
        "KurrentDB can't atomically store events of more than one aggregate (stream) in one call",
      );
    }
  }
  for (let index = 0; index < events.length; index++) {
    const event = events[index] as StoredEvent;
    if (!Number.isSafeInteger(event.originatorVersion) || event.originatorVersion < 0) {
      throw new ProgrammingError(
        `Originator version ${event.originatorVersion} is not a non-negative integer (KurrentDB versions start at 0)`,
      );
    }
    if (!isUuid(event.eventId)) {
      throw new ProgrammingError(`Event id '${event.eventId}' is not a UUID`);
    }
    if (event.originatorVersion !== first.originatorVersion + index) {
      throw new IntegrityError(
        `Gap or duplicate in originator versions of '${first.originatorId}': expected ${first.originatorVersion + index}, got ${event.originatorVersion}`,
      );
    }
  }
  return first;
}

/**
 * True for a UUID in its 8-4-4-4-12 hex form, either case (what
 * `/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i` matches). Written out
 * because it runs for every appended event, where the regular expression costs more.
 */
function isUuid(value: unknown): boolean {
  const text = typeof value === 'string' ? value : String(value);
  if (text.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const code = text.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 0x2d /* - */) return false;
    } else {
      const lower = code | 0x20; // 'A'-'F' → 'a'-'f'
      const hex = (code >= 0x30 && code <= 0x39) || (lower >= 0x61 && lower <= 0x66);
      if (!hex) return false;
    }
  }
  return true;
}
