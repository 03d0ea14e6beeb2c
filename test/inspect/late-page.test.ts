/**
 * A page opened late sees every live actor: the relay keeps each live actor's registration and
 * latest snapshot (dropped when it stops) and replays them, before the latest buffered messages,
 * to a page that connects after far more traffic than the buffer holds.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type AnyActorRef, assign, createActor, setup } from 'xstate';
import { Dog } from '../../machines/dog.js';
import { Application } from '../../src/application/application.js';
import {
  collectInspectorMessages,
  type InspectorMessages,
  type LocalInspector,
  type StatelyInspectionEvent,
  startInspector,
} from '../../src/inspect/index.js';

const counter = setup({
  types: { context: {} as { count: number }, events: {} as { type: 'increment' } },
}).createMachine({
  id: 'counter',
  context: { count: 0 },
  on: { increment: { actions: assign({ count: ({ context }) => context.count + 1 }) } },
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(options?: Parameters<typeof startInspector>[0]): Promise<LocalInspector> {
  const inspector = await startInspector(options);
  cleanups.push(() => inspector.stop());
  return inspector;
}

async function connect(wsUrl: string): Promise<InspectorMessages> {
  const client = await collectInspectorMessages(wsUrl);
  cleanups.push(() => client.close());
  return client;
}

type Of<T extends StatelyInspectionEvent['type']> = Extract<StatelyInspectionEvent, { type: T }>;

const contextOf = (message: Of<'@xstate.snapshot'> | Of<'@xstate.actor'>) =>
  (message.snapshot as { context?: unknown }).context;

/** Creates a fresh actor after the late page connected: what arrives before it is the replay. */
async function replayOf(inspector: LocalInspector, client: InspectorMessages) {
  const sentinel = createActor(counter, { inspect: inspector.inspect }).start();
  cleanups.push(async () => {
    sentinel.stop();
  });
  const marker = await client.waitFor(
    (m) => m.type === '@xstate.actor' && m.sessionId === sentinel.sessionId,
  );
  return client.messages.slice(0, client.messages.indexOf(marker));
}

describe('a page that connects late', () => {
  it('gets the registration and current snapshot of every live actor, none of the stopped ones', async () => {
    const inspector = await start({ replayLimit: 200 });
    const early = await connect(inspector.wsUrl);

    const actors: AnyActorRef[] = [];
    for (let index = 0; index < 320; index++) {
      const actor = createActor(counter, { inspect: inspector.inspect }).start();
      for (let step = 0; step <= index % 3; step++) actor.send({ type: 'increment' });
      actors.push(actor);
    }
    const stopped = actors.filter((_, index) => index % 4 === 0);
    for (const actor of stopped) actor.stop();
    const live = actors.filter((actor) => !stopped.includes(actor));
    const last = stopped.at(-1) as AnyActorRef;
    await early.waitFor(
      (m) =>
        m.type === '@xstate.snapshot' &&
        m.sessionId === last.sessionId &&
        m.snapshot.status === 'stopped',
    );
    // Far more traffic than the buffer holds.
    expect(early.messages.length).toBeGreaterThan(5 * 320);

    const late = await connect(inspector.wsUrl);
    const replay = await replayOf(inspector, late);

    for (const actor of live) {
      const registration = replay.findIndex(
        (m) => m.type === '@xstate.actor' && m.sessionId === actor.sessionId,
      );
      expect(registration, `registration of ${actor.sessionId}`).toBeGreaterThanOrEqual(0);
      const snapshots = replay.filter(
        (m): m is Of<'@xstate.snapshot'> =>
          m.type === '@xstate.snapshot' && m.sessionId === actor.sessionId,
      );
      expect(snapshots.length, `snapshot of ${actor.sessionId}`).toBeGreaterThan(0);
      const current = snapshots.at(-1) as Of<'@xstate.snapshot'>;
      expect(replay.indexOf(current)).toBeGreaterThan(registration);
      expect(contextOf(current)).toEqual(actor.getSnapshot().context);
      expect(current.snapshot.status).toBe('active');
    }
    const stoppedIds = new Set(stopped.map((actor) => actor.sessionId));
    expect(replay.filter((m) => stoppedIds.has(m.sessionId))).toEqual([]);
    // The kept state is three messages per live actor (registration, diagram, snapshot), then
    // the latest (live) messages.
    expect(replay.filter((m) => (m.type as string) === '@eventsourcing.diagram')).toHaveLength(
      live.length,
    );
    expect(replay.length).toBeLessThanOrEqual(3 * live.length + 200);
    // The latest buffered messages come last, in order: the last live actor's history.
    const lastLive = live.at(-1) as AnyActorRef;
    const tail = replay.slice(-3).map((m) => [m.type, m.sessionId]);
    expect(tail).toEqual([
      ['@xstate.snapshot', lastLive.sessionId],
      ['@xstate.event', lastLive.sessionId],
      ['@xstate.snapshot', lastLive.sessionId],
    ]);

    for (const actor of live) actor.stop();
  });

  it('sends nothing twice when the buffer still holds everything', async () => {
    const inspector = await start();
    const actor = createActor(counter, { inspect: inspector.inspect }).start();
    actor.send({ type: 'increment' });
    const early = await connect(inspector.wsUrl);
    await early.waitFor((m) => m.type === '@xstate.snapshot' && m.event.type === 'increment');

    const late = await connect(inspector.wsUrl);
    const replay = await replayOf(inspector, late);
    expect(replay.map((m) => [m.type, m.sessionId])).toEqual(
      early.messages.slice(0, replay.length).map((m) => [m.type, m.sessionId]),
    );
    expect(replay.filter((m) => m.type === '@xstate.actor')).toHaveLength(1);
    actor.stop();
  });

  it('shows every live aggregate of an application, after hundreds of commands', async () => {
    const app = new Application({
      name: 'school',
      env: { PERSISTENCE_MODULE: 'memory', AGGREGATE_CACHE_MAXSIZE: '1000' },
    });
    cleanups.push(() => app.close());
    const inspector = await app.inspect();
    const early = await connect(inspector.wsUrl);
    const ids = Array.from({ length: 60 }, () => randomUUID());
    for (const id of ids) {
      const dog = await app.repository.create(Dog, id);
      await dog.execute({ type: 'register', name: `dog ${id}` });
      await dog.execute({ type: 'addTrick', trick: 'sit' });
    }
    const lastId = ids.at(-1);
    await early.waitFor(
      (m) =>
        m.type === '@xstate.snapshot' &&
        m.event.type === 'TrickAdded' &&
        (contextOf(m) as { name: string }).name === `dog ${lastId}`,
    );
    expect(early.messages.length).toBeGreaterThan(200);

    const late = await connect(inspector.wsUrl);
    const replay = await replayOf(inspector, late);
    for (const id of ids) {
      expect(
        replay.some((m) => m.type === '@xstate.actor' && m.name === `Dog-${id}`),
        id,
      ).toBe(true);
      expect(
        replay.some((m) => m.type === '@xstate.actor' && m.name === `lifecycle:Dog-${id}`),
      ).toBe(true);
      const registration = replay.find(
        (m): m is Of<'@xstate.actor'> => m.type === '@xstate.actor' && m.name === `Dog-${id}`,
      ) as Of<'@xstate.actor'>;
      const current = replay
        .filter(
          (m): m is Of<'@xstate.snapshot'> =>
            m.type === '@xstate.snapshot' && m.sessionId === registration.sessionId,
        )
        .at(-1);
      expect(current && contextOf(current)).toEqual({ name: `dog ${id}`, tricks: ['sit'] });
    }
  });
});
