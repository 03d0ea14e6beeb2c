/**
 * Reads of one stream through the client, with the adapter's deadline and error translation.
 *
 * @module
 */
import { BACKWARDS, END, FORWARDS } from '@kurrent/kurrentdb-client';
import { PersistenceError } from '../../core/errors.js';
import { describeError, isMissingStream } from './client-errors.js';
import { withConnectionRetry } from './connection-retry.js';
import { consumeWithinDeadline } from './deadline.js';
import type { KurrentDBConnection } from './kurrentdb-connection.js';
import type { ClientRecordedEvent } from './recorded-event.js';

/** Where and how to read a stream. */
export interface StreamRead {
  readonly backwards: boolean;
  /** First revision to read (inclusive), or `'end'` for the newest. */
  readonly from: bigint | 'end';
  readonly maxCount: number;
}

/**
 * The events of a stream read; `[]` when the stream does not exist or was deleted.
 *
 * @throws PersistenceError for any other failure (the client's error is the cause).
 */
export function readStreamEvents(
  connection: KurrentDBConnection,
  streamName: string,
  read: StreamRead,
): Promise<ClientRecordedEvent[]> {
  return selectStreamEvents(connection, streamName, read, (event) => event);
}

/**
 * Like {@link readStreamEvents}, but each event is turned into what `select` returns as soon as it
 * arrives (`undefined`: left out), so the client's event can be dropped at once.
 */
export async function selectStreamEvents<R>(
  connection: KurrentDBConnection,
  streamName: string,
  read: StreamRead,
  select: (event: ClientRecordedEvent) => R | undefined,
): Promise<R[]> {
  const what = `Reading stream '${streamName}'`;
  return withConnectionRetry(
    connection,
    async (client) => {
      const selected: R[] = [];
      try {
        const source = client.readStream(streamName, {
          fromRevision: read.from === 'end' ? END : read.from,
          direction: read.backwards ? BACKWARDS : FORWARDS,
          maxCount: read.maxCount,
        });
        await consumeWithinDeadline(source, connection.deadlineMs, what, (resolved) => {
          if (resolved.event === undefined) return;
          const item = select(resolved.event as ClientRecordedEvent);
          if (item !== undefined) selected.push(item);
        });
      } catch (error) {
        if (isMissingStream(error)) return [];
        throw error;
      }
      return selected;
    },
    (error) =>
      new PersistenceError(`Failed to read stream '${streamName}': ${describeError(error)}`, {
        cause: error,
      }),
  );
}

/** The newest event of a stream, `undefined` when it has none. */
export async function readLastEvent(
  connection: KurrentDBConnection,
  streamName: string,
): Promise<ClientRecordedEvent | undefined> {
  const [last] = await readStreamEvents(connection, streamName, {
    backwards: true,
    from: 'end',
    maxCount: 1,
  });
  return last;
}
