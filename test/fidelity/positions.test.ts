/**
 * `$all` positions (protocol doc §3; KurrentDB `AllReader`: commit == prepare == the record's
 * log position): equal halves, strictly increasing, not contiguous, and the append result's
 * position is the last appended event's position.
 */
import type { Position } from '@kurrent/kurrentdb-client';
import { afterAll, describe, expect, it } from 'vitest';
import { APPEND_PATHS } from './support/append-paths.js';
import { createClient, uniqueStream } from './support/client.js';
import { jsonEvents, positionOf, readAllEvents, readStreamEvents } from './support/events.js';
import { SubscriptionRecorder } from './support/subscription-recorder.js';

function definedPositions(events: readonly { position?: Position | undefined }[]): Position[] {
  return events.map((e) => {
    if (e.position === undefined) throw new Error('event without position');
    return e.position;
  });
}

function expectStrictlyIncreasingWithGaps(positions: readonly Position[]): void {
  for (const p of positions) expect(p.commit).toBe(p.prepare);
  for (let i = 1; i < positions.length; i++) {
    const gap = (positions[i]?.commit ?? 0n) - (positions[i - 1]?.commit ?? 0n);
    expect(gap).toBeGreaterThan(1n);
  }
}

describe.each(APPEND_PATHS)('positions through $name', ({ options }) => {
  const client = createClient();
  afterAll(() => client.dispose());

  it('gives every event commit == prepare, strictly increasing and not contiguous', async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, jsonEvents(5), options);
    await client.appendToStream(stream, jsonEvents(3), options);
    const positions = definedPositions(await readStreamEvents(client, stream));
    expect(positions).toHaveLength(8);
    expectStrictlyIncreasingWithGaps(positions);
  });

  it('reports the last appended event position as the append position', async () => {
    const stream = uniqueStream();
    const first = await client.appendToStream(stream, jsonEvents(4), options);
    const second = await client.appendToStream(stream, jsonEvents(1), options);
    const positions = definedPositions(await readStreamEvents(client, stream));
    expect(positionOf(first)).toEqual(positions[3]);
    expect(positionOf(second)).toEqual(positions[4]);
  });

  it('gives the same positions through readStream, readAll and a subscription', async () => {
    const stream = uniqueStream();
    const result = await client.appendToStream(stream, jsonEvents(3), options);
    const fromStream = definedPositions(await readStreamEvents(client, stream));
    const first = fromStream[0];
    if (first === undefined) throw new Error('no events');
    const fromAll = definedPositions(
      await readAllEvents(client, { fromPosition: first, maxCount: 3 }),
    );
    expect(fromAll).toEqual(fromStream);

    const recorder = new SubscriptionRecorder<{ event?: { position?: Position } }>().attach(
      client.subscribeToStream(stream),
    );
    try {
      await recorder.received(3);
      expect(definedPositions(recorder.events.map((e) => e.event ?? {}))).toEqual(fromStream);
    } finally {
      await recorder.stop();
    }
    expect(fromStream[2]).toEqual(result.position);
  });
});
