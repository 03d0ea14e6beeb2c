/**
 * Stream metadata (protocol doc §2.6, §4.6): `setStreamMetadata`/`getStreamMetadata` round
 * trips, the metastream `$$x` as an ordinary stream with an implicit `$maxCount: 1`, expected
 * revisions on it, and non-JSON metadata events.
 */
import { binaryEvent, jsonEvent, NO_STREAM } from '@kurrent/kurrentdb-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, uniqueStream } from './support/client.js';
import { errorOf, expectWrongExpectedVersion } from './support/errors.js';
import { expectStreamNotFound, readStreamEvents } from './support/events.js';

describe('stream metadata', () => {
  const client = createClient();
  afterAll(() => client.dispose());

  it('round-trips system and custom keys', async () => {
    const stream = uniqueStream();
    const metadata = {
      maxCount: 5,
      maxAge: 3_600,
      truncateBefore: 1,
      cacheControl: 60,
      acl: { readRoles: ['$all'], writeRoles: ['admin'], deleteRoles: ['admin'] },
      label: 'fidelity',
      nested: { list: [1, 2, 3], flag: true },
    };
    const result = await client.setStreamMetadata(stream, metadata);
    expect(result.nextExpectedRevision).toBe(0n);
    const read = await client.getStreamMetadata(stream);
    expect(read.streamName).toBe(stream);
    expect(read.metadata).toEqual(metadata);
  });

  it('stores the renamed $-keys as a JSON $metadata event in $$stream', async () => {
    const stream = uniqueStream();
    await client.setStreamMetadata(stream, { maxCount: 3, truncateBefore: 2, custom: 'v' });
    const [event] = await readStreamEvents(client, `$$${stream}`);
    expect(event?.type).toBe('$metadata');
    expect(event?.isJson).toBe(true);
    expect(event?.streamId).toBe(`$$${stream}`);
    expect(event?.data).toEqual({ $maxCount: 3, $tb: 2, custom: 'v' });
  });

  it('has no metadata for a stream that never had any', async () => {
    const stream = uniqueStream();
    const read = await client.getStreamMetadata(stream);
    expect(read).toEqual({ streamName: stream });
  });

  it('keeps only the latest metadata event visible in $$stream (implicit $maxCount: 1)', async () => {
    const stream = uniqueStream();
    await client.setStreamMetadata(stream, { version: 1 });
    const second = await client.setStreamMetadata(stream, { version: 2 });
    expect(second.nextExpectedRevision).toBe(1n);
    const events = await readStreamEvents(client, `$$${stream}`);
    expect(events.map((e) => e.revision)).toEqual([1n]);
    expect(events[0]?.data).toEqual({ version: 2 });
    const backwards = await readStreamEvents(client, `$$${stream}`, {
      fromRevision: 0n,
      direction: 'forwards',
      maxCount: 10,
    });
    expect(backwards.map((e) => e.revision)).toEqual([1n]);
    expect((await client.getStreamMetadata(stream)).metadata).toEqual({ version: 2 });
  });

  it('applies expected revisions to the metastream', async () => {
    // setStreamMetadata's `expectedRevision` option is ignored by client 1.3.1 (it forwards the
    // options to appendToStream, which reads `streamState`), so the metastream is appended to
    // directly, exactly as setStreamMetadata does.
    const stream = uniqueStream();
    const meta = `$$${stream}`;
    await client.setStreamMetadata(stream, { version: 1 });
    const error = await errorOf(
      client.appendToStream(meta, jsonEvent({ type: '$metadata', data: { version: 2 } }), {
        streamState: NO_STREAM,
      }),
    );
    expectWrongExpectedVersion(error, {
      streamName: meta,
      expectedState: NO_STREAM,
      actualState: 0n,
    });
    const ok = await client.appendToStream(
      meta,
      jsonEvent({ type: '$metadata', data: { version: 2 } }),
      {
        streamState: 0n,
      },
    );
    expect(ok.nextExpectedRevision).toBe(1n);
    expect((await client.getStreamMetadata(stream)).metadata).toEqual({ version: 2 });
  });

  it('ignores a non-JSON latest metadata event', async () => {
    const stream = uniqueStream();
    await client.setStreamMetadata(stream, { version: 1 });
    await client.appendToStream(
      `$$${stream}`,
      binaryEvent({ type: '$metadata', data: Uint8Array.from([1, 2, 3]) }),
    );
    const read = await client.getStreamMetadata(stream);
    expect(read).toEqual({ streamName: stream });
  });

  it('does not make the stream itself exist', async () => {
    const stream = uniqueStream();
    await client.setStreamMetadata(stream, { label: 'only-metadata' });
    await expectStreamNotFound(client, stream);
  });
});
