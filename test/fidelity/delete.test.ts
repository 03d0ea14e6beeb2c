/**
 * `deleteStream` — soft delete (protocol doc §2.7, §4.5; KurrentDB `StorageWriterService`
 * soft-delete branch and `Streams.Delete`): expected-revision check, `$tb` metadata that
 * replaces the other keys, reads afterwards, events kept in `$all`, errors from trailers.
 */
import {
  ANY,
  jsonEvent,
  NO_STREAM,
  StreamDeletedError,
  StreamNotFoundError,
} from '@kurrent/kurrentdb-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, uniqueStream } from './support/client.js';
import { errorOf, expectWrongExpectedVersion, iterationErrorOf } from './support/errors.js';
import {
  expectStreamNotFound,
  idsOf,
  jsonEvents,
  readAllEvents,
  readStreamEvents,
} from './support/events.js';
import { prepareStream } from './support/stream-states.js';

const DELETED_TB = Number(2n ** 63n - 1n);

describe('deleteStream', () => {
  const client = createClient();
  afterAll(() => client.dispose());

  it('soft-deletes: the stream reads as not found, its old events stay in $all', async () => {
    const stream = uniqueStream();
    const written = jsonEvents(3);
    await client.appendToStream(stream, written);
    const [first] = await readStreamEvents(client, stream);
    const result = await client.deleteStream(stream);
    expect(result.position).toBeDefined();

    const error = await iterationErrorOf(client.readStream(stream));
    expect(error).toBeInstanceOf(StreamNotFoundError);
    expect((error as StreamNotFoundError).streamName).toBe(stream);

    const inAll = await readAllEvents(client, {
      fromPosition: first?.position ?? { commit: 0n, prepare: 0n },
      maxCount: 3,
    });
    expect(idsOf(inAll)).toEqual(idsOf(written));
  });

  it('writes {"$tb": 2^63-1} as the latest $$ event, replacing other metadata keys, at the reported position', async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, jsonEvents(2));
    await client.setStreamMetadata(stream, { maxCount: 10, owner: 'fidelity' });
    const result = await client.deleteStream(stream);

    const [metaEvent] = await readStreamEvents(client, `$$${stream}`);
    expect(metaEvent?.type).toBe('$metadata');
    expect(metaEvent?.isJson).toBe(true);
    expect(metaEvent?.data).toEqual({ $tb: DELETED_TB });
    expect(metaEvent?.position).toEqual(result.position);

    const { metadata } = await client.getStreamMetadata(stream);
    expect(metadata).toEqual({ truncateBefore: DELETED_TB });
  });

  it('checks an exact expected revision', async () => {
    const stream = await prepareStream(client, 'existing');
    const error = await errorOf(client.deleteStream(stream, { expectedRevision: 5n }));
    expectWrongExpectedVersion(error, { streamName: stream, expectedState: 5n, actualState: 2n });
    expect(await client.deleteStream(stream, { expectedRevision: 2n })).toHaveProperty('position');
  });

  it('rejects no_stream on an existing stream (trailer values: -1 expected, current actual)', async () => {
    const stream = await prepareStream(client, 'existing');
    const error = await errorOf(client.deleteStream(stream, { expectedRevision: NO_STREAM }));
    expectWrongExpectedVersion(error, { expectedState: -1n, actualState: 2n });
  });

  it('fails with wrong expected version on a stream that never existed, even with any', async () => {
    for (const expectedRevision of [ANY, NO_STREAM] as const) {
      const stream = uniqueStream();
      const error = await errorOf(client.deleteStream(stream, { expectedRevision }));
      expectWrongExpectedVersion(error, {
        streamName: stream,
        expectedState: expectedRevision === ANY ? -2n : -1n,
        actualState: -1n,
      });
    }
  });

  it('succeeds with no_stream on a stream that only has metadata', async () => {
    const stream = uniqueStream();
    await client.setStreamMetadata(stream, { owner: 'fidelity' });
    const result = await client.deleteStream(stream, { expectedRevision: NO_STREAM });
    expect(result.position).toBeDefined();
  });

  it('can soft-delete a soft-deleted stream again', async () => {
    const stream = await prepareStream(client, 'soft-deleted');
    const again = await client.deleteStream(stream);
    expect(again.position).toBeDefined();
    await expectStreamNotFound(client, stream);
  });

  it('continues the revisions after a soft delete when appended to again', async () => {
    const stream = await prepareStream(client, 'soft-deleted');
    const result = await client.appendToStream(stream, jsonEvent({ type: 'Again', data: {} }));
    expect(result.nextExpectedRevision).toBe(3n);
    expect((await readStreamEvents(client, stream)).map((e) => e.revision)).toEqual([3n]);
  });

  it('fails with StreamDeletedError on a tombstoned stream', async () => {
    const stream = await prepareStream(client, 'tombstoned');
    const error = await errorOf(client.deleteStream(stream));
    expect(error).toBeInstanceOf(StreamDeletedError);
    expect((error as StreamDeletedError).streamName).toBe(stream);
  });
});
