/**
 * Fan-out: many concurrent subscriptions (on several connections, since KurrentDB's Kestrel
 * allows 100 concurrent HTTP/2 streams per connection) each receive a burst of appends
 * completely and in order (protocol doc §4.8).
 */
import {
  type AllStreamResolvedEvent,
  type KurrentDBClient,
  type ResolvedEvent,
  streamNameFilter,
} from '@kurrent/kurrentdb-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, uniqueStream } from './support/client.js';
import { jsonEvents } from './support/events.js';
import { SubscriptionRecorder } from './support/subscription-recorder.js';

describe('many subscriptions', () => {
  const subscriberClients: KurrentDBClient[] = Array.from({ length: 5 }, () => createClient());
  const writer = createClient();
  afterAll(async () => {
    await Promise.all([...subscriberClients, writer].map((c) => c.dispose()));
  });

  it('100 stream subscriptions and 20 filtered $all subscriptions each receive every event of a burst', async () => {
    const stream = uniqueStream('fanout');
    const streamRecorders = Array.from({ length: 100 }, (_, i) => {
      const client = subscriberClients[i % 4] as KurrentDBClient;
      return new SubscriptionRecorder<ResolvedEvent>().attach(client.subscribeToStream(stream));
    });
    const allClient = subscriberClients[4] as KurrentDBClient;
    const allRecorders = Array.from({ length: 20 }, () =>
      new SubscriptionRecorder<AllStreamResolvedEvent>().attach(
        allClient.subscribeToAll({
          fromPosition: 'end',
          filter: streamNameFilter({ prefixes: [stream] }),
        }),
      ),
    );
    const recorders = [...streamRecorders, ...allRecorders];
    try {
      await Promise.all(recorders.map((r) => r.caughtUp(20_000)));

      await writer.appendToStream(stream, jsonEvents(50));
      await Promise.all([
        writer.appendToStream(stream, jsonEvents(10)),
        writer.appendToStream(stream, jsonEvents(10)),
      ]);

      await Promise.all(recorders.map((r) => r.received(70, () => true, 20_000)));
      const expected = Array.from({ length: 70 }, (_, i) => BigInt(i));
      for (const recorder of recorders) {
        expect(recorder.events.map((e) => e.event?.revision)).toEqual(expected);
        expect(recorder.errors).toEqual([]);
        expect(recorder.confirmations).toBe(1);
      }
    } finally {
      await Promise.all(recorders.map((r) => r.stop()));
    }
  });
});
