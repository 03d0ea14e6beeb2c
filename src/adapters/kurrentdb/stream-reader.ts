/**
 * Reads of one stream through the client, with the adapter's deadline and error translation.
 *
 * @module
 */
import { BACKWARDS, END, FORWARDS } from '@kurrent/kurrentdb-client';
import { PersistenceError } from '../../core/errors.js';
import { describeError, isMissingStream } from './client-errors.js';
import { iterateWithinDeadline } from './deadline.js';
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
export async function readStreamEvents(
  connection: KurrentDBConnection,
  streamName: string,
  read: StreamRead,
): Promise<ClientRecordedEvent[]> {
  const lease = connection.lease();
  const events: ClientRecordedEvent[] = [];
  try {
    const source = lease.client.readStream(streamName, {
      fromRevision: read.from === 'end' ? END : read.from,
      direction: read.backwards ? BACKWARDS : FORWARDS,
      maxCount: read.maxCount,
    });
    const what = `Reading stream '${streamName}'`;
    for await (const resolved of iterateWithinDeadline(source, connection.deadlineMs, what)) {
      if (resolved.event) events.push(resolved.event as ClientRecordedEvent);
    }
    return events;
  } catch (error) {
    if (isMissingStream(error)) return [];
    connection.reportFailure(lease, error);
    throw new PersistenceError(`Failed to read stream '${streamName}': ${describeError(error)}`, {
      cause: error,
    });
  }
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
