/**
 * `readStream` (protocol doc §2.3, §3, §4.5, §4.6): directions and boundaries, `maxCount`,
 * missing streams, events hidden by metadata, `created`, custom metadata, JSON and binary data.
 */
import {
  BACKWARDS,
  binaryEvent,
  END,
  FORWARDS,
  jsonEvent,
  START,
  StreamNotFoundError,
} from '@kurrent/kurrentdb-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, uniqueStream } from './support/client.js';
import { iterationErrorOf } from './support/errors.js';
import { idsOf, jsonEvents, readAllEvents, readStreamEvents } from './support/events.js';

describe('readStream', () => {
  const client = createClient();
  const stream = uniqueStream('read');
  const written = jsonEvents(6);
  afterAll(() => client.dispose());

  beforeAll(async () => {
    await client.appendToStream(stream, written);
  });

  const revisions = async (options: Parameters<typeof client.readStream>[1]) =>
    (await readStreamEvents(client, stream, options)).map((e) => e.revision);

  it('reads forwards from the start', async () => {
    const events = await readStreamEvents(client, stream, {
      fromRevision: START,
      direction: FORWARDS,
    });
    expect(events.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    expect(idsOf(events)).toEqual(idsOf(written));
  });

  it('reads forwards from a revision, inclusive', async () => {
    expect(await revisions({ fromRevision: 2n, direction: FORWARDS })).toEqual([2n, 3n, 4n, 5n]);
  });

  it('reads backwards from the end', async () => {
    expect(await revisions({ fromRevision: END, direction: BACKWARDS })).toEqual([
      5n,
      4n,
      3n,
      2n,
      1n,
      0n,
    ]);
  });

  it('reads backwards from a revision, inclusive', async () => {
    expect(await revisions({ fromRevision: 2n, direction: BACKWARDS })).toEqual([2n, 1n, 0n]);
  });

  it('honours maxCount in both directions', async () => {
    expect(await revisions({ fromRevision: START, direction: FORWARDS, maxCount: 2 })).toEqual([
      0n,
      1n,
    ]);
    expect(await revisions({ fromRevision: 3n, direction: FORWARDS, maxCount: 2 })).toEqual([
      3n,
      4n,
    ]);
    expect(await revisions({ fromRevision: END, direction: BACKWARDS, maxCount: 2 })).toEqual([
      5n,
      4n,
    ]);
    expect(await revisions({ fromRevision: 3n, direction: BACKWARDS, maxCount: 10 })).toEqual([
      3n,
      2n,
      1n,
      0n,
    ]);
  });

  it('returns nothing forwards from beyond the end', async () => {
    expect(await revisions({ fromRevision: 100n, direction: FORWARDS })).toEqual([]);
  });

  it('starts at the last event backwards from beyond the end', async () => {
    expect(await revisions({ fromRevision: 100n, direction: BACKWARDS, maxCount: 2 })).toEqual([
      5n,
      4n,
    ]);
  });

  it('fails with StreamNotFoundError for a missing stream', async () => {
    const missing = uniqueStream('missing');
    const error = await iterationErrorOf(client.readStream(missing));
    expect(error).toBeInstanceOf(StreamNotFoundError);
    expect((error as StreamNotFoundError).streamName).toBe(missing);
    const backwards = await iterationErrorOf(
      client.readStream(missing, { fromRevision: END, direction: BACKWARDS }),
    );
    expect(backwards).toBeInstanceOf(StreamNotFoundError);
  });

  it('fills created with the append time (whole seconds through the bridge)', async () => {
    const own = uniqueStream();
    const before = Date.now();
    await client.appendToStream(own, jsonEvents(1));
    const after = Date.now();
    const [event] = await readStreamEvents(client, own);
    const created = event?.created.getTime() ?? 0;
    expect(created).toBeGreaterThanOrEqual(before - 1_000);
    expect(created).toBeLessThanOrEqual(after + 1_000);
  });

  it('round-trips JSON data, binary data and custom metadata', async () => {
    const own = uniqueStream();
    const binaryData = Uint8Array.from([0, 1, 2, 254, 255]);
    const binaryMetadata = Uint8Array.from([0xff, 0x00, 0x10]);
    const events = [
      jsonEvent({
        type: 'JsonObject',
        data: { a: 1, nested: { b: [1, 'two'] } },
        metadata: { trace: 'x1' },
      }),
      jsonEvent({ type: 'JsonArray', data: [1, 2, 3] }),
      jsonEvent({ type: 'JsonString', data: 'just text' }),
      binaryEvent({ type: 'Binary', data: binaryData, metadata: binaryMetadata }),
      binaryEvent({
        type: 'BinaryJsonMeta',
        data: Uint8Array.from([7]),
        metadata: { kind: 'meta' },
      }),
    ];
    await client.appendToStream(own, events);
    const read = await readStreamEvents(client, own);
    expect(read.map((e) => e.type)).toEqual(events.map((e) => e.type));
    expect(read.map((e) => e.isJson)).toEqual([true, true, true, false, false]);
    expect(read[0]?.data).toEqual({ a: 1, nested: { b: [1, 'two'] } });
    expect(read[0]?.metadata).toEqual({ trace: 'x1' });
    expect(read[1]?.data).toEqual([1, 2, 3]);
    expect(read[1]?.metadata).toBeUndefined();
    expect(read[2]?.data).toBe('just text');
    expect(Uint8Array.from(read[3]?.data as Uint8Array)).toEqual(binaryData);
    expect(Uint8Array.from(read[3]?.metadata as Uint8Array)).toEqual(binaryMetadata);
    expect(read[4]?.metadata).toEqual({ kind: 'meta' });
  });

  it('keeps the exact event type strings, including unusual ones', async () => {
    const own = uniqueStream();
    const types = ['with space', 'ünïcödé-型', 'dots.and-dashes_1', '$userTypeWithDollar'];
    await client.appendToStream(
      own,
      types.map((type) => jsonEvent({ type, data: {} })),
    );
    expect((await readStreamEvents(client, own)).map((e) => e.type)).toEqual(types);
  });

  describe('events hidden by stream metadata', () => {
    it('$tb beyond the end gives zero events, not StreamNotFoundError', async () => {
      const own = uniqueStream();
      await client.appendToStream(own, jsonEvents(3));
      await client.setStreamMetadata(own, { truncateBefore: 10 });
      expect(await readStreamEvents(client, own)).toEqual([]);
      expect(
        await readStreamEvents(client, own, { fromRevision: END, direction: BACKWARDS }),
      ).toEqual([]);
    });

    it('$tb hides the events before it', async () => {
      const own = uniqueStream();
      await client.appendToStream(own, jsonEvents(5));
      await client.setStreamMetadata(own, { truncateBefore: 3 });
      expect((await readStreamEvents(client, own)).map((e) => e.revision)).toEqual([3n, 4n]);
    });

    it('$maxCount keeps only the latest events', async () => {
      const own = uniqueStream();
      await client.appendToStream(own, jsonEvents(5));
      await client.setStreamMetadata(own, { maxCount: 2 });
      expect((await readStreamEvents(client, own)).map((e) => e.revision)).toEqual([3n, 4n]);
      expect(
        (await readStreamEvents(client, own, { fromRevision: END, direction: BACKWARDS })).map(
          (e) => e.revision,
        ),
      ).toEqual([4n, 3n]);
    });

    it('$maxAge hides expired events (zero events, not StreamNotFoundError) but not from $all', async () => {
      const own = uniqueStream();
      const written = jsonEvents(2);
      await client.appendToStream(own, written);
      const [first] = await readStreamEvents(client, own);
      const firstPosition = first?.position;
      if (firstPosition === undefined) throw new Error('no position');
      await client.setStreamMetadata(own, { maxAge: 1 });
      await expect
        .poll(async () => (await readStreamEvents(client, own)).length, {
          timeout: 8_000,
          interval: 250,
        })
        .toBe(0);
      const inAll = await readAllEvents(client, { fromPosition: firstPosition, maxCount: 2 });
      expect(idsOf(inAll)).toEqual(idsOf(written));
    });
  });
});
