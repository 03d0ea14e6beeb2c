/**
 * `subscribeToAll` without a filter (protocol doc §2.5, §4.8; KurrentDB
 * `Enumerator.AllSubscription`): confirmation, catch-up exclusive of the start position,
 * caught-up with its position, live events with no gaps or duplicates across the hand-off,
 * exact message order on the wire, and a start position that is not an event's.
 */
import {
  type AllStreamResolvedEvent,
  END,
  type KurrentDBClient,
  type Position,
  START,
  UnknownError,
} from '@kurrent/kurrentdb-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, uniqueStream } from './support/client.js';
import {
  appendMarker,
  idsOf,
  jsonEvents,
  positionOf,
  readAllBetween,
  readStreamEvents,
} from './support/events.js';
import {
  grpc,
  type ReadResp,
  rawRead,
  rawStreamsClient,
  readOptions,
  streamsPb,
} from './support/raw-grpc.js';
import { recorderPool } from './support/subscription-recorder.js';

function positionsOf(events: readonly AllStreamResolvedEvent[]): Position[] {
  return events.map((e) => {
    if (e.event === undefined) throw new Error('event-less entry');
    return e.event.position;
  });
}

async function appendContiguous(client: KurrentDBClient, stream: string, count: number) {
  const events = jsonEvents(count);
  await client.appendToStream(stream, events);
  const stored = await readStreamEvents(client, stream);
  return { ids: idsOf(events), positions: stored.slice(-count).map((e) => e.position as Position) };
}

describe('subscribeToAll', () => {
  const client = createClient();
  const recorders = recorderPool<AllStreamResolvedEvent>();
  const subscribe = (options?: Parameters<typeof client.subscribeToAll>[0]) =>
    recorders.record(client.subscribeToAll(options));
  afterAll(async () => {
    await recorders.stopAll();
    await client.dispose();
  });

  it('catches up after the start position (exclusive), reports caught-up, then goes live', async () => {
    const stream = uniqueStream();
    const before = await appendContiguous(client, stream, 4);
    const start = before.positions[0] as Position;
    const recorder = subscribe({ fromPosition: start });
    await recorder.caughtUp();
    expect(recorder.confirmations).toBe(1);
    expect(recorder.signals[0]?.kind).toBe('confirmation');
    expect(recorder.id).toMatch(/.+/);
    const caughtUp = recorder.caughtUps[0];
    expect(caughtUp?.date).toBeInstanceOf(Date);
    expect(caughtUp?.position?.commit).toBeGreaterThanOrEqual(before.positions[3]?.commit ?? 0n);

    const live = jsonEvents(2);
    await client.appendToStream(stream, live);
    const mine = (e: AllStreamResolvedEvent) => e.event?.streamId === stream;
    await recorder.received(5, mine);
    expect(recorder.events[0]?.event?.id).toBe(before.ids[1]);
    expect(idsOf(recorder.events.filter(mine).map((e) => e.event as { id: string }))).toEqual([
      ...before.ids.slice(1),
      ...idsOf(live),
    ]);
    expect(recorder.caughtUps).toHaveLength(1);
  });

  it('from the end skips what was written before and reports a caught-up position', async () => {
    const stream = uniqueStream();
    const old = await client.appendToStream(stream, jsonEvents(1));
    const recorder = subscribe({ fromPosition: END });
    await recorder.caughtUp();
    expect(recorder.caughtUps[0]?.position?.commit).toBeGreaterThanOrEqual(positionOf(old).commit);
    const fresh = jsonEvents(1);
    await client.appendToStream(stream, fresh);
    const mine = (e: AllStreamResolvedEvent) => e.event?.streamId === stream;
    await recorder.received(1, mine);
    expect(recorder.events.filter(mine).map((e) => e.event?.id)).toEqual(idsOf(fresh));
  });

  it('from the start delivers system events and everything written so far, in position order', async () => {
    const marker = await appendMarker(client);
    const recorder = subscribe({ fromPosition: START });
    await recorder.waitFor(
      'the marker',
      () => recorder.events.some((e) => e.event?.position.commit === marker.commit),
      20_000,
    );
    expect(recorder.events.some((e) => e.event?.type.startsWith('$'))).toBe(true);
    const positions = positionsOf(recorder.events);
    for (let i = 1; i < positions.length; i++) {
      expect(positions[i]?.commit ?? 0n).toBeGreaterThan(positions[i - 1]?.commit ?? 0n);
    }
  });

  it('delivers exactly the $all sequence, without gaps or duplicates, while appends race the catch-up', async () => {
    const stream = uniqueStream();
    const marker = await appendMarker(client);
    await client.appendToStream(stream, jsonEvents(100));
    const recorder = subscribe({ fromPosition: marker });
    await Promise.all(
      Array.from({ length: 10 }, () => client.appendToStream(stream, jsonEvents(20))),
    );
    const mine = (e: AllStreamResolvedEvent) => e.event?.streamId === stream;
    await recorder.received(300, mine, 20_000);
    const received = positionsOf(recorder.events);
    const last = received[received.length - 1] as Position;
    const expected = (await readAllBetween(client, marker, last)).map((e) => e.position).slice(1);
    expect(received).toEqual(expected);
    expect(recorder.events.filter(mine).map((e) => e.event?.revision)).toEqual(
      Array.from({ length: 300 }, (_, i) => BigInt(i)),
    );
  });

  it('sends confirmation, events, caught_up at the last delivered position, then live events; no checkpoints', async () => {
    const stream = uniqueStream();
    const before = await appendContiguous(client, stream, 3);
    const start = before.positions[0] as Position;
    const options = readOptions();
    const all = new streamsPb.ReadReq.Options.AllOptions();
    const position = new streamsPb.ReadReq.Options.Position();
    position.setCommitPosition(start.commit.toString());
    position.setPreparePosition(start.prepare.toString());
    all.setPosition(position);
    options.setAll(all);
    options.setSubscription(new streamsPb.ReadReq.Options.SubscriptionOptions());
    const request = new streamsPb.ReadReq().setOptions(options);
    const Case = streamsPb.ReadResp.ContentCase;
    const isMine = (m: ReadResp) =>
      Buffer.from(
        m.getEvent()?.getEvent()?.getStreamIdentifier()?.getStreamName_asU8() ?? [],
      ).toString() === stream;

    const raw = rawStreamsClient();
    let appended = false;
    try {
      const outcome = await rawRead(raw, request, {
        until: (messages) => {
          if (!appended && messages.some((m) => m.getContentCase() === Case.CAUGHT_UP)) {
            appended = true;
            void client.appendToStream(stream, jsonEvents(1));
          }
          return messages.filter(isMine).length >= 3;
        },
      });
      const messages = outcome.messages;
      expect(messages[0]?.getContentCase()).toBe(Case.CONFIRMATION);
      expect(messages.filter((m) => m.getContentCase() === Case.CONFIRMATION)).toHaveLength(1);
      expect(messages.filter((m) => m.getContentCase() === Case.CHECKPOINT)).toEqual([]);
      const caughtUpIndex = messages.findIndex((m) => m.getContentCase() === Case.CAUGHT_UP);
      expect(caughtUpIndex).toBeGreaterThan(0);
      const beforeCaughtUp = messages.slice(1, caughtUpIndex);
      expect(beforeCaughtUp.every((m) => m.getContentCase() === Case.EVENT)).toBe(true);
      expect(beforeCaughtUp.filter(isMine)).toHaveLength(2);
      const lastDelivered = beforeCaughtUp.at(-1)?.getEvent()?.getEvent();
      const caughtUp = messages[caughtUpIndex]?.getCaughtUp();
      expect(caughtUp?.hasTimestamp()).toBe(true);
      expect(caughtUp?.getPosition()?.getCommitPosition()).toBe(lastDelivered?.getCommitPosition());
      const afterCaughtUp = messages.slice(caughtUpIndex + 1);
      expect(afterCaughtUp.filter(isMine)).toHaveLength(1);
    } finally {
      raw.close();
    }
  });

  it('fails after confirming when started from a position that is not an event position', async () => {
    // KurrentDB: catch-up reads at P+1 → ReadAllResult.InvalidPosition →
    // ReadResponseException.InvalidPosition → INVALID_ARGUMENT "Trying to read from an invalid
    // position.", which the client reports as UnknownError (no exception trailer).
    const stream = uniqueStream();
    const pair = await appendContiguous(client, stream, 2);
    const p = pair.positions[0] as Position;
    const recorder = subscribe({
      fromPosition: { commit: p.commit + 1n, prepare: p.prepare + 1n },
    });
    await recorder.waitFor('an error', () => recorder.errors.length > 0, undefined, {
      allowErrors: true,
    });
    const [error] = recorder.errors;
    expect(error).toBeInstanceOf(UnknownError);
    expect((error as UnknownError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(recorder.events).toEqual([]);
  });
});
