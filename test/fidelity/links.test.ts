/**
 * Link events (protocol doc §4.7): a `$>` event whose data is `"<revision>@<stream>"`, resolved
 * with `resolveLinkTos` on stream reads, `$all` reads and subscriptions.
 */
import {
  type AllStreamResolvedEvent,
  binaryEvent,
  jsonEvent,
  type KurrentDBClient,
  type ResolvedEvent,
  streamNameFilter,
} from '@kurrent/kurrentdb-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, uniqueStream } from './support/client.js';
import { collect, positionOf, readStreamEvents } from './support/events.js';
import { SubscriptionRecorder } from './support/subscription-recorder.js';

interface LinkFixture {
  readonly target: string;
  readonly linkStream: string;
  readonly linkResult: Awaited<ReturnType<KurrentDBClient['appendToStream']>>;
}

async function createLink(client: KurrentDBClient, revision: number): Promise<LinkFixture> {
  const target = uniqueStream('target');
  const linkStream = uniqueStream('links');
  await client.appendToStream(target, [
    jsonEvent({ type: 'Targeted', data: { n: 0 }, metadata: { m: 0 } }),
    jsonEvent({ type: 'Targeted', data: { n: 1 }, metadata: { m: 1 } }),
    jsonEvent({ type: 'Targeted', data: { n: 2 }, metadata: { m: 2 } }),
  ]);
  const linkResult = await client.appendToStream(
    linkStream,
    binaryEvent({ type: '$>', data: Buffer.from(`${revision}@${target}`, 'utf8') }),
  );
  return { target, linkStream, linkResult };
}

describe('links', () => {
  const client = createClient();
  let fixture: LinkFixture;
  afterAll(() => client.dispose());

  beforeAll(async () => {
    fixture = await createLink(client, 1);
  });

  it('reads the link itself without resolveLinkTos', async () => {
    const [resolved] = await collect(client.readStream(fixture.linkStream));
    expect(resolved?.link).toBeUndefined();
    expect(resolved?.event?.type).toBe('$>');
    expect(resolved?.event?.streamId).toBe(fixture.linkStream);
    expect(Buffer.from(resolved?.event?.data as Uint8Array).toString('utf8')).toBe(
      `1@${fixture.target}`,
    );
  });

  it('resolves the target on a stream read', async () => {
    const [resolved] = await collect(
      client.readStream(fixture.linkStream, { resolveLinkTos: true }),
    );
    const [, original] = await readStreamEvents(client, fixture.target);
    expect(resolved?.event).toEqual(original);
    expect(resolved?.event?.data).toEqual({ n: 1 });
    expect(resolved?.link?.type).toBe('$>');
    expect(resolved?.link?.streamId).toBe(fixture.linkStream);
    expect(resolved?.link?.revision).toBe(0n);
    expect(resolved?.link?.position).toEqual(positionOf(fixture.linkResult));
  });

  it('resolves the target on a $all read, at the link position', async () => {
    const linkPosition = positionOf(fixture.linkResult);
    const [resolved] = await collect(
      client.readAll({ fromPosition: linkPosition, maxCount: 1, resolveLinkTos: true }),
    );
    const [, original] = await readStreamEvents(client, fixture.target);
    expect(resolved?.event?.id).toBe(original?.id);
    expect(resolved?.event?.streamId).toBe(fixture.target);
    expect(resolved?.event?.revision).toBe(1n);
    expect(resolved?.event?.position).toEqual(original?.position);
    expect(resolved?.link?.position).toEqual(linkPosition);
    expect(resolved?.commitPosition).toBe(linkPosition.commit);
  });

  it('resolves links on a stream subscription', async () => {
    const recorder = new SubscriptionRecorder<ResolvedEvent>().attach(
      client.subscribeToStream(fixture.linkStream, { resolveLinkTos: true }),
    );
    try {
      await recorder.received(1);
      const [resolved] = recorder.events;
      expect(resolved?.event?.streamId).toBe(fixture.target);
      expect(resolved?.event?.revision).toBe(1n);
      expect(resolved?.event?.data).toEqual({ n: 1 });
      expect(resolved?.event?.metadata).toEqual({ m: 1 });
      expect(resolved?.link?.streamId).toBe(fixture.linkStream);
      expect(resolved?.link?.type).toBe('$>');
    } finally {
      await recorder.stop();
    }
  });

  it('resolves links on a $all subscription', async () => {
    const targetEvents = await readStreamEvents(client, fixture.target);
    const from = targetEvents.at(-1)?.position;
    if (from === undefined) throw new Error('no position');
    const recorder = new SubscriptionRecorder<AllStreamResolvedEvent>().attach(
      client.subscribeToAll({
        fromPosition: from,
        resolveLinkTos: true,
        filter: streamNameFilter({ prefixes: [fixture.linkStream] }),
      }),
    );
    try {
      await recorder.received(1);
      const [resolved] = recorder.events;
      expect(resolved?.event?.streamId).toBe(fixture.target);
      expect(resolved?.event?.revision).toBe(1n);
      expect(resolved?.link?.streamId).toBe(fixture.linkStream);
      expect(resolved?.commitPosition).toBe(positionOf(fixture.linkResult).commit);
    } finally {
      await recorder.stop();
    }
  });

  it('resolves a live link on a subscription', async () => {
    const own = await createLink(client, 0);
    const live = uniqueStream('live-links');
    const recorder = new SubscriptionRecorder<ResolvedEvent>().attach(
      client.subscribeToStream(live, { resolveLinkTos: true }),
    );
    try {
      await recorder.caughtUp();
      await client.appendToStream(
        live,
        binaryEvent({ type: '$>', data: Buffer.from(`2@${own.target}`) }),
      );
      await recorder.received(1);
      expect(recorder.events[0]?.event?.data).toEqual({ n: 2 });
      expect(recorder.events[0]?.link?.streamId).toBe(live);
    } finally {
      await recorder.stop();
    }
  });
});
