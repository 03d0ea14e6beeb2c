/**
 * `tombstoneStream` — hard delete (protocol doc §2.7, §4.5; KurrentDB `StorageWriterService`
 * hard-delete branch): the `$streamDeleted` record at revision 2^63-1 in the stream itself, and
 * StreamDeleted from every later operation on the stream and its metastream.
 */
import { ANY, jsonEvent, NO_STREAM, StreamDeletedError } from '@kurrent/kurrentdb-client';
import { afterAll, describe, expect, it } from 'vitest';
import { APPEND_PATHS } from './support/append-paths.js';
import { createClient, uniqueStream } from './support/client.js';
import { errorOf, expectWrongExpectedVersion, iterationErrorOf } from './support/errors.js';
import { readAllEvents } from './support/events.js';
import { prepareStream } from './support/stream-states.js';

const TOMBSTONE_REVISION = 2n ** 63n - 1n;

function expectDeleted(error: unknown, stream: string): void {
  expect(error).toBeInstanceOf(StreamDeletedError);
  expect((error as StreamDeletedError).streamName).toBe(stream);
}

describe('tombstoneStream', () => {
  const client = createClient();
  afterAll(() => client.dispose());

  it('writes a $streamDeleted record into the stream, visible in $all at the reported position', async () => {
    const stream = await prepareStream(client, 'existing');
    const result = await client.tombstoneStream(stream);
    const position = result.position;
    if (position === undefined) throw new Error('tombstone without position');
    const [record] = await readAllEvents(client, { fromPosition: position, maxCount: 1 });
    expect(record?.streamId).toBe(stream);
    expect(record?.type).toBe('$streamDeleted');
    expect(record?.revision).toBe(TOMBSTONE_REVISION);
    expect(record?.isJson).toBe(false);
    expect(Buffer.from(record?.data as Uint8Array).length).toBe(0);
    expect(record?.position).toEqual(position);
  });

  it('makes reads of the stream and of its metastream fail with StreamDeletedError', async () => {
    const stream = await prepareStream(client, 'tombstoned');
    expectDeleted(await iterationErrorOf(client.readStream(stream)), stream);
    expect(await iterationErrorOf(client.readStream(`$$${stream}`))).toBeInstanceOf(
      StreamDeletedError,
    );
    expectDeleted(await errorOf(client.getStreamMetadata(stream)), `$$${stream}`);
  });

  it.each(APPEND_PATHS)(
    'rejects appends through $name, also to the metastream',
    async ({ options }) => {
      const stream = await prepareStream(client, 'tombstoned');
      expectDeleted(
        await errorOf(
          client.appendToStream(stream, jsonEvent({ type: 'Late', data: {} }), options),
        ),
        stream,
      );
      expectDeleted(
        await errorOf(
          client.appendToStream(`$$${stream}`, jsonEvent({ type: '$metadata', data: {} }), options),
        ),
        `$$${stream}`,
      );
    },
  );

  it('rejects deleteStream, tombstoneStream and setStreamMetadata afterwards', async () => {
    const stream = await prepareStream(client, 'tombstoned');
    expectDeleted(await errorOf(client.deleteStream(stream)), stream);
    expectDeleted(await errorOf(client.tombstoneStream(stream)), stream);
    expectDeleted(await errorOf(client.setStreamMetadata(stream, { maxCount: 1 })), `$$${stream}`);
  });

  it.each([NO_STREAM, ANY] as const)(
    'tombstones a never-written stream with %s',
    async (expectedRevision) => {
      const stream = uniqueStream();
      const result = await client.tombstoneStream(stream, { expectedRevision });
      expect(result.position).toBeDefined();
      expectDeleted(await iterationErrorOf(client.readStream(stream)), stream);
    },
  );

  it('checks an exact expected revision', async () => {
    const stream = await prepareStream(client, 'existing');
    const error = await errorOf(client.tombstoneStream(stream, { expectedRevision: 5n }));
    expectWrongExpectedVersion(error, { streamName: stream, expectedState: 5n, actualState: 2n });

    const missing = uniqueStream();
    const onMissing = await errorOf(client.tombstoneStream(missing, { expectedRevision: 0n }));
    expectWrongExpectedVersion(onMissing, { actualState: -1n });

    expect((await client.tombstoneStream(stream, { expectedRevision: 2n })).position).toBeDefined();
  });

  it('tombstones a soft-deleted stream', async () => {
    const stream = await prepareStream(client, 'soft-deleted');
    await client.tombstoneStream(stream);
    expectDeleted(await iterationErrorOf(client.readStream(stream)), stream);
  });
});
