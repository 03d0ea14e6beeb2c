/**
 * Idempotent re-appends with the same event ids (protocol doc §4.2; KurrentDB
 * `IndexWriter.CheckCommit`): the weak check for any/stream_exists, the strong check for exact
 * revisions and no_stream, on both append paths.
 */
import {
  ANY,
  type AppendToStreamOptions,
  type EventData,
  jsonEvent,
  NO_STREAM,
  STREAM_EXISTS,
} from '@kurrent/kurrentdb-client';
import { afterAll, describe, expect, it } from 'vitest';
import { APPEND_PATHS } from './support/append-paths.js';
import { createClient, uniqueStream } from './support/client.js';
import { errorOf, expectWrongExpectedVersion } from './support/errors.js';
import { idsOf, readStreamEvents } from './support/events.js';

function events(count: number): EventData[] {
  return Array.from({ length: count }, (_, i) => jsonEvent({ type: 'Idem', data: { i } }));
}

function pick(all: readonly EventData[], ...indexes: number[]): EventData[] {
  return indexes.map((i) => {
    const event = all[i];
    if (event === undefined) throw new Error(`no event ${i}`);
    return event;
  });
}

describe.each(APPEND_PATHS)('idempotent appends through $name', ({ options }) => {
  const client = createClient();
  afterAll(() => client.dispose());

  /** Appends `batch` to `stream` on this path, with `streamState` when given. */
  const append = (
    stream: string,
    batch: EventData[],
    streamState?: AppendToStreamOptions['streamState'],
  ) =>
    client.appendToStream(
      stream,
      batch,
      streamState === undefined ? options : { ...options, streamState },
    );

  describe('weak check (any, stream_exists)', () => {
    it.each([ANY, STREAM_EXISTS] as const)(
      'a full retry with %s returns the original result and writes nothing',
      async (expected) => {
        const stream = uniqueStream();
        const batch = events(3);
        const original = await append(stream, batch);
        const retry = await append(stream, batch, expected);
        expect(retry.success).toBe(true);
        expect(retry.nextExpectedRevision).toBe(original.nextExpectedRevision);
        expect(retry.position).toEqual(original.position);
        expect(idsOf(await readStreamEvents(client, stream))).toEqual(idsOf(batch));
      },
    );

    for (const { name, retried, last } of [
      {
        name: 'a retry of a leading part reports the revision and position of its own last event',
        retried: [0, 1],
        last: 1,
      },
      { name: 'a retry starting mid-batch is idempotent too', retried: [2, 3], last: 3 },
    ]) {
      it(name, async () => {
        const stream = uniqueStream();
        const batch = events(4);
        await append(stream, batch);
        const stored = await readStreamEvents(client, stream);
        const retry = await append(stream, pick(batch, ...retried));
        expect(retry.nextExpectedRevision).toBe(BigInt(last));
        expect(retry.position).toEqual(stored[last]?.position);
        expect(await readStreamEvents(client, stream)).toHaveLength(4);
      });
    }

    it('first id known, a later one new: wrong expected version', async () => {
      const stream = uniqueStream();
      const batch = events(3);
      await append(stream, batch);
      const error = await errorOf(append(stream, [...pick(batch, 0), ...events(1)]));
      expectWrongExpectedVersion(error, {
        streamName: stream,
        expectedState: ANY,
        actualState: 2n,
      });
      expect(await readStreamEvents(client, stream)).toHaveLength(3);
    });

    it('first id new: the whole batch is appended again, duplicates included', async () => {
      const stream = uniqueStream();
      const batch = events(3);
      await append(stream, batch);
      const [fresh] = events(1);
      if (fresh === undefined) throw new Error('no event');
      const result = await append(stream, [fresh, ...pick(batch, 0)]);
      expect(result.nextExpectedRevision).toBe(4n);
      const ids = idsOf(await readStreamEvents(client, stream));
      expect(ids).toEqual([...idsOf(batch), fresh.id, batch[0]?.id]);
    });
  });

  describe('strong check (exact revision, no_stream)', () => {
    it('no_stream retry of the first write returns the original result', async () => {
      const stream = uniqueStream();
      const batch = events(3);
      const original = await append(stream, batch, NO_STREAM);
      const retry = await append(stream, batch, NO_STREAM);
      expect(retry.nextExpectedRevision).toBe(2n);
      expect(retry.position).toEqual(original.position);
      expect(await readStreamEvents(client, stream)).toHaveLength(3);
    });

    it('exact-revision retries compare the events after that revision', async () => {
      const stream = uniqueStream();
      const first = events(3);
      const second = events(2);
      await append(stream, first);
      const original = await append(stream, second, 2n);
      expect(original.nextExpectedRevision).toBe(4n);
      const stored = await readStreamEvents(client, stream);

      const full = await append(stream, second, 2n);
      expect(full.nextExpectedRevision).toBe(4n);
      expect(full.position).toEqual(original.position);

      const part = await append(stream, pick(second, 0), 2n);
      expect(part.nextExpectedRevision).toBe(3n);
      expect(part.position).toEqual(stored[3]?.position);

      expect(await readStreamEvents(client, stream)).toHaveLength(5);
    });

    it('first event matches, a later one differs: wrong expected version', async () => {
      const stream = uniqueStream();
      await append(stream, events(3));
      const second = events(2);
      await append(stream, second, 2n);
      const error = await errorOf(append(stream, [...pick(second, 0), ...events(1)], 2n));
      expectWrongExpectedVersion(error, { expectedState: 2n, actualState: 4n });
    });

    it('first event differs: wrong expected version', async () => {
      const stream = uniqueStream();
      await append(stream, events(5));
      const error = await errorOf(append(stream, events(1), 2n));
      expectWrongExpectedVersion(error, { actualState: 4n });
    });

    it('no_stream on an existing stream with a different first id: wrong expected version', async () => {
      const stream = uniqueStream();
      await append(stream, events(3));
      const error = await errorOf(append(stream, events(3), NO_STREAM));
      expectWrongExpectedVersion(error, { expectedState: NO_STREAM, actualState: 2n });
    });

    it('expected == current always appends, even with known ids', async () => {
      const stream = uniqueStream();
      const batch = events(3);
      await append(stream, batch);
      const again = await append(stream, pick(batch, 2), 2n);
      expect(again.nextExpectedRevision).toBe(3n);
      const ids = idsOf(await readStreamEvents(client, stream));
      expect(ids).toEqual([...idsOf(batch), batch[2]?.id]);
    });
  });
});
