/**
 * The lifecycle actor of each aggregate, as the inspector sees it: loading → ready ⇄ executing
 * (retrying on conflicts) → passivated / stopped; failed when a load fails or the machine can't
 * apply its own stored events (then the aggregate is dropped and reloaded on the next get).
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

  it('fails when the machine throws applying stored events, and the aggregate is reloaded', async () => {
    const fragile = setup({
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
              if (event.name === 'boom') throw new Error('cannot apply boom');
              return [...context.names, event.name];
            },
          }),
        },
      },
    });
    const Fragile = defineAggregate({ name: 'Fragile', machine: fragile });
    const seen: InspectionEvent[] = [];
    await using app = new Application({ inspect: (event) => seen.push(event) });
    const id = randomUUID();
    const aggregate = await app.repository.create(Fragile, id);
    await aggregate.execute({ type: 'add', name: 'ok' });
    await expect(aggregate.execute({ type: 'add', name: 'boom' })).rejects.toThrow(
      ProgrammingError,
    );
    expect(lifecycleStates(seen).get(`lifecycle:Fragile-${id}`)?.at(-1)).toBe('failed');
    expect(app.repository.instanceOf(Fragile, id)).toBeUndefined();
    // The event was stored, so every later load fails, naming it.
    const error = await app.repository.get(Fragile, id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecodingError);
    expect((error as Error).message).toMatch(/'Fragile.Added' at revision 1 .*cannot apply boom/);
    // The same with nobody watching (the actor takes the folded state instead of a send).
    await using quiet = new Application();
    const other = await quiet.repository.create(Fragile, randomUUID());
    await other.execute({ type: 'add', name: 'ok' });
    await expect(other.execute({ type: 'add', name: 'boom' })).rejects.toThrow(ProgrammingError);
    expect(quiet.repository.instanceOf(Fragile, other.aggregateId)).toBeUndefined();
    expect(other.getSnapshot().context.names).toEqual(['ok']);
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
