/**
 * The expected-revision table (protocol doc §4.1; KurrentDB `IndexWriter.CheckCommit`) on both
 * append paths, including the error details the client decodes.
 */
import {
  ANY,
  type AppendStreamState,
  type CurrentStreamState,
  jsonEvent,
  NO_STREAM,
  STREAM_EXISTS,
  StreamDeletedError,
} from '@kurrent/kurrentdb-client';
import { afterAll, describe, expect, it } from 'vitest';
import { APPEND_PATHS } from './support/append-paths.js';
import { createClient } from './support/client.js';
import { errorOf, expectWrongExpectedVersion } from './support/errors.js';
import { readStreamEvents } from './support/events.js';
import { prepareStream, type StreamState } from './support/stream-states.js';

type Outcome =
  | { readonly ok: bigint }
  | { readonly wev: CurrentStreamState }
  | { readonly deleted: true };

interface Row {
  readonly state: StreamState;
  readonly expected: AppendStreamState;
  readonly outcome: Outcome;
}

const rows: Row[] = [
  { state: 'missing', expected: ANY, outcome: { ok: 0n } },
  { state: 'missing', expected: NO_STREAM, outcome: { ok: 0n } },
  { state: 'missing', expected: STREAM_EXISTS, outcome: { wev: NO_STREAM } },
  { state: 'missing', expected: 0n, outcome: { wev: NO_STREAM } },
  { state: 'missing', expected: 3n, outcome: { wev: NO_STREAM } },
  { state: 'existing', expected: ANY, outcome: { ok: 3n } },
  { state: 'existing', expected: NO_STREAM, outcome: { wev: 2n } },
  { state: 'existing', expected: STREAM_EXISTS, outcome: { ok: 3n } },
  { state: 'existing', expected: 2n, outcome: { ok: 3n } },
  { state: 'existing', expected: 1n, outcome: { wev: 2n } },
  { state: 'existing', expected: 5n, outcome: { wev: 2n } },
  { state: 'soft-deleted', expected: ANY, outcome: { ok: 3n } },
  { state: 'soft-deleted', expected: NO_STREAM, outcome: { ok: 3n } },
  { state: 'soft-deleted', expected: STREAM_EXISTS, outcome: { deleted: true } },
  { state: 'soft-deleted', expected: 2n, outcome: { ok: 3n } },
  { state: 'soft-deleted', expected: 1n, outcome: { wev: 2n } },
  { state: 'soft-deleted', expected: 7n, outcome: { wev: 2n } },
  { state: 'tombstoned', expected: ANY, outcome: { deleted: true } },
  { state: 'tombstoned', expected: NO_STREAM, outcome: { deleted: true } },
  { state: 'tombstoned', expected: STREAM_EXISTS, outcome: { deleted: true } },
  { state: 'tombstoned', expected: 2n, outcome: { deleted: true } },
];

function describeOutcome(outcome: Outcome): string {
  if ('ok' in outcome) return `appends at ${outcome.ok}`;
  if ('wev' in outcome) return `wrong expected version (actual ${String(outcome.wev)})`;
  return 'stream deleted';
}

describe.each(APPEND_PATHS)('expected revision through $name', ({ options }) => {
  const client = createClient();
  afterAll(() => client.dispose());

  it.each(rows.map((row) => ({ ...row, label: describeOutcome(row.outcome) })))(
    '$state stream, expected $expected: $label',
    async ({ state, expected, outcome }) => {
      const stream = await prepareStream(client, state);
      const event = jsonEvent({ type: 'Probe', data: {} });
      const attempt = client.appendToStream(stream, event, { ...options, streamState: expected });

      if ('ok' in outcome) {
        const result = await attempt;
        expect(result.success).toBe(true);
        expect(result.nextExpectedRevision).toBe(outcome.ok);
        const events = await readStreamEvents(client, stream);
        expect(events.at(-1)?.id).toBe(event.id);
        expect(events.at(-1)?.revision).toBe(outcome.ok);
        if (state === 'soft-deleted') {
          // undeleted: the old events stay hidden by $tb, the numbering continues
          expect(events.map((e) => e.revision)).toEqual([outcome.ok]);
        }
        return;
      }

      const error = await errorOf(attempt);
      if ('wev' in outcome) {
        expectWrongExpectedVersion(error, {
          streamName: stream,
          expectedState: expected,
          actualState: outcome.wev,
        });
      } else {
        expect(error).toBeInstanceOf(StreamDeletedError);
        expect((error as StreamDeletedError).streamName).toBe(stream);
      }
    },
  );

  it('treats a stream with only metadata as existing for stream_exists', async () => {
    const stream = await prepareStream(client, 'missing');
    await client.setStreamMetadata(stream, { owner: 'fidelity' });
    const result = await client.appendToStream(stream, jsonEvent({ type: 'Probe', data: {} }), {
      ...options,
      streamState: STREAM_EXISTS,
    });
    expect(result.nextExpectedRevision).toBe(0n);
  });

  it('undeleting a soft-deleted stream writes $tb = next revision into its metadata', async () => {
    const stream = await prepareStream(client, 'soft-deleted');
    await client.appendToStream(stream, jsonEvent({ type: 'Probe', data: {} }), options);
    const { metadata } = await client.getStreamMetadata(stream);
    expect(metadata?.truncateBefore).toBe(3);
  });
});
