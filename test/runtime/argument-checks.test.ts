/**
 * Hardening: bad arguments to the repository, `execute` and `send` are typed errors that name
 * the value, nothing is written, and the aggregate stays usable (issue findings 7, 9, 11).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { assign, emit, setup } from 'xstate';
import { Dog } from '../../machines/dog.js';
import { Application } from '../../src/application/application.js';
import {
  CommandRejectedError,
  ConfigurationError,
  DecodingError,
  EventSourcingError,
  ProgrammingError,
} from '../../src/core/errors.js';
import type { StandardSchemaV1 } from '../../src/core/standard-schema.js';
import type { StoredEvent } from '../../src/core/stored-event.js';
import { defineAggregate } from '../../src/runtime/aggregate/define-aggregate.js';
import { useApplications } from '../support/applications.js';
import { persistenceModules } from '../support/counter.js';

const uri = inject('kurrentdbUri');

/** A Standard Schema whose `validate` throws (a buggy schema). */
const throwingSchema: StandardSchemaV1 = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate: () => {
      throw new Error('schema exploded');
    },
  },
};

async function rejection(promise: Promise<unknown>): Promise<EventSourcingError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EventSourcingError);
  return error as EventSourcingError;
}

describe('aggregate names', () => {
  it.each([
    ['$Dog', /starts? with '\$'|does not start with '\$'/],
    ['', /must be a non-empty identifier/],
    ['Do.g', /without dots/],
  ])('refuses %j', (name, message) => {
    expect(() => defineAggregate({ name, machine: Dog.machine })).toThrow(ConfigurationError);
    expect(() => defineAggregate({ name, machine: Dog.machine })).toThrow(message);
  });

  it('refuses a name that is not a string, naming what it is', () => {
    expect(() => defineAggregate({ name: 42 as unknown as string, machine: Dog.machine })).toThrow(
      /a number \(42\)/,
    );
  });

  it('refuses a custom stream name starting with $ when the aggregate is used', async () => {
    const System = defineAggregate({
      name: 'System',
      machine: Dog.machine,
      streamName: (id) => `$${id}`,
    });
    await using app = new Application({ env: { PERSISTENCE_MODULE: 'memory' } });
    const error = await rejection(app.repository.create(System, 'x'));
    expect(error).toBeInstanceOf(ProgrammingError);
    expect(error.message).toMatch(/'\$x' starts with '\$'/);
  });
});

describe.each(persistenceModules(uri))('bad arguments on %s', (_module, env) => {
  const open = useApplications('hardening', env);

  it.each([
    ['null', null, /id is null, not a string/],
    ['a number', 42, /id is a number \(42\), not a string/],
    ['an object', {}, /id is an object, not a string/],
    ['an empty string', '', /id is empty/],
    ['a lone surrogate', 'a\uD800b', /lone UTF-16 surrogate/],
  ])('refuses an aggregate id that is %s', async (_what, id, message) => {
    const app = open();
    for (const call of [
      () => app.repository.get(Dog, id as string),
      () => app.repository.create(Dog, id as string),
    ]) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(ProgrammingError);
      expect(error.message).toMatch(message);
    }
  });

  it('refuses get(null, id) and get(Dog, id, null)', async () => {
    const app = open();
    const id = randomUUID();
    await (await app.repository.create(Dog, id)).execute({ type: 'register', name: 'Fido' });
    const noDefinition = await rejection(app.repository.get(null as never, id));
    expect(noDefinition).toBeInstanceOf(ProgrammingError);
    expect(noDefinition.message).toMatch(/aggregate definition is null/);
    const nullOptions = await rejection(app.repository.get(Dog, id, null as never));
    expect(nullOptions).toBeInstanceOf(ProgrammingError);
    expect(nullOptions.message).toMatch(/options must be an object or undefined, got null/);
  });

  it.each([
    ['execute(cmd, null)', null, /options must be an object or undefined, got null/],
    ['a bigint commandId', { commandId: 1n }, /option 'commandId' is a bigint \(1n\)/],
    ['a number commandId', { commandId: 7 }, /option 'commandId' is a number \(7\)/],
    ['an empty commandId', { commandId: '' }, /option 'commandId' is empty/],
    ['a number correlationId', { correlationId: 7 }, /option 'correlationId' is a number/],
    ['array metadata', { metadata: [] }, /option 'metadata' must be a plain object/],
    ['a cyclic metadata', { metadata: cyclic() }, /cycl/],
    ['a function in metadata', { metadata: { f: () => 1 } }, /function/],
    [
      'a throwing toJSON in metadata',
      {
        metadata: {
          x: {
            toJSON: () => {
              throw new Error('no');
            },
          },
        },
      },
      /function/,
    ],
  ])('refuses %s, stores nothing and stays usable', async (_what, options, message) => {
    const app = open();
    const id = randomUUID();
    const dog = await app.repository.create(Dog, id);
    await dog.execute({ type: 'register', name: 'Fido' });
    const error = await rejection(
      dog.execute({ type: 'addTrick', trick: 'sit' }, options as never),
    );
    expect(error).toBeInstanceOf(ProgrammingError);
    expect(error.message).toMatch(message);
    await dog.execute({ type: 'addTrick', trick: 'stay' });
    const stored = await app.recorder.selectEvents(`Dog-${id}`);
    expect(stored.map((e) => e.topic)).toEqual(['Dog.Registered', 'Dog.TrickAdded']);
    expect(dog.getSnapshot().context.tricks).toEqual(['stay']);
  });

  it('stores a bigint and a Date in metadata in their transcoded form', async () => {
    const app = open();
    const id = randomUUID();
    const dog = await app.repository.create(Dog, id);
    const at = new Date('2026-01-02T03:04:05.006Z');
    await dog.execute({ type: 'register', name: 'Fido' }, { metadata: { big: 10n ** 30n, at } });
    const [stored] = await app.recorder.selectEvents(`Dog-${id}`);
    expect(stored?.metadata).toMatchObject({
      big: { _type_: 'bigint_str', _data_: '1000000000000000000000000000000' },
      at: { _type_: 'datetime_iso', _data_: '2026-01-02T03:04:05.006Z' },
    });
  });

  it('reports actor.send({}) and send(null) as typed failures, never a crash', async () => {
    const failures: unknown[] = [];
    const app = new Application({
      name: 'hardening',
      env,
      onSendFailure: (_command, error) => failures.push(error),
    });
    try {
      const dog = await app.repository.create(Dog, randomUUID());
      dog.send({} as never);
      dog.send({ type: 42 } as never);
      expect(failures).toHaveLength(2);
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(ProgrammingError);
        expect((failure as Error).message).toMatch(/without a string type/);
      }
      await dog.execute({ type: 'register', name: 'Fido' });
      expect(dog.getSnapshot().context.name).toBe('Fido');
    } finally {
      await app.close();
    }
  });

  it.each([
    [
      'a command schema',
      'addTrick',
      /schema of command 'addTrick' threw instead of answering: schema exploded/,
    ],
    ['an event schema', 'TrickAdded', /emitted 'TrickAdded'.*schema threw instead of answering/],
  ])(
    '%s whose validate throws is a ProgrammingError; nothing is stored',
    async (_what, type, message) => {
      const name = `Strict${type}`;
      const Strict = defineAggregate({
        name,
        machine: Dog.machine,
        schemas: { [type]: throwingSchema },
      });
      const app = open();
      const id = randomUUID();
      const dog = await app.repository.create(Strict, id);
      await dog.execute({ type: 'register', name: 'Fido' });
      const error = await rejection(dog.execute({ type: 'addTrick', trick: 'sit' }));
      expect(error).toBeInstanceOf(ProgrammingError);
      expect(error.message).toMatch(message);
      expect(await app.recorder.selectEvents(`${name}-${id}`)).toHaveLength(1);
      await expect(dog.execute({ type: 'register', name: 'Rex' })).rejects.toBeInstanceOf(
        CommandRejectedError,
      );
    },
  );

  it('an event schema that throws on load is a DecodingError naming the event', async () => {
    const Strict = defineAggregate({
      name: 'LoadedDog',
      machine: Dog.machine,
      schemas: { Registered: throwingSchema },
    });
    const app = open();
    const id = randomUUID();
    await app.recorder.insertEvents([registered(`LoadedDog-${id}`, 'LoadedDog', 1)]);
    const error = await rejection(app.repository.get(Strict, id));
    expect(error).toBeInstanceOf(DecodingError);
    expect(error.message).toMatch(/Registered' at revision 0 .*schema threw instead of answering/);
  });

  it('an async upcaster is a DecodingError, never a null state', async () => {
    const V2 = defineAggregate({
      name: 'UpcastDog',
      machine: Dog.machine,
      upcasters: { Registered: [(async (data: Record<string, unknown>) => data) as never] },
    });
    const app = open();
    const id = randomUUID();
    await app.recorder.insertEvents([registered(`UpcastDog-${id}`, 'UpcastDog', 1)]);
    const error = await rejection(app.repository.get(V2, id));
    expect(error).toBeInstanceOf(DecodingError);
    expect(error.message).toMatch(/upcaster from version 1 to 2 returned an instance of Promise/);
  });

  it('refuses an emitted event whose payload the transcoder cannot store; the aggregate stays usable', async () => {
    const machine = setup({
      types: {
        context: {} as { values: unknown[] },
        events: {} as { type: 'put'; value: unknown } | { type: 'Put'; value: unknown },
        emitted: {} as { type: 'Put'; value: unknown },
      },
    }).createMachine({
      id: 'Box',
      context: { values: [] },
      on: {
        put: { actions: emit(({ event }) => ({ type: 'Put', value: event.value })) },
        Put: {
          actions: assign({ values: ({ context, event }) => [...context.values, event.value] }),
        },
      },
    });
    const Box = defineAggregate({ name: 'Box', machine });
    const app = open();
    const id = randomUUID();
    const box = await app.repository.create(Box, id);
    for (const [value, message] of [
      [() => 1, /a function .*at \.value/],
      [Number.NaN, /NaN at \.value/],
      [new (class Money {})(), /Money.* at \.value/],
      [cyclic(), /cyclic reference at \.value\.self/],
    ] as const) {
      const error = await rejection(box.execute({ type: 'put', value }));
      expect(error).toBeInstanceOf(ProgrammingError);
      expect(error.message).toMatch(/the payload of event 'Put'/);
      expect(error.message).toMatch(message);
    }
    await box.execute({ type: 'put', value: 1 });
    expect(await app.recorder.selectEvents(`Box-${id}`)).toHaveLength(1);
    expect(box.version).toBe(0);
  });
});

/** A stored `<aggregate>.Registered` event at version 0 with schema version `schemaVersion`. */
function registered(streamName: string, aggregate: string, schemaVersion: number): StoredEvent {
  return {
    originatorId: streamName,
    originatorVersion: 0,
    topic: `${aggregate}.Registered`,
    state: new TextEncoder().encode('{"name":"Fido"}'),
    metadata: { schemaVersion },
    eventId: randomUUID(),
  };
}

function cyclic(): Record<string, unknown> {
  const value: Record<string, unknown> = { a: 1 };
  value.self = value;
  return value;
}
