/**
 * Appends of zero events (protocol doc §4.3; KurrentDB `StorageWriterService` writes an empty,
 * non-event record): expected-revision check, result, no trace in the stream or `$all`,
 * undelete of a soft-deleted stream.
 */
import { ANY, NO_STREAM, STREAM_EXISTS } from '@kurrent/kurrentdb-client';
import { afterAll, describe, expect, it } from 'vitest';
import { APPEND_PATHS } from './support/append-paths.js';
import { createClient } from './support/client.js';
import { errorOf, expectWrongExpectedVersion } from './support/errors.js';
import {
  appendMarker,
  expectStreamNotFound,
  positionOf,
  readAllBetween,
  readStreamEvents,
} from './support/events.js';
import { prepareStream } from './support/stream-states.js';

describe.each(APPEND_PATHS)('empty append through $name', ({ options }) => {
  const client = createClient();
  afterAll(() => client.dispose());

  it.each([ANY, NO_STREAM] as const)(
    'to a missing stream with %s succeeds, reports revision 0 and leaves no trace',
    async (expected) => {
      const stream = await prepareStream(client, 'missing');
      const before = await appendMarker(client);
      const result = await client.appendToStream(stream, [], { ...options, streamState: expected });
      expect(result.success).toBe(true);
      expect(result.nextExpectedRevision).toBe(0n);
      const position = positionOf(result);
      expect(position.commit).toBeGreaterThan(before.commit);
      const after = await appendMarker(client);

      await expectStreamNotFound(client, stream);
      const between = await readAllBetween(client, before, after);
      expect(between.filter((e) => e.streamId === stream)).toEqual([]);
      expect(between.filter((e) => e.position.commit === position.commit)).toEqual([]);
    },
  );

  it('to an existing stream reports its current revision and adds nothing', async () => {
    const stream = await prepareStream(client, 'existing');
    const [last] = await readStreamEvents(client, stream, { fromRevision: 2n, maxCount: 1 });
    for (const expected of [ANY, STREAM_EXISTS, 2n] as const) {
      const result = await client.appendToStream(stream, [], { ...options, streamState: expected });
      expect(result.nextExpectedRevision).toBe(2n);
      expect(positionOf(result).commit).toBeGreaterThan(last?.position?.commit ?? 0n);
    }
    expect(await readStreamEvents(client, stream)).toHaveLength(3);
  });

  it.each([
    { state: 'existing', expected: NO_STREAM, actual: 2n },
    { state: 'existing', expected: 5n, actual: 2n },
    { state: 'existing', expected: 1n, actual: 2n },
    { state: 'missing', expected: STREAM_EXISTS, actual: NO_STREAM },
    { state: 'missing', expected: 0n, actual: NO_STREAM },
  ] as const)(
    'to a $state stream with expected $expected: wrong expected version',
    async ({ state, expected, actual }) => {
      const stream = await prepareStream(client, state);
      const error = await errorOf(
        client.appendToStream(stream, [], { ...options, streamState: expected }),
      );
      expectWrongExpectedVersion(error, {
        streamName: stream,
        expectedState: expected,
        actualState: actual,
      });
    },
  );

  it('to a soft-deleted stream undeletes it: no events, not "not found", $tb = next revision', async () => {
    const stream = await prepareStream(client, 'soft-deleted');
    const result = await client.appendToStream(stream, [], options);
    expect(result.nextExpectedRevision).toBe(2n);
    expect(await readStreamEvents(client, stream)).toEqual([]);
    const { metadata } = await client.getStreamMetadata(stream);
    expect(metadata?.truncateBefore).toBe(3);
  });
});
