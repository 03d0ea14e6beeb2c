/**
 * Idempotent re-appends with the same event ids (protocol doc §4.2; KurrentDB
 * `IndexWriter.CheckCommit`): the weak check for any/stream_exists, the strong check for exact
 * revisions and no_stream, on both append paths.
 */
import {
  ANY,
  type EventData,
  jsonEvent,
  NO_STREAM,
  STREAM_EXISTS,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import { afterAll, describe, expect, it } from 'vitest';
import { APPEND_PATHS } from './support/append-paths.js';
import { createClient, uniqueStream } from './support/client.js';
import { errorOf } from './support/errors.js';
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

  describe('weak check (any, stream_exists)', () => {
    it.each([ANY, STREAM_EXISTS] as const)(
      'a full retry with %s returns the original result and writes nothing',
      async (expected) => {
        const stream = uniqueStream();
        const batch = events(3);
        const original = await client.appendToStream(stream, batch, options);
        const retry = await client.appendToStream(stream, batch, {
          ...options,
          streamState: expected,
        });
        expect(retry.success).toBe(true);
        expect(retry.nextExpectedRevision).toBe(original.nextExpectedRevision);
        expect(retry.position).toEqual(original.position);
        expect(idsOf(await readStreamEvents(client, stream))).toEqual(idsOf(batch));
      },
    );

    it('a retry of a leading part reports the revision and position of its own last event', async () => {
      const stream = uniqueStream();
      const batch = events(4);
      await client.appendToStream(stream, batch, options);
      const stored = await readStreamEvents(client, stream);
      const retry = await client.appendToStream(stream, pick(batch, 0, 1), options);
      expect(retry.nextExpectedRevision).toBe(1n);
      expect(retry.position).toEqual(stored[1]?.position);
      expect(await readStreamEvents(client, stream)).toHaveLength(4);
    });

    it('a retry starting mid-batch is idempotent too', async () => {
      const stream = uniqueStream();
      const batch = events(4);
      await client.appendToStream(stream, batch, options);
      const stored = await readStreamEvents(client, stream);
      const retry = await client.appendToStream(stream, pick(batch, 2, 3), options);
      expect(retry.nextExpectedRevision).toBe(3n);
      expect(retry.position).toEqual(stored[3]?.position);
      expect(await readStreamEvents(client, stream)).toHaveLength(4);
    });

    it('first id known, a later one new: wrong expected version', async () => {
      const stream = uniqueStream();
      const batch = events(3);
      await client.appendToStream(stream, batch, options);
      const [fresh] = events(1);
      const error = await errorOf(
        client.appendToStream(stream, [...pick(batch, 0), ...(fresh ? [fresh] : [])], options),
      );
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      const wev = error as WrongExpectedVersionError;
      expect(wev.streamName).toBe(stream);
      expect(wev.expectedState).toBe(ANY);
      expect(wev.actualState).toBe(2n);
      expect(await readStreamEvents(client, stream)).toHaveLength(3);
    });

    it('first id new: the whole batch is appended again, duplicates included', async () => {
      const stream = uniqueStream();
      const batch = events(3);
      await client.appendToStream(stream, batch, options);
      const [fresh] = events(1);
      if (fresh === undefined) throw new Error('no event');
      const result = await client.appendToStream(stream, [fresh, ...pick(batch, 0)], options);
      expect(result.nextExpectedRevision).toBe(4n);
      const ids = idsOf(await readStreamEvents(client, stream));
      expect(ids).toEqual([...idsOf(batch), fresh.id, batch[0]?.id]);
    });
  });

  describe('strong check (exact revision, no_stream)', () => {
    it('no_stream retry of the first write returns the original result', async () => {
      const stream = uniqueStream();
      const batch = events(3);
      const original = await client.appendToStream(stream, batch, {
        ...options,
        streamState: NO_STREAM,
      });
      const retry = await client.appendToStream(stream, batch, {
        ...options,
        streamState: NO_STREAM,
      });
      expect(retry.nextExpectedRevision).toBe(2n);
      expect(retry.position).toEqual(original.position);
      expect(await readStreamEvents(client, stream)).toHaveLength(3);
    });

    it('exact-revision retries compare the events after that revision', async () => {
      const stream = uniqueStream();
      const first = events(3);
      const second = events(2);
      await client.appendToStream(stream, first, options);
      const original = await client.appendToStream(stream, second, { ...options, streamState: 2n });
      expect(original.nextExpectedRevision).toBe(4n);
      const stored = await readStreamEvents(client, stream);

      const full = await client.appendToStream(stream, second, { ...options, streamState: 2n });
      expect(full.nextExpectedRevision).toBe(4n);
      expect(full.position).toEqual(original.position);

      const part = await client.appendToStream(stream, pick(second, 0), {
        ...options,
        streamState: 2n,
      });
      expect(part.nextExpectedRevision).toBe(3n);
      expect(part.position).toEqual(stored[3]?.position);

      expect(await readStreamEvents(client, stream)).toHaveLength(5);
    });

    it('first event matches, a later one differs: wrong expected version', async () => {
      const stream = uniqueStream();
      const first = events(3);
      const second = events(2);
      await client.appendToStream(stream, first, options);
      await client.appendToStream(stream, second, { ...options, streamState: 2n });
      const [other] = events(1);
      const error = await errorOf(
        client.appendToStream(stream, [...pick(second, 0), ...(other ? [other] : [])], {
          ...options,
          streamState: 2n,
        }),
      );
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect((error as WrongExpectedVersionError).expectedState).toBe(2n);
      expect((error as WrongExpectedVersionError).actualState).toBe(4n);
    });

    it('first event differs: wrong expected version', async () => {
      const stream = uniqueStream();
      await client.appendToStream(stream, events(5), options);
      const error = await errorOf(
        client.appendToStream(stream, events(1), { ...options, streamState: 2n }),
      );
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect((error as WrongExpectedVersionError).actualState).toBe(4n);
    });

    it('no_stream on an existing stream with a different first id: wrong expected version', async () => {
      const stream = uniqueStream();
      await client.appendToStream(stream, events(3), options);
      const error = await errorOf(
        client.appendToStream(stream, events(3), { ...options, streamState: NO_STREAM }),
      );
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect((error as WrongExpectedVersionError).expectedState).toBe(NO_STREAM);
      expect((error as WrongExpectedVersionError).actualState).toBe(2n);
    });

    it('expected == current always appends, even with known ids', async () => {
      const stream = uniqueStream();
      const batch = events(3);
      await client.appendToStream(stream, batch, options);
      const again = await client.appendToStream(stream, pick(batch, 2), {
        ...options,
        streamState: 2n,
      });
      expect(again.nextExpectedRevision).toBe(3n);
      const ids = idsOf(await readStreamEvents(client, stream));
      expect(ids).toEqual([...idsOf(batch), batch[2]?.id]);
    });
  });
});
