/**
 * Checkpoints of filtered `$all` subscriptions (protocol doc §2.5 step 3, §4.9; KurrentDB
 * `Enumerator.AllSubscriptionFiltered` and `SubscriptionsService.ProcessEventCommitted`).
 *
 * Interval = checkpointIntervalMultiplier × maxSearchWindow (default window 32). Other tests
 * append concurrently, so instead of counting checkpoints of a quiet node (the official test
 * expects 6–7), this checks what holds on a busy one too: a checkpoint ends the catch-up, and
 * between consecutive live checkpoints lie exactly `interval` `$all` events.
 */
import {
  type AllStreamResolvedEvent,
  excludeSystemEvents,
  type Filter,
  type KurrentDBClient,
  type Position,
  streamNameFilter,
} from '@kurrent/kurrentdb-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, uniqueStream } from './support/client.js';
import { appendMarker, comparePositions, jsonEvents, readAllBetween } from './support/events.js';
import { SubscriptionRecorder } from './support/subscription-recorder.js';

/** Number of `$all` events in (from, to]. */
async function eventsBetween(
  client: KurrentDBClient,
  from: Position,
  to: Position,
): Promise<number> {
  const events = await readAllBetween(client, from, to);
  return events.filter((e) => e.position.commit > from.commit).length;
}

function liveCheckpoints(recorder: SubscriptionRecorder<AllStreamResolvedEvent>): Position[] {
  const caughtUpAt = recorder.signals.findIndex((s) => s.kind === 'caughtUp');
  return recorder.signals
    .slice(caughtUpAt + 1)
    .flatMap((s) => (s.kind === 'checkpoint' ? [s.position] : []));
}

/** Waits until the recorder has seen three live checkpoints. */
function threeLiveCheckpoints(recorder: SubscriptionRecorder<AllStreamResolvedEvent>) {
  return recorder.waitFor(
    'three live checkpoints',
    () => liveCheckpoints(recorder).length >= 3,
    10_000,
  );
}

describe('filtered $all checkpoints', () => {
  const client = createClient();
  afterAll(() => client.dispose());

  /** Records a `$all` subscription from `from` with the filter `filterFor` makes around the checkpoint callback. */
  function subscribeFiltered(
    from: Position,
    filterFor: (checkpointReached: (subscription: unknown, position: Position) => void) => Filter,
  ): SubscriptionRecorder<AllStreamResolvedEvent> {
    const recorder = new SubscriptionRecorder<AllStreamResolvedEvent>();
    return recorder.attach(
      client.subscribeToAll({ fromPosition: from, filter: filterFor(recorder.onCheckpoint) }),
    );
  }

  /** Expects exactly `interval` `$all` events between each two consecutive checkpoints of `live`. */
  async function expectEventsBetween(live: readonly Position[], interval: number): Promise<void> {
    for (let i = 1; i < live.length; i++) {
      const [from, to] = [live[i - 1], live[i]];
      if (from && to) expect(await eventsBetween(client, from, to)).toBe(interval);
    }
  }

  it('excludeSystemEvents with checkpointInterval 2 checkpoints every 64 $all events', async () => {
    const stream = uniqueStream('checkpoints');
    const marker = await appendMarker(client);
    await client.appendToStream(stream, jsonEvents(8));

    const recorder = subscribeFiltered(marker, (checkpointReached) =>
      excludeSystemEvents({ checkpointInterval: 2, checkpointReached }),
    );
    try {
      await recorder.caughtUp();
      const signalsBeforeCaughtUp = recorder.signals.slice(
        0,
        recorder.signals.findIndex((s) => s.kind === 'caughtUp'),
      );
      expect(signalsBeforeCaughtUp[0]?.kind).toBe('confirmation');
      const catchUpCheckpoints = signalsBeforeCaughtUp.flatMap((s) =>
        s.kind === 'checkpoint' ? [s.position] : [],
      );
      expect(catchUpCheckpoints.length).toBeGreaterThanOrEqual(1);
      expect(catchUpCheckpoints.at(-1)?.commit).toBeGreaterThanOrEqual(marker.commit);

      for (let i = 0; i < 20; i++) await client.appendToStream(stream, jsonEvents(10));
      const mine = (e: AllStreamResolvedEvent) => e.event?.streamId === stream;
      await recorder.received(208, mine, 20_000);
      await threeLiveCheckpoints(recorder);

      expect(recorder.confirmations).toBe(1);
      expect(recorder.events.filter(mine)).toHaveLength(208);
      expect(recorder.events.filter((e) => e.event?.type.startsWith('$'))).toEqual([]);

      const checkpoints = recorder.checkpoints;
      for (const c of checkpoints) expect(typeof c.commit).toBe('bigint');
      for (let i = 1; i < checkpoints.length; i++) {
        const [previous, current] = [checkpoints[i - 1], checkpoints[i]];
        if (previous && current) expect(comparePositions(previous, current)).toBeLessThan(0);
      }
      // live checkpoints sit on committed events; catch-up ones may be page boundaries
      // (KurrentDB AllReader gives a next-page position with prepare 0)
      const live = liveCheckpoints(recorder);
      for (const c of live) expect(c.commit).toBe(c.prepare);
      await expectEventsBetween(live, 64);
    } finally {
      await recorder.stop();
    }
  });

  it('uses maxSearchWindow as the window: interval = multiplier × maxSearchWindow', async () => {
    const stream = uniqueStream('window');
    const marker = await appendMarker(client);
    const recorder = subscribeFiltered(marker, (checkpointReached) =>
      streamNameFilter({
        prefixes: [stream],
        maxSearchWindow: 10,
        checkpointInterval: 3,
        checkpointReached,
      }),
    );
    try {
      await recorder.caughtUp();
      for (let i = 0; i < 15; i++) await client.appendToStream(stream, jsonEvents(10));
      await recorder.received(150, () => true, 20_000);
      await threeLiveCheckpoints(recorder);
      await expectEventsBetween(liveCheckpoints(recorder), 30);
    } finally {
      await recorder.stop();
    }
  });

  it('checkpoints during a long catch-up, at most one interval of considered events apart', async () => {
    const stream = uniqueStream('catchup');
    const marker = await appendMarker(client);
    await client.appendToStream(stream, jsonEvents(200));
    // matches nothing, so every checkpoint comes from counting considered events
    const recorder = subscribeFiltered(marker, (checkpointReached) =>
      streamNameFilter({
        prefixes: [`${stream}-nothing`],
        checkpointInterval: 1,
        checkpointReached,
      }),
    );
    try {
      await recorder.caughtUp();
      const checkpoints = recorder.checkpoints;
      // 200 considered events with an interval of 32: several catch-up checkpoints plus the final one
      expect(checkpoints.length).toBeGreaterThanOrEqual(3);
      expect(recorder.events).toEqual([]);
      for (const c of checkpoints) expect(c.commit).toBeGreaterThanOrEqual(marker.commit);
    } finally {
      await recorder.stop();
    }
  });
});
