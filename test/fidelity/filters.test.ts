/**
 * Server-side `$all` filters (protocol doc §2.4, §2.5, §3 "Server filtering"): stream-name and
 * event-type filters with prefixes or (unanchored .NET) regex, `excludeSystemEvents`, on reads
 * and subscriptions.
 */
import { randomUUID } from 'node:crypto';
import {
  type AllStreamResolvedEvent,
  END,
  eventTypeFilter,
  excludeSystemEvents,
  type Filter,
  jsonEvent,
  type Position,
  streamNameFilter,
} from '@kurrent/kurrentdb-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from './support/client.js';
import { appendMarker, readAllEvents } from './support/events.js';
import { SubscriptionRecorder } from './support/subscription-recorder.js';

describe('filters', () => {
  const client = createClient();
  const prefix = `flt${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const streamA = `${prefix}-a`;
  const streamB = `${prefix}-b`;
  const streamC = `x-${prefix}-c`;
  const systemStream = `$${prefix}-sys`;
  const created = `${prefix}Created`;
  const updated = `${prefix}Updated`;
  const other = `Other${prefix}`;
  let start: Position;
  afterAll(() => client.dispose());

  beforeAll(async () => {
    start = await appendMarker(client);
    await client.appendToStream(streamA, [
      jsonEvent({ type: created, data: {} }),
      jsonEvent({ type: updated, data: {} }),
    ]);
    await client.appendToStream(streamB, jsonEvent({ type: created, data: {} }));
    await client.appendToStream(streamC, jsonEvent({ type: other, data: {} }));
    await client.setStreamMetadata(streamA, { [prefix]: true });
    await client.appendToStream(systemStream, jsonEvent({ type: `${prefix}InDollar`, data: {} }));
  });

  const matched = async (filter: Filter) =>
    (await readAllEvents(client, { fromPosition: start, maxCount: 100, filter })).map(
      (e) => `${e.streamId}/${e.type}`,
    );

  it('stream-name prefix', async () => {
    expect(await matched(streamNameFilter({ prefixes: [streamA] }))).toEqual([
      `${streamA}/${created}`,
      `${streamA}/${updated}`,
    ]);
  });

  it('stream-name prefixes match any of them', async () => {
    const expected = [`${streamA}/${created}`, `${streamA}/${updated}`, `${streamB}/${created}`];
    expect(await matched(streamNameFilter({ prefixes: [streamA, streamB] }))).toEqual(expected);
    expect(await matched(streamNameFilter({ prefixes: [`${prefix}-`] }))).toEqual(expected);
  });

  it('stream-name regex, anchored', async () => {
    expect(await matched(streamNameFilter({ regex: `^${prefix}-(a|b)$` }))).toEqual([
      `${streamA}/${created}`,
      `${streamA}/${updated}`,
      `${streamB}/${created}`,
    ]);
  });

  it('stream-name regex is unanchored unless the pattern anchors', async () => {
    expect(await matched(streamNameFilter({ regex: `${prefix}-c` }))).toEqual([
      `${streamC}/${other}`,
    ]);
    expect(await matched(streamNameFilter({ regex: prefix }))).toEqual([
      `${streamA}/${created}`,
      `${streamA}/${updated}`,
      `${streamB}/${created}`,
      `${streamC}/${other}`,
      `$$${streamA}/$metadata`,
      `${systemStream}/${prefix}InDollar`,
    ]);
  });

  it('event-type prefix and regex', async () => {
    expect(await matched(eventTypeFilter({ prefixes: [`${prefix}Cre`] }))).toEqual([
      `${streamA}/${created}`,
      `${streamB}/${created}`,
    ]);
    expect(await matched(eventTypeFilter({ regex: `^${prefix}(Created|Updated)$` }))).toEqual([
      `${streamA}/${created}`,
      `${streamA}/${updated}`,
      `${streamB}/${created}`,
    ]);
    expect(await matched(eventTypeFilter({ regex: `^Other${prefix}$` }))).toEqual([
      `${streamC}/${other}`,
    ]);
  });

  it('excludeSystemEvents drops $-typed events and keeps user-typed events of $ streams', async () => {
    const events = await readAllEvents(client, {
      fromPosition: start,
      maxCount: 10_000,
      filter: excludeSystemEvents(),
    });
    expect(events.filter((e) => e.type.startsWith('$'))).toEqual([]);
    const mine = events
      .filter((e) => e.type.includes(prefix))
      .map((e) => `${e.streamId}/${e.type}`);
    expect(mine).toEqual([
      `${streamA}/${created}`,
      `${streamA}/${updated}`,
      `${streamB}/${created}`,
      `${streamC}/${other}`,
      `${systemStream}/${prefix}InDollar`,
    ]);
  });

  it('filters backwards reads too', async () => {
    const events = await readAllEvents(client, {
      fromPosition: END,
      maxCount: 2,
      filter: streamNameFilter({ prefixes: [streamA] }),
    });
    expect(events.map((e) => e.type)).toEqual([updated, created]);
  });

  it('a stream-prefix filter also delivers the $streamDeleted tombstone of a matching stream', async () => {
    const own = `${prefix}-tomb-${randomUUID()}`;
    const from = await appendMarker(client);
    await client.appendToStream(own, jsonEvent({ type: created, data: {} }));
    await client.tombstoneStream(own);
    const events = await readAllEvents(client, {
      fromPosition: from,
      maxCount: 10,
      filter: streamNameFilter({ prefixes: [own] }),
    });
    expect(events.map((e) => `${e.streamId}/${e.type}`)).toEqual([
      `${own}/${created}`,
      `${own}/$streamDeleted`,
    ]);
  });

  it('filters subscriptions, in catch-up and live', async () => {
    const recorder = new SubscriptionRecorder<AllStreamResolvedEvent>().attach(
      client.subscribeToAll({
        fromPosition: start,
        filter: streamNameFilter({ prefixes: [streamA] }),
      }),
    );
    try {
      await recorder.caughtUp();
      await client.appendToStream(streamA, jsonEvent({ type: updated, data: { live: true } }));
      await client.appendToStream(streamB, jsonEvent({ type: updated, data: { live: true } }));
      await client.appendToStream(streamA, jsonEvent({ type: created, data: { live: true } }));
      await recorder.received(4);
      expect(recorder.events.map((e) => `${e.event?.streamId}/${e.event?.type}`)).toEqual([
        `${streamA}/${created}`,
        `${streamA}/${updated}`,
        `${streamA}/${updated}`,
        `${streamA}/${created}`,
      ]);
    } finally {
      await recorder.stop();
    }
  });
});
