/**
 * Appends on both wire paths: results, multiplexing of concurrent appends on one client, and
 * BatchAppend requests chunked by `batchAppendSize` (protocol doc §2.1, §3).
 */
import type { Duplex } from 'node:stream';
import { jsonEvent } from '@kurrent/kurrentdb-client';
import streamsGrpc from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_grpc_pb.js';
import type { BatchAppendReq } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb.js';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { APPEND_PATHS } from './support/append-paths.js';
import { createClient, uniqueStream } from './support/client.js';
import { idsOf, jsonEvents, positionOf, readStreamEvents } from './support/events.js';

describe.each(APPEND_PATHS)('append through $name', ({ options }) => {
  const client = createClient();
  afterAll(() => client.dispose());

  it('reports the last revision and the last event position', async () => {
    const stream = uniqueStream();
    const first = await client.appendToStream(stream, jsonEvents(4), options);
    expect(first.success).toBe(true);
    expect(first.nextExpectedRevision).toBe(3n);
    const firstPosition = positionOf(first);
    expect(firstPosition.commit).toBe(firstPosition.prepare);

    const second = await client.appendToStream(stream, jsonEvents(2), options);
    expect(second.nextExpectedRevision).toBe(5n);
    expect(positionOf(second).commit).toBeGreaterThan(firstPosition.commit);

    const events = await readStreamEvents(client, stream);
    expect(events.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    expect(events[3]?.position).toEqual(firstPosition);
    expect(events[5]?.position).toEqual(second.position);
  });

  it('keeps event ids, types and order', async () => {
    const stream = uniqueStream();
    const events = [
      jsonEvent({ type: 'First', data: { n: 1 } }),
      jsonEvent({ type: 'Second', data: { n: 2 } }),
      jsonEvent({ type: 'Third', data: { n: 3 } }),
    ];
    await client.appendToStream(stream, events, options);
    const read = await readStreamEvents(client, stream);
    expect(idsOf(read)).toEqual(idsOf(events));
    expect(read.map((e) => e.type)).toEqual(['First', 'Second', 'Third']);
    expect(read.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(read.every((e) => e.streamId === stream)).toBe(true);
  });

  it('multiplexes many concurrent appends to different streams on one client', async () => {
    const streams = Array.from({ length: 40 }, () => uniqueStream('mux'));
    const results = await Promise.all(
      streams.map((stream, i) => client.appendToStream(stream, jsonEvents((i % 3) + 1), options)),
    );
    results.forEach((result, i) => {
      expect(result.success).toBe(true);
      expect(result.nextExpectedRevision).toBe(BigInt(i % 3));
    });
    const commits = results.map((r) => positionOf(r).commit);
    expect(new Set(commits).size).toBe(commits.length);
    const counts = await Promise.all(
      streams.map(async (s) => (await readStreamEvents(client, s)).length),
    );
    expect(counts).toEqual(streams.map((_, i) => (i % 3) + 1));
  });

  it('serialises concurrent appends to one stream without losing any', async () => {
    const stream = uniqueStream();
    const events = Array.from({ length: 25 }, (_, i) =>
      jsonEvent({ type: 'Concurrent', data: { i } }),
    );
    const results = await Promise.all(events.map((e) => client.appendToStream(stream, e, options)));
    const revisions = results.map((r) => r.nextExpectedRevision).sort((a, b) => (a < b ? -1 : 1));
    expect(revisions).toEqual(Array.from({ length: 25 }, (_, i) => BigInt(i)));
    const read = await readStreamEvents(client, stream);
    expect(read).toHaveLength(25);
    results.forEach((result, i) => {
      const stored = read[Number(result.nextExpectedRevision)];
      expect(stored?.id).toBe(events[i]?.id);
      expect(stored?.position).toEqual(result.position);
    });
  });

  it('appends a large batch (1,000 events) atomically', async () => {
    const stream = uniqueStream();
    const events = jsonEvents(1_000);
    const result = await client.appendToStream(stream, events, options);
    expect(result.nextExpectedRevision).toBe(999n);
    const read = await readStreamEvents(client, stream);
    expect(idsOf(read)).toEqual(idsOf(events));
    for (let i = 1; i < read.length; i++) {
      expect(read[i]?.position?.commit ?? 0n).toBeGreaterThan(read[i - 1]?.position?.commit ?? 0n);
    }
  });
});

/** What this file needs of the client's protected stream creator. */
type StreamCreator = (
  client: unknown,
  name: string,
  creator: () => never,
  cache: WeakMap<object, Promise<Duplex>>,
) => () => Promise<Duplex>;

describe('BatchAppend chunking', () => {
  const client = createClient();
  afterAll(() => client.dispose());

  async function batchStream(): Promise<Duplex> {
    const internals = client as unknown as { GRPCStreamCreator: StreamCreator };
    const spy = vi.spyOn(internals, 'GRPCStreamCreator');
    await client.appendToStream(uniqueStream('warmup'), jsonEvents(1));
    const call = spy.mock.calls[0];
    spy.mockRestore();
    if (call === undefined) throw new Error('BatchAppend was not used');
    const [grpcClient, name, , cache] = call;
    expect(grpcClient).toBe(streamsGrpc.StreamsClient);
    return internals.GRPCStreamCreator(
      grpcClient,
      name,
      () => {
        throw new Error('the batch stream should come from the cache');
      },
      cache,
    )();
  }

  it('splits one append into several requests and the server joins them', async () => {
    const stream = uniqueStream();
    const duplex = await batchStream();
    const write = vi.spyOn(duplex, 'write');
    const events = jsonEvents(300);
    const result = await client.appendToStream(stream, events, { batchAppendSize: 1024 });
    const requests = write.mock.calls.map((c) => c[0] as BatchAppendReq);
    write.mockRestore();

    expect(requests.length).toBeGreaterThan(5);
    expect(requests.filter((r) => r.hasOptions())).toHaveLength(1);
    expect(requests.at(-1)?.getIsFinal()).toBe(true);
    expect(requests.slice(0, -1).every((r) => !r.getIsFinal())).toBe(true);

    expect(result.nextExpectedRevision).toBe(299n);
    const read = await readStreamEvents(client, stream);
    expect(idsOf(read)).toEqual(idsOf(events));
    expect(read.at(-1)?.position).toEqual(result.position);
  });

  it('keeps interleaved chunked appends apart by correlation id', async () => {
    const streams = [uniqueStream(), uniqueStream(), uniqueStream()];
    const batches = streams.map(() => jsonEvents(150));
    const results = await Promise.all(
      streams.map((stream, i) =>
        client.appendToStream(stream, batches[i] ?? [], { batchAppendSize: 512 }),
      ),
    );
    for (const [i, stream] of streams.entries()) {
      expect(results[i]?.nextExpectedRevision).toBe(149n);
      const read = await readStreamEvents(client, stream);
      expect(idsOf(read)).toEqual(idsOf(batches[i] ?? []));
    }
  });
});
