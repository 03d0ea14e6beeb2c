/**
 * `subscribeToStream` (protocol doc §2.5; KurrentDB `Enumerator.StreamSubscription`):
 * confirmation, catch-up exclusive of the start revision, 25.1 caught-up, live events without
 * gaps or duplicates, deleted and tombstoned streams, exact message order on the wire.
 */
import { randomUUID } from 'node:crypto';
import {
  END,
  jsonEvent,
  type ResolvedEvent,
  START,
  StreamDeletedError,
} from '@kurrent/kurrentdb-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, uniqueStream } from './support/client.js';
import { jsonEvents } from './support/events.js';
import {
  type ReadResp,
  rawRead,
  rawStreamsClient,
  streamReadOptions,
  streamsPb,
} from './support/raw-grpc.js';
import { prepareStream } from './support/stream-states.js';
import { recorderPool } from './support/subscription-recorder.js';

const TOMBSTONE_REVISION = 2n ** 63n - 1n;

function revisionsOf(events: readonly ResolvedEvent[]): bigint[] {
  return events.map((e) => e.event?.revision ?? -1n);
}

describe('subscribeToStream', () => {
  const client = createClient();
  const recorders = recorderPool<ResolvedEvent>();
  const subscribe = (stream: string, options?: Parameters<typeof client.subscribeToStream>[1]) =>
    recorders.record(client.subscribeToStream(stream, options));
  afterAll(async () => {
    await recorders.stopAll();
    await client.dispose();
  });

  it('confirms, catches up from the start, reports caught-up, then delivers live events', async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, jsonEvents(3));
    const recorder = subscribe(stream, { fromRevision: START });
    await recorder.caughtUp();
    expect(recorder.confirmations).toBe(1);
    expect(recorder.id).toMatch(/.+/);
    expect(recorder.signals[0]?.kind).toBe('confirmation');
    const [caughtUp] = recorder.caughtUps;
    expect(caughtUp?.revision).toBe(2n);
    expect(caughtUp?.date).toBeInstanceOf(Date);

    await client.appendToStream(stream, jsonEvents(2));
    await recorder.received(5);
    expect(revisionsOf(recorder.events)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(recorder.caughtUps).toHaveLength(1);
  });

  it('starts after the given revision (exclusive)', async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, jsonEvents(4));
    const recorder = subscribe(stream, { fromRevision: 1n });
    await recorder.caughtUp();
    await recorder.received(2);
    expect(revisionsOf(recorder.events)).toEqual([2n, 3n]);
    expect(recorder.caughtUps[0]?.revision).toBe(3n);
  });

  it('from the end skips existing events and reports the last revision as caught-up', async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, jsonEvents(3));
    const recorder = subscribe(stream, { fromRevision: END });
    await recorder.caughtUp();
    expect(recorder.caughtUps[0]?.revision).toBe(2n);
    await client.appendToStream(stream, jsonEvents(1));
    await recorder.received(1);
    expect(revisionsOf(recorder.events)).toEqual([3n]);
  });

  it('on a missing stream: empty catch-up, caught-up without revision, then the first event live', async () => {
    const stream = uniqueStream();
    const recorder = subscribe(stream);
    await recorder.caughtUp();
    expect(recorder.confirmations).toBe(1);
    expect(recorder.caughtUps[0]?.date).toBeInstanceOf(Date);
    expect(recorder.caughtUps[0]?.revision).toBeUndefined();
    await client.appendToStream(stream, jsonEvents(1));
    await recorder.received(1);
    expect(revisionsOf(recorder.events)).toEqual([0n]);
  });

  it('delivers every event once, in order, while appends race the catch-up', async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, jsonEvents(300));
    const recorder = subscribe(stream);
    const writers = Array.from({ length: 10 }, () => client.appendToStream(stream, jsonEvents(20)));
    await Promise.all(writers);
    await recorder.received(500, () => true, 20_000);
    expect(revisionsOf(recorder.events)).toEqual(Array.from({ length: 500 }, (_, i) => BigInt(i)));
    expect(recorder.errors).toEqual([]);
  });

  it('gives subscription events millisecond-precision created times', async () => {
    const stream = uniqueStream();
    const before = Date.now();
    for (let i = 0; i < 5; i++) await client.appendToStream(stream, jsonEvents(1));
    const after = Date.now();
    const recorder = subscribe(stream);
    await recorder.received(5);
    const created = recorder.events.map((e) => e.event?.created.getTime() ?? 0);
    for (const time of created) {
      expect(time).toBeGreaterThanOrEqual(before - 1_000);
      expect(time).toBeLessThanOrEqual(after + 1_000);
    }
    expect(created.some((time) => time % 1_000 !== 0)).toBe(true);
  });

  it('hides events below $tb from the catch-up', async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, jsonEvents(5));
    await client.setStreamMetadata(stream, { truncateBefore: 3 });
    const recorder = subscribe(stream);
    await recorder.caughtUp();
    await recorder.received(2);
    expect(revisionsOf(recorder.events)).toEqual([3n, 4n]);
  });

  it('on a soft-deleted stream: empty catch-up, then new events live with continued revisions', async () => {
    const stream = await prepareStream(client, 'soft-deleted');
    const recorder = subscribe(stream);
    await recorder.caughtUp();
    expect(recorder.events).toEqual([]);
    expect(recorder.caughtUps[0]?.revision).toBeUndefined();
    await client.appendToStream(stream, jsonEvents(1));
    await recorder.received(1);
    expect(revisionsOf(recorder.events)).toEqual([3n]);
  });

  it('on a tombstoned stream: ends with StreamDeletedError naming the stream', async () => {
    const stream = await prepareStream(client, 'tombstoned');
    const recorder = subscribe(stream);
    await recorder.waitFor('an error', () => recorder.errors.length > 0, undefined, {
      allowErrors: true,
    });
    const [error] = recorder.errors;
    expect(error).toBeInstanceOf(StreamDeletedError);
    expect((error as StreamDeletedError).streamName).toBe(stream);
    expect(recorder.events).toEqual([]);
  });

  it('when the stream is tombstoned live: delivers the $streamDeleted record, then StreamDeletedError', async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, jsonEvents(2));
    const recorder = subscribe(stream);
    await recorder.caughtUp();
    await client.tombstoneStream(stream);
    await recorder.waitFor(
      'tombstone event and error',
      () => recorder.errors.length > 0 && recorder.events.length >= 3,
      undefined,
      { allowErrors: true },
    );
    expect(recorder.errors[0]).toBeInstanceOf(StreamDeletedError);
    expect((recorder.errors[0] as StreamDeletedError).streamName).toBe(stream);
    const last = recorder.events[2]?.event;
    expect(last?.type).toBe('$streamDeleted');
    expect(last?.revision).toBe(TOMBSTONE_REVISION);
    expect(revisionsOf(recorder.events.slice(0, 2))).toEqual([0n, 1n]);
  });

  it('sends confirmation, catch-up events, caught_up, then live events, in that order on the wire', async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, jsonEvents(3));
    const options = streamReadOptions(stream);
    options.setSubscription(new streamsPb.ReadReq.Options.SubscriptionOptions());
    options.setResolveLinks(false);
    const request = new streamsPb.ReadReq().setOptions(options);

    const raw = rawStreamsClient();
    let appended = false;
    const Case = streamsPb.ReadResp.ContentCase;
    try {
      const outcome = await rawRead(raw, request, {
        until: (messages: readonly ReadResp[]) => {
          if (!appended && messages.some((m) => m.getContentCase() === Case.CAUGHT_UP)) {
            appended = true;
            void client.appendToStream(
              stream,
              jsonEvent({ type: 'Live', data: { id: randomUUID() } }),
            );
          }
          return messages.filter((m) => m.getContentCase() === Case.EVENT).length >= 4;
        },
      });
      const kinds = outcome.messages.map((m) => m.getContentCase());
      expect(kinds).toEqual([
        Case.CONFIRMATION,
        Case.EVENT,
        Case.EVENT,
        Case.EVENT,
        Case.CAUGHT_UP,
        Case.EVENT,
      ]);
      expect(outcome.messages[0]?.getConfirmation()?.getSubscriptionId()).not.toBe('');
      const caughtUp = outcome.messages[4]?.getCaughtUp();
      expect(caughtUp?.hasTimestamp()).toBe(true);
      expect(caughtUp?.getStreamRevision()).toBe('2');
      const revisions = outcome.messages
        .filter((m) => m.hasEvent())
        .map((m) => m.getEvent()?.getEvent()?.getStreamRevision());
      expect(revisions).toEqual(['0', '1', '2', '3']);
    } finally {
      raw.close();
    }
  });
});
