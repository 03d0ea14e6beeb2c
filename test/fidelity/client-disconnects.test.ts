/**
 * Clients that go away mid-operation (protocol doc §2.3 "servers must not rely on clients
 * draining reads", §2.5 termination): cancelled subscriptions, abandoned reads, cancelled
 * appends and disposed clients leave the server healthy.
 */
import { randomUUID } from 'node:crypto';
import { type AllStreamResolvedEvent, type ResolvedEvent, START } from '@kurrent/kurrentdb-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, uniqueStream } from './support/client.js';
import { within } from './support/errors.js';
import { expectStreamNotFound, idsOf, jsonEvents, readStreamEvents } from './support/events.js';
import {
  appendMessage,
  appendOptions,
  batchMessage,
  batchRequest,
  grpc,
  rawBatchAppend,
  rawRead,
  rawStreamsClient,
  streamReadRequest,
} from './support/raw-grpc.js';
import { SubscriptionRecorder } from './support/subscription-recorder.js';

describe('client disconnects', () => {
  const client = createClient();
  afterAll(() => client.dispose());

  /** A normal append-then-read round trip on `client`. */
  async function expectHealthy(): Promise<void> {
    const stream = uniqueStream('healthy');
    const events = jsonEvents(2);
    await within(5_000, 'append after a disconnect', client.appendToStream(stream, events));
    expect(idsOf(await readStreamEvents(client, stream))).toEqual(idsOf(events));
  }

  it('a subscription cancelled mid catch-up', async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, jsonEvents(500));
    const first = new SubscriptionRecorder<ResolvedEvent>().attach(
      client.subscribeToStream(stream),
    );
    await first.received(1);
    await first.stop();
    await expectHealthy();

    const second = new SubscriptionRecorder<ResolvedEvent>().attach(
      client.subscribeToStream(stream),
    );
    try {
      await second.received(500);
      await client.appendToStream(stream, jsonEvents(1));
      await second.received(501);
    } finally {
      await second.stop();
    }
  });

  it('a live $all subscription cancelled while events keep coming', async () => {
    const stream = uniqueStream();
    const recorder = new SubscriptionRecorder<AllStreamResolvedEvent>().attach(
      client.subscribeToAll({ fromPosition: START }),
    );
    await recorder.received(1);
    const writer = Promise.all(
      Array.from({ length: 5 }, () => client.appendToStream(stream, jsonEvents(20))),
    );
    await recorder.stop();
    await writer;
    await expectHealthy();
    expect(await readStreamEvents(client, stream)).toHaveLength(100);
  });

  it('a readAll abandoned after its first event', async () => {
    for await (const _ of client.readAll({ fromPosition: START, maxCount: 100_000 })) break;
    await expectHealthy();
  });

  it('a readStream abandoned after its first event', async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, jsonEvents(300));
    for await (const _ of client.readStream(stream)) break;
    expect(await readStreamEvents(client, stream)).toHaveLength(300);
    await expectHealthy();
  });

  it('a raw read cancelled after its first message, then read again in full', async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, jsonEvents(300));
    const raw = rawStreamsClient();
    try {
      const request = streamReadRequest(stream, 300);
      const partial = await rawRead(raw, request, { until: (messages) => messages.length >= 1 });
      expect(partial.cancelled).toBe(true);
      const full = await rawRead(raw, request);
      expect(full.error).toBeUndefined();
      expect(full.messages.filter((m) => m.hasEvent())).toHaveLength(300);
    } finally {
      raw.close();
    }
    await expectHealthy();
  });

  it('an Append call cancelled before it half-closes writes nothing', async () => {
    const stream = uniqueStream();
    const raw = rawStreamsClient();
    try {
      const settled = new Promise<grpc.ServiceError | null>((resolve) => {
        const call = raw.append((error) => resolve(error));
        call.write(appendOptions(stream));
        call.write(appendMessage({ type: 'Cancelled', contentType: 'application/json' }));
        setTimeout(() => call.cancel(), 100);
      });
      expect((await within(5_000, 'cancelled append', settled))?.code).toBe(grpc.status.CANCELLED);
    } finally {
      raw.close();
    }
    await expectStreamNotFound(client, stream);
    await expectHealthy();
  });

  it('a BatchAppend call dropped with a non-final request pending writes nothing', async () => {
    const stream = uniqueStream();
    const raw = rawStreamsClient();
    const session = rawBatchAppend(raw);
    session.send(
      batchRequest(
        stream,
        randomUUID(),
        [batchMessage({ type: 'Partial', contentType: 'application/json' })],
        false,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    session.close();
    raw.close();
    await expectHealthy();
    await expectStreamNotFound(client, stream);
  });

  it('a disposed client does not disturb another client', async () => {
    const other = createClient();
    const stream = uniqueStream();
    const recorder = new SubscriptionRecorder<ResolvedEvent>().attach(
      client.subscribeToStream(stream),
    );
    const doomed = new SubscriptionRecorder<ResolvedEvent>().attach(
      other.subscribeToStream(stream),
    );
    try {
      await recorder.caughtUp();
      await doomed.caughtUp();
      await other.appendToStream(stream, jsonEvents(1));
      await recorder.received(1);
      await other.dispose();
      await client.appendToStream(stream, jsonEvents(1));
      await recorder.received(2);
      expect(recorder.errors).toEqual([]);
    } finally {
      await recorder.stop();
    }
    await expectHealthy();
  });
});
