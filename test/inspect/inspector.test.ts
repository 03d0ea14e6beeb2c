/**
 * The local inspector run for real: `@statelyai/inspect`'s WebSocket inspector, the relay server
 * and a `ws` client that speaks the Stately inspector page's side of the protocol (it sends
 * nothing, receives a replay of buffered messages on connect, then every new message as JSON).
 *
 * @module
 */

import net from 'node:net';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { assign, createActor, emit, setup } from 'xstate';
import {
  collectInspectorMessages,
  type InspectorMessages,
  type LocalInspector,
  REDACTED,
  type StatelyInspectionEvent,
  startInspector,
} from '../../src/inspect/index.js';

interface Context {
  count: number;
  owner: { name: string; email: string };
  secret: string;
}

type Event =
  | { type: 'increment' }
  | { type: 'pay'; card: { number: string; holder: string }; amount: number };

const counter = setup({
  types: {
    context: {} as Context,
    events: {} as Event,
    emitted: {} as { type: 'counted'; count: number },
  },
}).createMachine({
  id: 'counter',
  context: { count: 0, owner: { name: 'Ada', email: 'ada@example.com' }, secret: 's3cret' },
  on: {
    increment: {
      actions: [
        assign({ count: ({ context }) => context.count + 1 }),
        emit(({ context }) => ({ type: 'counted' as const, count: context.count })),
      ],
    },
    pay: { actions: assign({ count: ({ context, event }) => context.count + event.amount }) },
  },
});

const started: LocalInspector[] = [];
const clients: InspectorMessages[] = [];

async function start(options?: Parameters<typeof startInspector>[0]): Promise<LocalInspector> {
  const inspector = await startInspector(options);
  started.push(inspector);
  return inspector;
}

async function connect(wsUrl: string): Promise<InspectorMessages> {
  const client = await collectInspectorMessages(wsUrl);
  clients.push(client);
  return client;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(started.splice(0).map((inspector) => inspector.stop()));
});

type Of<T extends StatelyInspectionEvent['type']> = Extract<StatelyInspectionEvent, { type: T }>;

const isActor =
  (sessionId: string) =>
  (message: StatelyInspectionEvent): message is Of<'@xstate.actor'> =>
    message.type === '@xstate.actor' && message.sessionId === sessionId;
const isEvent =
  (sessionId: string, type: string) =>
  (message: StatelyInspectionEvent): message is Of<'@xstate.event'> =>
    message.type === '@xstate.event' &&
    message.sessionId === sessionId &&
    message.event.type === type;
const isSnapshot =
  (sessionId: string, type: string) =>
  (message: StatelyInspectionEvent): message is Of<'@xstate.snapshot'> =>
    message.type === '@xstate.snapshot' &&
    message.sessionId === sessionId &&
    message.event.type === type;

function contextOf(message: StatelyInspectionEvent): unknown {
  return message.type === '@xstate.event'
    ? undefined
    : (message.snapshot as { context?: unknown }).context;
}

/** Keeps the thread busy, so timers that are due run before any socket I/O is processed. */
function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

async function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** IPv4 addresses of this machine other than loopback (e.g. the eth0 address). */
function otherInterfaceAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flatMap((infos) => infos ?? [])
    .filter((info) => info.family === 'IPv4' && !info.internal)
    .map((info) => info.address);
}

describe('startInspector', () => {
  it('relays @xstate.actor, then the event, then the snapshot with the new context', async () => {
    const inspector = await start();
    const client = await connect(inspector.wsUrl);

    const actor = createActor(counter, { inspect: inspector.inspect }).start();
    actor.send({ type: 'increment' });
    const sessionId = actor.sessionId;

    const snapshot = await client.waitFor(isSnapshot(sessionId, 'increment'));
    const { messages } = client;
    const actorAt = messages.findIndex(isActor(sessionId));
    const eventAt = messages.findIndex(isEvent(sessionId, 'increment'));
    const snapshotAt = messages.indexOf(snapshot);

    expect(actorAt).toBeGreaterThanOrEqual(0);
    expect(eventAt).toBeGreaterThan(actorAt);
    expect(snapshotAt).toBeGreaterThan(eventAt);
    expect(messages[actorAt]).toMatchObject({ name: 'counter', snapshot: { status: 'active' } });
    expect(messages[eventAt]).toMatchObject({ event: { type: 'increment' } });
    expect(contextOf(snapshot)).toMatchObject({ count: 1, owner: { email: 'ada@example.com' } });
    actor.stop();
  });

  it('redacts the configured context and event fields and leaves the others intact', async () => {
    const inspector = await start({
      sanitize: { contextFields: ['owner.email', 'secret'], eventFields: ['card.number'] },
    });
    const client = await connect(inspector.wsUrl);

    const actor = createActor(counter, { inspect: inspector.inspect }).start();
    actor.send({ type: 'pay', card: { number: '4111111111111111', holder: 'Ada' }, amount: 5 });
    const sessionId = actor.sessionId;

    const snapshot = await client.waitFor(isSnapshot(sessionId, 'pay'));
    const event = await client.waitFor(isEvent(sessionId, 'pay'));
    const registered = await client.waitFor(isActor(sessionId));

    const redactedContext = {
      owner: { name: 'Ada', email: REDACTED },
      secret: REDACTED,
    };
    // The package reads the actor's snapshot when it sends, so the count may already be 5.
    expect(contextOf(registered)).toMatchObject(redactedContext);
    expect(contextOf(snapshot)).toEqual({ count: 5, ...redactedContext });
    const redactedEvent = { type: 'pay', card: { number: REDACTED, holder: 'Ada' }, amount: 5 };
    expect(event.event).toEqual(redactedEvent);
    expect(snapshot.event).toEqual(redactedEvent);
    expect(JSON.stringify(client.messages)).not.toContain('4111111111111111');
    expect(JSON.stringify(client.messages)).not.toContain('ada@example.com');
    // The machine definition carries the initial context too; it is redacted there as well.
    const definition = JSON.parse(registered.definition ?? 'null') as { context: unknown };
    expect(definition.context).toEqual({ count: 0, ...redactedContext });

    // The actor itself keeps the real values.
    expect(actor.getSnapshot().context.owner.email).toBe('ada@example.com');
    expect(actor.getSnapshot().context.secret).toBe('s3cret');
    actor.stop();
  });

  it('holds events produced before its socket opens and replays them to a page that connects later', async () => {
    const inspector = await start();
    let connectedEarly = false;
    void inspector.connected.then(() => {
      connectedEarly = true;
    });

    const actor = createActor(counter, { inspect: inspector.inspect }).start();
    actor.send({ type: 'increment' });
    busyWait(20);
    // Runs right after the package's own `setTimeout(0)` sends: the socket was not open yet.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(connectedEarly).toBe(false);

    await inspector.connected;
    const client = await connect(inspector.wsUrl);
    const sessionId = actor.sessionId;
    const snapshot = await client.waitFor(isSnapshot(sessionId, 'increment'));
    const actorAt = client.messages.findIndex(isActor(sessionId));
    const eventAt = client.messages.findIndex(isEvent(sessionId, 'increment'));
    expect(actorAt).toBeGreaterThanOrEqual(0);
    expect(eventAt).toBeGreaterThan(actorAt);
    expect(client.messages.indexOf(snapshot)).toBeGreaterThan(eventAt);
    expect(contextOf(snapshot)).toMatchObject({ count: 1 });
    actor.stop();
  });

  it('keeps only the latest maxDeferredEvents events while the socket is not open', async () => {
    const inspector = await start({ maxDeferredEvents: 1 });
    const actor = createActor(counter, { inspect: inspector.inspect }).start();
    actor.send({ type: 'increment' });
    busyWait(20);
    await inspector.connected;

    const client = await connect(inspector.wsUrl);
    await client.waitFor(isSnapshot(actor.sessionId, 'increment'));
    const ofActor = client.messages.filter((message) => message.sessionId === actor.sessionId);
    expect(ofActor.map((message) => message.type)).toEqual(['@xstate.snapshot']);
    actor.stop();
  });

  it('listens on 127.0.0.1 only, and serves the page that embeds the inspector UI', async () => {
    const inspector = await start();
    expect(inspector.host).toBe('127.0.0.1');
    expect(inspector.url).toBe(`http://127.0.0.1:${inspector.port}/`);
    expect(inspector.wsUrl).toBe(`ws://127.0.0.1:${inspector.port}`);

    const page = await fetch(inspector.url).then((response) => response.text());
    expect(page).toContain('const UI_URL = "https://stately.ai/inspect";');

    expect(await refused('127.0.0.1', inspector.port)).toBe(false);
    for (const address of otherInterfaceAddresses()) {
      expect(await refused(address, inspector.port), address).toBe(true);
    }
  });

  it('binds another address when told to (the control for the interface check)', async () => {
    const inspector = await start({ host: '0.0.0.0' });
    expect(inspector.host).toBe('0.0.0.0');
    expect(inspector.wsUrl).toBe(`ws://127.0.0.1:${inspector.port}`);
    for (const address of otherInterfaceAddresses()) {
      expect(await refused(address, inspector.port), address).toBe(false);
    }
  });

  it('refuses WebSocket connections from pages of other origins', async () => {
    const inspector = await start();
    await expect(
      collectInspectorMessages(inspector.wsUrl, { origin: 'https://evil.example' }),
    ).rejects.toThrow(/403/);
    const own = await collectInspectorMessages(inspector.wsUrl, {
      origin: `http://localhost:${inspector.port}`,
    });
    clients.push(own);
    const actor = createActor(counter, { inspect: inspector.inspect }).start();
    await own.waitFor(isActor(actor.sessionId));
    actor.stop();
  });

  it('stop() sends what is pending, ends the pages’ sockets and frees the port', async () => {
    const inspector = await start();
    const client = await connect(inspector.wsUrl);
    const actor = createActor(counter, { inspect: inspector.inspect }).start();
    actor.send({ type: 'increment' });

    await inspector.stop();
    expect(await client.closed).toBe(1001);
    expect(client.messages.some(isSnapshot(actor.sessionId, 'increment'))).toBe(true);
    expect(await refused('127.0.0.1', inspector.port)).toBe(true);

    const again = await start({ port: inspector.port });
    expect(again.port).toBe(inspector.port);
    await again[Symbol.asyncDispose]();
    expect(await refused('127.0.0.1', inspector.port)).toBe(true);
    await inspector.stop(); // idempotent
    actor.stop();
  });
});
