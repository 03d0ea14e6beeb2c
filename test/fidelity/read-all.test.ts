/**
 * `readAll` (protocol doc §2.4, §3): boundaries (forwards from P includes P, backwards from P
 * excludes P), `maxCount`, system events in `$all`, and a position that is not an event's.
 */
import {
  BACKWARDS,
  END,
  FORWARDS,
  type KurrentDBClient,
  type Position,
  START,
  UnavailableError,
} from '@kurrent/kurrentdb-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, uniqueStream } from './support/client.js';
import { iterationErrorOf } from './support/errors.js';
import {
  comparePositions,
  idsOf,
  jsonEvents,
  positionOf,
  readAllEvents,
  readStreamEvents,
} from './support/events.js';

/** Appends `count` events in one write (contiguous in `$all`) and returns their positions. */
async function appendContiguous(client: KurrentDBClient, count: number) {
  const stream = uniqueStream('all');
  const events = jsonEvents(count);
  const result = await client.appendToStream(stream, events);
  positionOf(result);
  const stored = await readStreamEvents(client, stream);
  const positions = stored.map((e) => {
    if (e.position === undefined) throw new Error('stream read without positions');
    return e.position;
  });
  return { stream, ids: idsOf(events), positions };
}

describe('readAll', () => {
  const client = createClient();
  let batch: Awaited<ReturnType<typeof appendContiguous>>;
  const at = (i: number): Position => {
    const position = batch.positions[i];
    if (position === undefined) throw new Error(`no position ${i}`);
    return position;
  };
  afterAll(() => client.dispose());

  beforeAll(async () => {
    batch = await appendContiguous(client, 6);
  });

  it('forwards from an event position starts with that event', async () => {
    const events = await readAllEvents(client, {
      fromPosition: at(1),
      direction: FORWARDS,
      maxCount: 5,
    });
    expect(idsOf(events)).toEqual(batch.ids.slice(1));
    expect(events.map((e) => e.position)).toEqual(batch.positions.slice(1));
  });

  it('backwards from an event position starts with the event before it', async () => {
    const events = await readAllEvents(client, {
      fromPosition: at(4),
      direction: BACKWARDS,
      maxCount: 4,
    });
    expect(idsOf(events)).toEqual(batch.ids.slice(0, 4).reverse());
  });

  it('honours maxCount', async () => {
    expect(
      await readAllEvents(client, { fromPosition: at(0), direction: FORWARDS, maxCount: 2 }),
    ).toHaveLength(2);
    expect(
      await readAllEvents(client, { fromPosition: at(5), direction: BACKWARDS, maxCount: 3 }),
    ).toHaveLength(3);
  });

  it('forwards from the start gives ascending positions', async () => {
    const events = await readAllEvents(client, {
      fromPosition: START,
      direction: FORWARDS,
      maxCount: 50,
    });
    expect(events.length).toBeGreaterThan(0);
    for (let i = 1; i < events.length; i++) {
      const [prev, cur] = [events[i - 1], events[i]];
      if (prev && cur) expect(comparePositions(prev.position, cur.position)).toBeLessThan(0);
    }
    expect(events[0]?.position.commit).toBeLessThan(at(0).commit);
  });

  it('backwards from the end starts at or after the latest append', async () => {
    const latest = await appendContiguous(client, 1);
    const events = await readAllEvents(client, {
      fromPosition: END,
      direction: BACKWARDS,
      maxCount: 20,
    });
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]?.position.commit).toBeGreaterThanOrEqual(latest.positions[0]?.commit ?? 0n);
    for (let i = 1; i < events.length; i++) {
      const [prev, cur] = [events[i - 1], events[i]];
      if (prev && cur) expect(comparePositions(prev.position, cur.position)).toBeGreaterThan(0);
    }
  });

  it('holds $-typed system events from the start of the log', async () => {
    const events = await readAllEvents(client, {
      fromPosition: START,
      direction: FORWARDS,
      maxCount: 500,
    });
    expect(events.some((e) => e.type.startsWith('$'))).toBe(true);
  });

  it('returns each event with its stream, revision and matching commit/prepare', async () => {
    const events = await readAllEvents(client, {
      fromPosition: at(0),
      direction: FORWARDS,
      maxCount: 6,
    });
    expect(events.map((e) => e.streamId)).toEqual(Array(6).fill(batch.stream));
    expect(events.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    for (const event of events) expect(event.position.commit).toBe(event.position.prepare);
  });

  it('rejects a position that is not an event position (InvalidPosition → UNKNOWN status → UnavailableError)', async () => {
    // KurrentDB: the reader hits a bad record at P+1 (InvalidReadException) and answers
    // ReadAllResult.InvalidPosition; the unfiltered read enumerator turns that into
    // ReadResponseException.UnknownError → StatusCode.Unknown, which the Rust bridge maps to
    // UnavailableError. P+1 lies inside the first of two contiguous events, so it is below the
    // last indexed position.
    const pair = await appendContiguous(client, 2);
    const p = pair.positions[0];
    if (p === undefined) throw new Error('no position');
    const bogus = { commit: p.commit + 1n, prepare: p.prepare + 1n };
    const error = await iterationErrorOf(
      client.readAll({ fromPosition: bogus, direction: FORWARDS, maxCount: 5 }),
    );
    expect(error).toBeInstanceOf(UnavailableError);

    // the server (and this client, after the bridge reconnects) keep working
    const events = await readAllEvents(client, {
      fromPosition: p,
      direction: FORWARDS,
      maxCount: 2,
    });
    expect(idsOf(events)).toEqual(pair.ids);
  });
});
