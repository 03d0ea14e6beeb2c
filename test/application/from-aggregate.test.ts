/**
 * `fromAggregate(app, Dog)`: an aggregate as XState actor logic — spawned, invoked or created at
 * the top level; a member of its parent's system; replying to the sender of each command;
 * emitting each stored domain event once; refusing domain events sent in.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { assign, createActor, sendTo, setup, spawnChild, waitFor } from 'xstate';
import { Dog } from '../../machines/dog.js';
import { type AggregateReplyEvent, fromAggregate } from '../../src/application/from-aggregate.js';
import {
  AggregateNotFoundError,
  CommandRejectedError,
  ProgrammingError,
} from '../../src/core/errors.js';
import { useApplications } from '../support/applications.js';
import { persistenceModules } from '../support/counter.js';

const uri = inject('kurrentdbUri');

describe.each(persistenceModules(uri))('fromAggregate on %s', (_module, env) => {
  const open = useApplications('actors', env);

  /** A parent that spawns a new dog (system id `dog`) and keeps the replies it gets. */
  function kennel(app: ReturnType<typeof open>, id: string) {
    return setup({
      types: {
        context: {} as { replies: AggregateReplyEvent[] },
        events: {} as
          | AggregateReplyEvent
          | { type: 'teach'; trick: string }
          | { type: 'name'; name: string },
      },
      actors: { dog: fromAggregate(app, Dog) },
    }).createMachine({
      context: { replies: [] },
      entry: spawnChild('dog', { id: 'dog', systemId: 'dog', input: { id, create: true } }),
      on: {
        name: { actions: sendTo('dog', ({ event }) => ({ type: 'register', name: event.name })) },
        teach: {
          actions: sendTo(
            ({ system }) => system.get('dog'),
            ({ event }) => ({
              type: 'addTrick',
              trick: event.trick,
            }),
          ),
        },
        'aggregate.executed': {
          actions: assign({ replies: ({ context, event }) => [...context.replies, event] }),
        },
        'aggregate.rejected': {
          actions: assign({ replies: ({ context, event }) => [...context.replies, event] }),
        },
      },
    });
  }

  it('a spawned aggregate executes commands sent to it and replies to its parent', async () => {
    const app = open();
    const id = randomUUID();
    const parent = createActor(kennel(app, id)).start();
    const dog = parent.system.get('dog');
    expect(dog).toBeDefined();
    const emitted: unknown[] = [];
    dog.on('*', (event: unknown) => emitted.push(event));

    parent.send({ type: 'teach', trick: 'sit' }); // rejected: not registered yet
    parent.send({ type: 'name', name: 'Fido' });
    parent.send({ type: 'teach', trick: 'roll over' });
    await waitFor(parent, (s) => s.context.replies.length === 3);

    const [rejected, registered, taught] = parent.getSnapshot().context.replies;
    expect(rejected).toMatchObject({
      type: 'aggregate.rejected',
      aggregate: 'Dog',
      aggregateId: id,
    });
    expect(rejected?.type === 'aggregate.rejected' && rejected.error).toBeInstanceOf(
      CommandRejectedError,
    );
    expect(registered).toMatchObject({
      type: 'aggregate.executed',
      command: { type: 'register', name: 'Fido' },
      events: [{ type: 'Registered', name: 'Fido' }],
      version: 0,
    });
    expect(taught).toMatchObject({
      events: [{ type: 'TrickAdded', trick: 'roll over' }],
      version: 1,
    });
    expect(typeof (taught as { position: unknown }).position).toBe('bigint');

    // Emitted once each, after they were stored, in stream order; nothing for the rejection.
    expect(emitted).toEqual([
      { type: 'Registered', name: 'Fido' },
      { type: 'TrickAdded', trick: 'roll over' },
    ]);
    const snapshot = dog.getSnapshot();
    expect(snapshot).toMatchObject({ phase: 'ready', version: 1, value: 'registered' });
    expect(snapshot.context).toEqual({ name: 'Fido', tricks: ['roll over'] });
    expect(snapshot.state.matches('registered')).toBe(true);
    const stored = await app.recorder.selectEvents(`Dog-${id}`);
    expect(stored.map((e) => e.topic)).toEqual(['Dog.Registered', 'Dog.TrickAdded']);
    parent.stop();
  });

  it('refuses a domain event sent in, with a rejected reply; nothing is stored', async () => {
    const app = open();
    const id = randomUUID();
    const parent = createActor(kennel(app, id)).start();
    parent.system.get('dog').send({ type: 'Registered', name: 'Forged' });
    await waitFor(parent, (s) => s.context.replies.length === 1);
    const [reply] = parent.getSnapshot().context.replies;
    expect(reply?.type).toBe('aggregate.rejected');
    expect(reply?.type === 'aggregate.rejected' && reply.error).toBeInstanceOf(ProgrammingError);
    expect(await app.recorder.selectEvents(`Dog-${id}`)).toEqual([]);
    parent.stop();
  });

  it('at the top level: loads an existing aggregate, queues commands meanwhile, replies to replyTo', async () => {
    const app = open();
    const id = randomUUID();
    await (await app.repository.create(Dog, id)).execute({ type: 'register', name: 'Rex' });
    const inbox = createActor(
      setup({
        types: {
          context: {} as { replies: AggregateReplyEvent[] },
          events: {} as AggregateReplyEvent,
        },
      }).createMachine({
        context: { replies: [] },
        on: {
          '*': {
            actions: assign({ replies: ({ context, event }) => [...context.replies, event] }),
          },
        },
      }),
    ).start();
    const dog = createActor(fromAggregate(app, Dog), { input: { id } }).start();
    expect(dog.getSnapshot().phase).toBe('loading');
    dog.send({ type: 'addTrick', trick: 'stay', replyTo: inbox });
    await waitFor(inbox, (s) => s.context.replies.length === 1);
    expect(inbox.getSnapshot().context.replies[0]).toMatchObject({
      type: 'aggregate.executed',
      events: [{ type: 'TrickAdded', trick: 'stay' }],
      version: 1,
    });
    await waitFor(dog, (s) => s.version === 1);
    expect(dog.getSnapshot().context).toEqual({ name: 'Rex', tricks: ['stay'] });
    dog.stop();
    inbox.stop();
  });

  it('an invoked aggregate that does not exist fails the invocation with AggregateNotFoundError', async () => {
    const app = open();
    const machine = setup({
      types: { context: {} as { error: unknown } },
      actors: { dog: fromAggregate(app, Dog) },
    }).createMachine({
      context: { error: undefined },
      initial: 'working',
      states: {
        working: {
          invoke: {
            src: 'dog',
            input: { id: randomUUID() },
            onError: { target: 'failed', actions: assign({ error: ({ event }) => event.error }) },
          },
        },
        failed: {},
      },
    });
    const actor = createActor(machine).start();
    await waitFor(actor, (s) => s.matches('failed'));
    expect(actor.getSnapshot().context.error).toBeInstanceOf(AggregateNotFoundError);
    actor.stop();
  });

  it('a commandId on a sent command makes it idempotent', async () => {
    const app = open();
    const id = randomUUID();
    await (await app.repository.create(Dog, id)).execute({ type: 'register', name: 'Rex' });
    const inbox: AggregateReplyEvent[] = [];
    const collector = createActor(
      setup({ types: { events: {} as AggregateReplyEvent } }).createMachine({
        on: { '*': { actions: ({ event }) => inbox.push(event) } },
      }),
    ).start();
    const dog = createActor(fromAggregate(app, Dog), { input: { id } }).start();
    for (let i = 0; i < 2; i++) {
      dog.send({ type: 'addTrick', trick: 'sit', commandId: 'teach-sit', replyTo: collector });
    }
    await waitFor(collector, () => inbox.length === 2);
    expect(inbox.map((r) => r.type)).toEqual(['aggregate.executed', 'aggregate.executed']);
    expect(await app.recorder.selectEvents(`Dog-${id}`)).toHaveLength(2);
    dog.stop();
    collector.stop();
  });

  it('is a stable ref: sees changes made through other refs, across passivation and eviction', async () => {
    const app = open({ AGGREGATE_CACHE_MAXSIZE: '1' });
    const id = randomUUID();
    await (await app.repository.create(Dog, id)).execute({ type: 'register', name: 'Rex' });
    const dog = createActor(fromAggregate(app, Dog), { input: { id } }).start();
    const emitted: unknown[] = [];
    dog.on('*', (event) => emitted.push(event));
    await waitFor(dog, (s) => s.phase === 'ready');

    // Another ref to the same aggregate: the repository's actor.
    await (await app.repository.get(Dog, id)).execute({ type: 'addTrick', trick: 'sit' });
    await waitFor(dog, (s) => s.version === 1);
    // Passivated: the next command wakes it.
    expect(app.repository.passivateIdle(0)).toBeGreaterThan(0);
    dog.send({ type: 'addTrick', trick: 'stay' });
    await waitFor(dog, (s) => s.version === 2);
    // Evicted (the cache holds one aggregate) and reloaded through another get.
    const other = await app.repository.create(Dog, randomUUID());
    await other.execute({ type: 'register', name: 'Other' });
    expect(app.repository.instanceOf(Dog, id)).toBeUndefined();
    await (await app.repository.get(Dog, id)).execute({ type: 'addTrick', trick: 'roll over' });
    await waitFor(dog, (s) => s.version === 3);
    dog.send({ type: 'addTrick', trick: 'play dead' });
    await waitFor(dog, (s) => s.version === 4);

    expect(dog.getSnapshot().context.tricks).toEqual(['sit', 'stay', 'roll over', 'play dead']);
    expect(emitted).toEqual([
      { type: 'TrickAdded', trick: 'sit' },
      { type: 'TrickAdded', trick: 'stay' },
      { type: 'TrickAdded', trick: 'roll over' },
      { type: 'TrickAdded', trick: 'play dead' },
    ]);
    expect(await app.recorder.selectEvents(`Dog-${id}`)).toHaveLength(5);
    dog.stop();
  });
});
