/**
 * The command path on both persistence modules: decide with `transition()`, append with the
 * expected revision, apply after the append; replay gives the same state; rejections write
 * nothing; commands to one aggregate run in arrival order, to different ones concurrently.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { assign, createActor, sendTo, setup } from 'xstate';
import { Dog } from '../../machines/dog.js';
import { Application } from '../../src/application/application.js';
import {
  AggregateNotFoundError,
  CommandRejectedError,
  IntegrityError,
  ProgrammingError,
} from '../../src/core/errors.js';
import type { AggregateActor } from '../../src/runtime/aggregate/aggregate-actor.js';
import { useApplications } from '../support/applications.js';
import { Counter, persistenceModules } from '../support/counter.js';

const uri = inject('kurrentdbUri');

describe.each(persistenceModules(uri))('the command path on %s', (_module, env) => {
  const open = useApplications('school', env);

  it('stores <Aggregate>.<Event> types in the stream <Aggregate>-<id>, versions from 0', async () => {
    const app = open();
    const id = randomUUID();
    const dog = await app.repository.create(Dog, id);
    const registered = await dog.execute({ type: 'register', name: 'Fido' });
    const trick = await dog.execute({ type: 'addTrick', trick: 'sit' });
    expect(registered.map((r) => r.event)).toEqual([{ type: 'Registered', name: 'Fido' }]);
    expect(registered[0]?.notification).toMatchObject({
      originatorId: `Dog-${id}`,
      originatorVersion: 0,
      topic: 'Dog.Registered',
    });
    expect(trick[0]?.notification.originatorVersion).toBe(1);
    expect(trick[0]?.notification.id).toBeGreaterThan(registered[0]?.notification.id as bigint);
    expect(dog.version).toBe(1);
    const stored = await app.recorder.selectEvents(`Dog-${id}`);
    expect(stored.map((e) => [e.originatorVersion, e.topic])).toEqual([
      [0, 'Dog.Registered'],
      [1, 'Dog.TrickAdded'],
    ]);
    expect(JSON.parse(new TextDecoder().decode(stored[1]?.state))).toEqual({ trick: 'sit' });
    expect(stored[1]?.metadata).toMatchObject({ schemaVersion: 1 });
    const last = await app.recorder.maxNotificationId();
    expect(last).toBe(trick[0]?.notification.id);
  });

  it('replays the stream into the same state the commands produced', async () => {
    const writer = open();
    const id = randomUUID();
    const dog = await writer.repository.create(Dog, id);
    await dog.execute({ type: 'register', name: 'Rex' });
    for (const trick of ['sit', 'stay', 'roll over'])
      await dog.execute({ type: 'addTrick', trick });
    const live = dog.getSnapshot();
    // A second application with its own cache rebuilds from the store (kurrentdb), or the same
    // recorder (memory) — either way from events, not from the live actor.
    const reader = env.PERSISTENCE_MODULE === 'kurrentdb' ? open() : writer;
    const replayed =
      reader === writer
        ? await writer.repository.get(Dog, id, { version: 3 })
        : await reader.repository.get(Dog, id);
    expect(replayed).not.toBe(dog);
    expect(replayed.getSnapshot().value).toEqual(live.value);
    expect(replayed.getSnapshot().context).toEqual(live.context);
    expect(replayed.version).toBe(3);
  });

  it('get of an aggregate with no events raises AggregateNotFoundError', async () => {
    const app = open();
    const id = randomUUID();
    const error = await app.repository.get(Dog, id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregateNotFoundError);
    expect((error as Error).message).toContain(id);
    expect(error).toMatchObject({
      code: 'AGGREGATE_NOT_FOUND',
      aggregateName: 'Dog',
      aggregateId: id,
    });
  });

  it('create of an id that has events raises IntegrityError at the first append', async () => {
    const app = open();
    const id = randomUUID();
    await (await app.repository.create(Dog, id)).execute({ type: 'register', name: 'Fido' });
    const again = await app.repository.create(Dog, id);
    const error = await again.execute({ type: 'register', name: 'Impostor' }).catch((e) => e);
    expect(error).toBeInstanceOf(IntegrityError);
    expect((error as Error).message).toMatch(/already exists/);
    const stored = await app.recorder.selectEvents(`Dog-${id}`);
    expect(stored).toHaveLength(1);
    const current = await app.repository.get(Dog, id);
    expect(current.getSnapshot().context.name).toBe('Fido');
  });

  it('get with a version gives a read-only actor at that past version', async () => {
    const app = open();
    const id = randomUUID();
    const dog = await app.repository.create(Dog, id);
    await dog.execute({ type: 'register', name: 'Fido' });
    await dog.execute({ type: 'addTrick', trick: 'sit' });
    await dog.execute({ type: 'addTrick', trick: 'stay' });
    const past = await app.repository.get(Dog, id, { version: 1 });
    expect(past.version).toBe(1);
    expect(past.readOnly).toBe(true);
    expect(past.getSnapshot().context.tricks).toEqual(['sit']);
    await expect(past.execute({ type: 'addTrick', trick: 'x' })).rejects.toThrow(ProgrammingError);
    await expect(app.repository.get(Dog, id, { version: 7 })).rejects.toThrow(
      AggregateNotFoundError,
    );
    expect((await app.repository.get(Dog, id)).getSnapshot().context.tricks).toEqual([
      'sit',
      'stay',
    ]);
  });

  describe('rejected commands', () => {
    const rejections: [
      string,
      (dog: AggregateActor<typeof Dog.machine>) => Promise<unknown>,
      RegExp,
    ][] = [
      [
        'not handled in the state',
        (dog) => dog.execute({ type: 'register', name: 'Again' }),
        /register/,
      ],
      ['unknown command type', (dog) => dog.execute({ type: 'fly' } as never), /unknown command/],
      [
        'a domain event sent as a command',
        (dog) => dog.execute({ type: 'TrickAdded', trick: 'x' } as never),
        /domain event/,
      ],
    ];
    it.each(rejections)(
      '%s: CommandRejectedError, nothing appended, next command works',
      async (_, act, reason) => {
        const app = open();
        const id = randomUUID();
        const dog = await app.repository.create(Dog, id);
        await dog.execute({ type: 'register', name: 'Fido' });
        const before = await app.recorder.maxNotificationId();
        const snapshot = dog.getSnapshot();
        const error = await act(dog).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CommandRejectedError);
        expect(error).toMatchObject({
          code: 'COMMAND_REJECTED',
          aggregateName: 'Dog',
          aggregateId: id,
          state: 'registered',
        });
        expect((error as Error).message).toMatch(
          /^Dog '.*' in state "registered" rejected command/,
        );
        expect((error as Error).message).toMatch(reason);
        expect(await app.recorder.maxNotificationId()).toBe(before);
        expect(dog.getSnapshot()).toBe(snapshot);
        expect(dog.version).toBe(0);
        await dog.execute({ type: 'addTrick', trick: 'sit' });
        expect(dog.getSnapshot().context.tricks).toEqual(['sit']);
        expect(dog.version).toBe(1);
      },
    );

    it('a guard that says no rejects the command', async () => {
      const app = open();
      const id = randomUUID();
      const counter = await app.repository.create(Counter, id);
      const error = await counter.execute({ type: 'increment' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CommandRejectedError);
      expect((error as Error).message).toContain('"idle"');
      expect((error as Error).message).toContain("'increment'");
      await counter.execute({ type: 'start' });
      await counter.execute({ type: 'increment', by: 2 });
      expect(counter.getSnapshot().context.count).toBe(2);
    });
  });

  /** Wraps the app's real recorder to count appends in flight (each held 5 ms longer). */
  function countAppends(app: Application): { readonly max: number } {
    const recorder = app.recorder as { appendEvents: typeof app.recorder.appendEvents };
    const real = recorder.appendEvents.bind(app.recorder);
    const stats = { inFlight: 0, max: 0 };
    recorder.appendEvents = async (events) => {
      stats.inFlight++;
      stats.max = Math.max(stats.max, stats.inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return await real(events);
      } finally {
        stats.inFlight--;
      }
    };
    return stats;
  }

  it('runs commands to one aggregate one at a time, in arrival order', async () => {
    const app = open();
    const id = randomUUID();
    const counter = await app.repository.create(Counter, id);
    await counter.execute({ type: 'start' });
    const appends = countAppends(app);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => counter.execute({ type: 'increment', by: i + 1 })),
    );
    expect(appends.max).toBe(1);
    expect(results.map((r) => r[0]?.notification.originatorVersion)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    expect(results.map((r) => r[0]?.event)).toEqual(
      Array.from({ length: 40 }, (_, i) => ({ type: 'Incremented', by: i + 1 })),
    );
    expect(counter.getSnapshot().context.count).toBe((40 * 41) / 2);
  });

  it('runs commands to different aggregates concurrently', async () => {
    const app = open();
    const ids = Array.from({ length: 20 }, () => randomUUID());
    const counters = await Promise.all(ids.map((id) => app.repository.create(Counter, id)));
    const appends = countAppends(app);
    await Promise.all(counters.map((counter) => counter.execute({ type: 'start' })));
    expect(appends.max).toBe(20);
    const lifecycle = app.repository.instanceOf(Counter, ids[0] as string)?.lifecycle;
    expect(lifecycle?.getSnapshot().value).toBe('ready');
    expect(lifecycle?.getSnapshot().context).toMatchObject({ conflicts: 0, lastError: undefined });
    for (const id of ids) expect((await app.repository.get(Counter, id)).version).toBe(0);
  });

  it('is a real XState actor: subscribe sees each applied event, other machines can sendTo it', async () => {
    const app = open();
    const id = randomUUID();
    const dog = await app.repository.create(Dog, id);
    const seen: unknown[] = [];
    const subscription = dog.subscribe((snapshot) => seen.push(snapshot.context.tricks.length));
    await dog.execute({ type: 'register', name: 'Fido' });
    const trainer = createActor(
      setup({
        types: {
          context: {} as { dog: typeof dog; sent: number },
          input: {} as { dog: typeof dog },
        },
      }).createMachine({
        context: ({ input }) => ({ dog: input.dog, sent: 0 }),
        on: {
          teach: {
            actions: [
              sendTo(({ context }) => context.dog, { type: 'addTrick', trick: 'fetch' }),
              assign({ sent: ({ context }) => context.sent + 1 }),
            ],
          },
        },
      }),
      { input: { dog } },
    ).start();
    trainer.send({ type: 'teach' });
    await expect.poll(() => dog.getSnapshot().context.tricks).toEqual(['fetch']);
    subscription.unsubscribe();
    expect(seen.at(-1)).toBe(1);
    const stored = await app.recorder.selectEvents(`Dog-${id}`);
    expect(stored.map((e) => e.topic)).toEqual(['Dog.Registered', 'Dog.TrickAdded']);
    // Domain events can't be sent in from outside: nothing changes, nothing is stored.
    const failures: unknown[] = [];
    await using guarded = new Application({
      name: 'school',
      env,
      onSendFailure: (_command, error) => failures.push(error),
    });
    const other = await guarded.repository.create(Dog, randomUUID());
    other.send({ type: 'Registered', name: 'Forged' } as never);
    expect(other.getSnapshot().value).toBe('unregistered');
    expect(failures[0]).toBeInstanceOf(ProgrammingError);
    trainer.stop();
  });
});
