/**
 * The lifecycle actor of each aggregate, as the inspector sees it: loading → ready ⇄ executing
 * (retrying on conflicts) → passivated / stopped; failed when a load fails or the machine can't
 * apply its own stored events (then the aggregate is dropped and reloaded on the next get).
 * Events the machine fails to apply when deciding are never stored.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { assign, emit, setup } from 'xstate';
import { Dog } from '../../machines/dog.js';
import { Application } from '../../src/application/application.js';
import { AggregateNotFoundError, DecodingError, ProgrammingError } from '../../src/core/errors.js';
import { defineAggregate } from '../../src/runtime/aggregate/define-aggregate.js';

/** The lifecycle states each lifecycle actor went through, by actor id. */
function lifecycleStates(events: InspectionEvent[]): Map<string, unknown[]> {
  const states = new Map<string, unknown[]>();
  for (const event of events) {
    const id = (event.actorRef as { id?: string }).id ?? '';
    if (event.type !== '@xstate.snapshot' || !id.startsWith('lifecycle:')) continue;
    const list = states.get(id) ?? [];
    const value = (event.snapshot as unknown as { value: unknown }).value;
    if (list.at(-1) !== value) list.push(value);
    states.set(id, list);
  }
  return states;
}

/** Adds names; applying `Added` throws for the names `fails` picks. */
function fragileMachine(fails: (name: string) => boolean) {
  return setup({
    types: {
      context: {} as { names: string[] },
      events: {} as { type: 'add'; name: string } | { type: 'Added'; name: string },
      emitted: {} as { type: 'Added'; name: string },
    },
  }).createMachine({
    id: 'Fragile',
    context: { names: [] },
    on: {
      add: { actions: emit(({ event }) => ({ type: 'Added', name: event.name })) },
      Added: {
        actions: assign({
          names: ({ context, event }) => {
            if (fails(event.name)) throw new Error(`cannot apply ${event.name}`);
            return [...context.names, event.name];
          },
        }),
      },
    },
  });
}

/**
 * An inspected application with a Fragile aggregate (see {@link fragileMachine}) that stored 'ok';
 * `lifecycleState()` is the last state its lifecycle actor showed.
 */
async function inspectedFragile(fails: (name: string) => boolean) {
  const Fragile = defineAggregate({ name: 'Fragile', machine: fragileMachine(fails) });
  const seen: InspectionEvent[] = [];
  const app = new Application({ inspect: (event) => seen.push(event) });
  const id = randomUUID();
  const aggregate = await app.repository.create(Fragile, id);
  await aggregate.execute({ type: 'add', name: 'ok' });
  return {
    Fragile,
    app,
    id,
    aggregate,
    lifecycleState: () => lifecycleStates(seen).get(`lifecycle:Fragile-${id}`)?.at(-1),
    [Symbol.asyncDispose]: () => app.close(),
  };
}

describe('aggregate lifecycles', () => {
  it('runs loading → ready → executing → ready → passivated, and failed on a failed load', async () => {
    const seen: InspectionEvent[] = [];
    await using app = new Application({ inspect: (event) => seen.push(event) });
    const id = randomUUID();
    const dog = await app.repository.create(Dog, id);
    await dog.execute({ type: 'register', name: 'Fido' });
    app.repository.passivateIdle(0);
    await expect(app.repository.get(Dog, 'nobody')).rejects.toThrow(AggregateNotFoundError);
    const states = lifecycleStates(seen);
    expect(states.get(`lifecycle:Dog-${id}`)).toEqual([
      'loading',
      'ready',
      'executing',
      'ready',
      'passivated',
    ]);
    expect(states.get('lifecycle:Dog-nobody')).toEqual(['loading', 'failed']);
  });

  it('refuses a command whose events its own machine fails to apply, storing nothing', async () => {
    await using fixture = await inspectedFragile((name) => name === 'boom');
    const { Fragile, app, id, aggregate } = fixture;
    const error = await aggregate.execute({ type: 'add', name: 'boom' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProgrammingError);
    expect((error as Error).message).toMatch(
      /command 'add' emitted 'Added', and applying it in state .* threw: cannot apply boom/,
    );
    // Deciding applies the events before they are stored: nothing was appended.
    expect(await app.recorder.selectEvents(Fragile.streamName(id))).toHaveLength(1);
    expect(fixture.lifecycleState()).toBe('ready');
    expect(aggregate.version).toBe(0);
    await aggregate.execute({ type: 'add', name: 'next' });
    expect(aggregate.getSnapshot().context.names).toEqual(['ok', 'next']);
  });

  it('fails when the machine throws applying events it applied when deciding, and the aggregate is reloaded', async () => {
    // Applying 'flaky' throws once, the second time: when deciding it applies, after storing not.
    let flakyApplications = 0;
    await using fixture = await inspectedFragile(
      (name) => name === 'flaky' && ++flakyApplications === 2,
    );
    const { Fragile, app, id, aggregate } = fixture;
    await expect(aggregate.execute({ type: 'add', name: 'flaky' })).rejects.toThrow(
      /failed to apply the events of 'add' after they were stored \(version 1\)/,
    );
    expect(fixture.lifecycleState()).toBe('failed');
    expect(app.repository.instanceOf(Fragile, id)).toBeUndefined();
    // The event was stored; the next get reloads the aggregate from the store.
    const reloaded = await app.repository.get(Fragile, id);
    expect(reloaded.getSnapshot().context.names).toEqual(['ok', 'flaky']);
    expect(reloaded.version).toBe(1);
    // The same with nobody watching (the actor takes the decided state instead of a send, so
    // only a machine that decides one way and applies another reaches this path).
    flakyApplications = 0;
    await using quiet = new Application();
    const other = await quiet.repository.create(Fragile, randomUUID());
    await other.execute({ type: 'add', name: 'flaky' });
    expect(other.getSnapshot().context.names).toEqual(['flaky']);
    expect(flakyApplications).toBe(1);
  });

  it('names the stream, revision and type when a stored event fails to apply on load', async () => {
    let failing = false;
    const Fragile = defineAggregate({
      name: 'Fragile',
      machine: fragileMachine((name) => failing && name === 'later-boom'),
    });
    await using app = new Application();
    const id = randomUUID();
    const aggregate = await app.repository.create(Fragile, id);
    await aggregate.execute({ type: 'add', name: 'ok' });
    await aggregate.execute({ type: 'add', name: 'later-boom' });
    failing = true; // the machine changed since the event was stored
    const error = await app.repository.get(Fragile, id, { version: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecodingError);
    expect((error as Error).message).toMatch(
      /'Fragile.Added' at revision 1 .*cannot apply later-boom/,
    );
  });

  it('applies the same way whether anyone watches the actor or not', async () => {
    await using app = new Application();
    const watched = await app.repository.create(Dog, randomUUID());
    const unwatched = await app.repository.create(Dog, randomUUID());
    const seen: number[] = [];
    watched.subscribe((snapshot) => seen.push(snapshot.context.tricks.length));
    for (const dog of [watched, unwatched]) {
      await dog.execute({ type: 'register', name: 'Fido' });
      await dog.execute({ type: 'addTrick', trick: 'sit' });
      await dog.execute({ type: 'addTrick', trick: 'stay' });
    }
    expect(unwatched.getSnapshot().value).toEqual(watched.getSnapshot().value);
    expect(unwatched.getSnapshot().context).toEqual(watched.getSnapshot().context);
    expect(unwatched.version).toBe(2);
    expect(seen.at(-1)).toBe(2);
    // A later subscriber starts from the folded state and sees what follows.
    const later: string[][] = [];
    unwatched.subscribe((snapshot) => later.push([...snapshot.context.tricks]));
    await unwatched.execute({ type: 'addTrick', trick: 'roll over' });
    expect(later.at(-1)).toEqual(['sit', 'stay', 'roll over']);
  });
});
