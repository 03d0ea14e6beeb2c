/**
 * Schema evolution: events carry their schema version in metadata, upcasters run on read so old
 * streams load into new machines; an event that can't be decoded or upcast fails the load with a
 * DecodingError naming the stream, revision and type.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { assign, emit, setup } from 'xstate';
import { z } from 'zod';
import { Dog } from '../../machines/dog.js';
import type { Application } from '../../src/application/application.js';
import { DecodingError } from '../../src/core/errors.js';
import type { StoredEvent } from '../../src/core/stored-event.js';
import { defineAggregate } from '../../src/runtime/aggregate/define-aggregate.js';
import { useApplications } from '../support/applications.js';
import { persistenceModules } from '../support/counter.js';

const uri = inject('kurrentdbUri');

/** Dog v2: a trick has a name and a difficulty (v1 stored `{ trick }`). */
const dogV2Machine = setup({
  types: {
    context: {} as { name: string; tricks: { name: string; difficulty: number }[] },
    events: {} as
      | { type: 'register'; name: string }
      | { type: 'addTrick'; trick: string; difficulty: number }
      | { type: 'Registered'; name: string }
      | { type: 'TrickAdded'; name: string; difficulty: number },
    emitted: {} as
      | { type: 'Registered'; name: string }
      | { type: 'TrickAdded'; name: string; difficulty: number },
  },
}).createMachine({
  id: 'Dog',
  context: { name: '', tricks: [] },
  initial: 'unregistered',
  states: {
    unregistered: {
      on: {
        register: { actions: emit(({ event }) => ({ type: 'Registered', name: event.name })) },
        Registered: { target: 'registered', actions: assign({ name: ({ event }) => event.name }) },
      },
    },
    registered: {
      on: {
        addTrick: {
          actions: emit(({ event }) => ({
            type: 'TrickAdded',
            name: event.trick,
            difficulty: event.difficulty,
          })),
        },
        TrickAdded: {
          actions: assign({
            tricks: ({ context, event }) => [
              ...context.tricks,
              { name: event.name, difficulty: event.difficulty },
            ],
          }),
        },
      },
    },
  },
});

const DogV2 = defineAggregate({
  name: 'Dog',
  machine: dogV2Machine,
  upcasters: { TrickAdded: [({ trick, ...rest }) => ({ ...rest, name: trick, difficulty: 1 })] },
  schemas: { TrickAdded: z.object({ name: z.string(), difficulty: z.number().int().min(1) }) },
});

describe.each(persistenceModules(uri))('schema evolution on %s', (_module, env) => {
  const open = useApplications('school', env);

  async function oldDog(app: Application) {
    const id = randomUUID();
    const dog = await app.repository.create(Dog, id);
    await dog.execute({ type: 'register', name: 'Fido' });
    await dog.execute({ type: 'addTrick', trick: 'sit' });
    return id;
  }

  it('upcasts old events on read, and writes new ones at the current schema version', async () => {
    const app = open();
    const id = randomUUID();
    // The stream as version 1 of the code wrote it.
    const v1 = (version: number, topic: string, data: object): StoredEvent => ({
      originatorId: `Dog-${id}`,
      originatorVersion: version,
      topic,
      state: new TextEncoder().encode(JSON.stringify(data)),
      metadata: { schemaVersion: 1 },
      eventId: randomUUID(),
    });
    await app.recorder.insertEvents([
      v1(0, 'Dog.Registered', { name: 'Fido' }),
      v1(1, 'Dog.TrickAdded', { trick: 'sit' }),
    ]);
    const dog = await app.repository.get(DogV2, id);
    expect(dog.getSnapshot().context.tricks).toEqual([{ name: 'sit', difficulty: 1 }]);
    const [recording] = await dog.execute({ type: 'addTrick', trick: 'stay', difficulty: 3 });
    expect(recording?.notification.metadata).toMatchObject({ schemaVersion: 2 });
    const stored = await app.recorder.selectEvents(`Dog-${id}`);
    expect(stored.map((e) => e.metadata.schemaVersion)).toEqual([1, 1, 2]);
    expect(JSON.parse(new TextDecoder().decode(stored[2]?.state))).toEqual({
      name: 'stay',
      difficulty: 3,
    });
  });

  async function loadFailure(app: Application, event: Partial<StoredEvent>) {
    const id = await oldDog(app);
    await app.recorder.insertEvents([
      {
        originatorId: `Dog-${id}`,
        originatorVersion: 2,
        topic: 'Dog.TrickAdded',
        state: new TextEncoder().encode(JSON.stringify({ trick: 'roll over' })),
        metadata: { schemaVersion: 1 },
        eventId: randomUUID(),
        ...event,
      },
    ]);
    const fresh = open();
    const reader = env.PERSISTENCE_MODULE === 'kurrentdb' ? fresh : app;
    app.repository.passivateIdle(0);
    return {
      id,
      error: await reader.repository.get(DogV2, id, { version: 2 }).catch((e: unknown) => e),
    };
  }

  it.each([
    ['bad JSON', { state: new TextEncoder().encode('{"trick": ') }, /invalid JSON payload/],
    ['a JSON array', { state: new TextEncoder().encode('[1]') }, /not a JSON object/],
    [
      'a newer schema version',
      { metadata: { schemaVersion: 9 } },
      /schema version 9 is not one this code knows/,
    ],
    ['an unknown event type', { topic: 'Dog.Vanished' }, /not a domain event of aggregate 'Dog'/],
    [
      'a payload failing the schema after upcasting',
      { state: new TextEncoder().encode(JSON.stringify({ trick: 42 })) },
      /payload fails its schema: name:/,
    ],
  ])(
    '%s fails the load with a DecodingError naming stream, revision and type',
    async (_, event, reason) => {
      const app = open();
      const { id, error } = await loadFailure(app, event);
      expect(error).toBeInstanceOf(DecodingError);
      expect(error).toMatchObject({ code: 'DECODING', streamName: `Dog-${id}`, revision: 2 });
      expect((error as Error).message).toMatch(new RegExp(`at revision 2 of stream 'Dog-${id}'`));
      expect((error as Error).message).toMatch(reason);
    },
  );

  it('a throwing upcaster fails the load with the upcaster error as cause', async () => {
    const Broken = defineAggregate({
      name: 'Dog',
      machine: dogV2Machine,
      upcasters: {
        TrickAdded: [
          () => {
            throw new RangeError('no trick');
          },
        ],
      },
    });
    const app = open();
    const id = await oldDog(app);
    const error = await app.repository.get(Broken, id, { version: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecodingError);
    expect((error as Error).message).toMatch(
      /'Dog.TrickAdded' at revision 1 .*upcaster from version 1 to 2 failed/,
    );
    expect((error as Error).cause).toBeInstanceOf(RangeError);
  });
});
