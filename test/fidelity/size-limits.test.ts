/**
 * Size limits (protocol doc §4.4; KurrentDB 25.1: `MaxAppendEventSize` 16 MiB per event, gRPC
 * `MaxReceiveMessageSize` = 16 MiB minus record overhead, `MaxAppendSize` 256 MiB).
 *
 * A 17 MiB event is rejected. The real server answers RESOURCE_EXHAUSTED (message too large) or
 * `maximum-append-event-size-exceeded`; the client maps both to `UnknownError`, so that is what
 * is asserted, plus "nothing was written" and "the client still works".
 */
import { binaryEvent, type KurrentDBClient, UnknownError } from '@kurrent/kurrentdb-client';
import { afterAll, describe, expect, it } from 'vitest';
import { APPEND_PATHS } from './support/append-paths.js';
import { createClient, uniqueStream } from './support/client.js';
import { errorOf } from './support/errors.js';
import { expectStreamNotFound, jsonEvents, readStreamEvents } from './support/events.js';

const MiB = 1024 * 1024;

function bytes(size: number, fill: number): Uint8Array {
  return new Uint8Array(size).fill(fill);
}

async function readSizes(client: KurrentDBClient, stream: string): Promise<number[]> {
  const events = await readStreamEvents(client, stream);
  return events.map((e) => (e.data as Uint8Array).length);
}

describe.each(APPEND_PATHS)('size limits through $name', ({ options }) => {
  const client = createClient();
  afterAll(() => client.dispose());

  it('rejects a 17 MiB event, writes nothing, and the client keeps working', async () => {
    const stream = uniqueStream();
    const error = await errorOf(
      client.appendToStream(
        stream,
        binaryEvent({ type: 'Huge', data: bytes(17 * MiB, 1) }),
        options,
      ),
    );
    expect(error).toBeInstanceOf(UnknownError);
    await expectStreamNotFound(client, stream);

    const after = await client.appendToStream(stream, jsonEvents(1), options);
    expect(after.nextExpectedRevision).toBe(0n);
  });

  for (const { mib, why, fill } of [
    { mib: 1.5, why: 'above the 1 MiB MaxAppendSize of servers before 25.1', fill: 2 },
    { mib: 15, why: 'just under the 16 MiB event limit', fill: 4 },
  ]) {
    it(`accepts a ${mib} MiB event (${why})`, async () => {
      const stream = uniqueStream();
      await client.appendToStream(
        stream,
        binaryEvent({ type: 'Big', data: bytes(mib * MiB, fill) }),
        options,
      );
      expect(await readSizes(client, stream)).toEqual([mib * MiB]);
    });
  }

  it('accepts a 5 MiB event (one gRPC message above the 4 MiB gRPC default)', async () => {
    const stream = uniqueStream();
    const data = bytes(5 * MiB, 3);
    data[0] = 42;
    data[data.length - 1] = 43;
    await client.appendToStream(stream, binaryEvent({ type: 'Big', data }), options);
    const [event] = await readStreamEvents(client, stream);
    const stored = event?.data as Uint8Array;
    expect(stored.length).toBe(5 * MiB);
    expect(stored[0]).toBe(42);
    expect(stored[stored.length - 1]).toBe(43);
  });

  it('accepts one append of 12 events of 1 MiB', async () => {
    const stream = uniqueStream();
    const events = Array.from({ length: 12 }, (_, i) =>
      binaryEvent({ type: 'Chunk', data: bytes(MiB, i) }),
    );
    const result = await client.appendToStream(stream, events, options);
    expect(result.nextExpectedRevision).toBe(11n);
    expect(await readSizes(client, stream)).toEqual(Array.from({ length: 12 }, () => MiB));
  });
});
