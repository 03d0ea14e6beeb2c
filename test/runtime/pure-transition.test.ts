/**
 * The command path's pure transition against XState's own `transition()`: the same snapshot
 * (value, context, status, children) and the same emitted events for every event of several
 * machines — those whose transitions take the shortcut (targetless, `assign`/`emit`/custom
 * actions, no eventless transitions) and those that must take XState's full macrostep.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  type AnyActorRef,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  assign,
  createMachine,
  type EventObject,
  emit,
  enqueueActions,
  initialTransition,
  raise,
  setup,
  transition,
} from 'xstate';
import { bankAccountMachine } from '../../machines/bank-account.js';
import { dogMachine } from '../../machines/dog.js';
import { pureTransition } from '../../src/runtime/aggregate/pure-transition.js';
import { counterMachine } from '../support/counter.js';

/** What two transitions must agree on. */
function observable(
  snapshot: AnyMachineSnapshot,
  actions: readonly { type: string; params?: unknown }[],
) {
  return {
    value: snapshot.value,
    // Spawned actors differ by system: compare them by id.
    context: Object.fromEntries(
      Object.entries(snapshot.context as object).map(([key, value]) => [
        key,
        typeof value === 'object' && value !== null && 'sessionId' in value
          ? `actor ${(value as AnyActorRef).id}`
          : value,
      ]),
    ),
    status: snapshot.status,
    children: Object.keys(snapshot.children),
    tags: [...snapshot.tags].sort(),
    emitted: actions
      .filter((action) => action.type === 'xstate.emit')
      .map((action) => (action.params as { event: EventObject }).event),
    reported: actions
      .filter((action) => action.type !== 'xstate.emit')
      .map((action) => action.type),
  };
}

/**
 * Runs `events` through both and compares each step.
 *
 * @returns how many steps took the full macrostep (`machine.transition`).
 */
function compare(
  machine: AnyStateMachine,
  events: readonly (EventObject & Record<string, unknown>)[],
): number {
  const spy = vi.spyOn(machine, 'transition');
  try {
    let ours = initialTransition(machine)[0] as AnyMachineSnapshot;
    let theirs = ours;
    for (const event of events) {
      const step = pureTransition(machine, ours, event);
      const [next, actions] = transition(machine, theirs as never, event as never);
      expect(
        observable(step.snapshot, step.actions),
        `${event.type} in ${JSON.stringify(ours.value)}`,
      ).toEqual(observable(next as AnyMachineSnapshot, actions as never));
      // The same own keys as XState's snapshots (the shortcut copies them).
      expect(Object.keys(step.snapshot)).toEqual(Object.keys(next as object));
      expect(step.enabled).toBe(
        machine.getTransitionData(ours as never, event as never).length > 0,
      );
      if (!step.enabled) expect(step.snapshot).toBe(ours);
      ours = step.snapshot;
      theirs = next as AnyMachineSnapshot;
    }
    // `transition()` above calls machine.transition once per event itself.
    return spy.mock.calls.length - events.length;
  } finally {
    spy.mockRestore();
  }
}

describe('pureTransition', () => {
  it('takes the shortcut for the seed machines and matches transition() on each step', () => {
    expect(
      compare(dogMachine, [
        { type: 'register', name: 'Fido' },
        { type: 'Registered', name: 'Fido' }, // a target: the full macrostep
        { type: 'addTrick', trick: 'roll over' },
        { type: 'TrickAdded', trick: 'roll over' },
        { type: 'nonsense' },
      ]),
    ).toBe(1);
    expect(
      compare(counterMachine, [
        { type: 'increment' }, // not in 'idle': no transition
        { type: 'start' },
        { type: 'Started' }, // a target: the full macrostep
        { type: 'increment', by: 2 },
        { type: 'Incremented', by: 2 },
        { type: 'Incremented', by: 3 },
      ]),
    ).toBe(1);
  });

  it('matches transition() on guarded commands, targets and final states (BankAccount)', () => {
    const full = compare(bankAccountMachine, [
      { type: 'open', owner: 'Ada', overdraftLimit: 10 },
      { type: 'Opened', owner: 'Ada', overdraftLimit: 10 },
      { type: 'deposit', amount: 5 },
      { type: 'Deposited', amount: 5 },
      { type: 'withdraw', amount: 100 }, // guard false
      { type: 'withdraw', amount: 15 },
      { type: 'Withdrawn', amount: 15 },
      { type: 'close' },
      { type: 'Closed' },
      { type: 'deposit', amount: 1 },
    ]);
    expect(full).toBeGreaterThan(0);
  });

  it('resolves named actions with params and reports custom actions as transition() does', () => {
    const machine = setup({
      types: {
        context: {} as { total: number; log: string[] },
        events: {} as { type: 'add'; n: number } | { type: 'Added'; n: number },
      },
      actions: {
        announce: emit((_, params: { n: number }) => ({ type: 'Added', n: params.n })),
        addUp: assign({ total: ({ context }, params: { n: number }) => context.total + params.n }),
        note: assign({ log: ({ context, event }) => [...context.log, event.type] }),
        sideEffect: () => undefined,
      },
    }).createMachine({
      context: { total: 0, log: [] },
      on: {
        add: {
          actions: [
            { type: 'announce', params: ({ event }) => ({ n: event.n }) },
            { type: 'announce', params: { n: 100 } },
            'sideEffect',
            () => undefined,
          ],
        },
        Added: {
          actions: [
            { type: 'addUp', params: ({ event }) => ({ n: event.n }) },
            'note',
            'sideEffect',
          ],
        },
      },
    });
    const full = compare(machine, [
      { type: 'add', n: 2 },
      { type: 'Added', n: 2 },
      { type: 'Added', n: 100 },
    ]);
    expect(full).toBe(0);
  });

  it('merges assigns as XState does: functions, objects of values and updaters, one after another', () => {
    const machine = setup({
      types: {
        context: {} as { a: number; b: string; list: number[] },
        events: {} as { type: 'Set'; n: number },
      },
    }).createMachine({
      context: { a: 0, b: '', list: [] },
      on: {
        Set: {
          actions: [
            assign(({ context, event }) => ({ a: context.a + event.n })),
            assign({ b: 'set', list: ({ context }) => [...context.list, context.a] }),
            assign({ a: ({ context }) => context.a * 10 }),
          ],
        },
      },
    });
    expect(
      compare(machine, [
        { type: 'Set', n: 1 },
        { type: 'Set', n: 2 },
      ]),
    ).toBe(0);
  });

  it('takes the full macrostep for an assign that spawns an actor', () => {
    const machine = setup({
      types: { context: {} as { child: AnyActorRef | null }, events: {} as { type: 'Adopted' } },
      actors: { child: createMachine({}) },
    }).createMachine({
      context: { child: null },
      on: { Adopted: { actions: assign({ child: ({ spawn }) => spawn('child', { id: 'kid' }) }) } },
    });
    expect(compare(machine, [{ type: 'Adopted' }])).toBe(1);
  });

  it('takes the full macrostep for eventless transitions, raise, enqueueActions and parallel regions', () => {
    const withAlways = setup({
      types: { context: {} as { n: number }, events: {} as { type: 'Bumped' } },
    }).createMachine({
      context: { n: 0 },
      initial: 'low',
      states: {
        low: {
          always: { guard: ({ context }) => context.n >= 2, target: 'high' },
          on: { Bumped: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
        },
        high: {},
      },
    });
    expect(compare(withAlways, [{ type: 'Bumped' }, { type: 'Bumped' }, { type: 'Bumped' }])).toBe(
      3,
    );

    const withRaise = setup({
      types: {
        context: {} as { n: number },
        events: {} as { type: 'go' } | { type: 'inner' },
      },
    }).createMachine({
      context: { n: 0 },
      on: {
        go: { actions: [raise({ type: 'inner' }), emit({ type: 'Went' })] },
        inner: { actions: assign({ n: ({ context }) => context.n + 1 }) },
      },
    });
    expect(compare(withRaise, [{ type: 'go' }, { type: 'inner' }])).toBe(1);

    const withEnqueue = setup({
      types: { context: {} as { n: number }, events: {} as { type: 'go'; twice: boolean } },
    }).createMachine({
      context: { n: 0 },
      on: {
        go: {
          actions: enqueueActions(({ enqueue, event }) => {
            enqueue.emit({ type: 'Went' });
            if (event.twice) enqueue.emit({ type: 'Went' });
          }),
        },
      },
    });
    expect(
      compare(withEnqueue, [
        { type: 'go', twice: true },
        { type: 'go', twice: false },
      ]),
    ).toBe(2);

    const parallel = setup({
      types: { context: {} as { a: number; b: number }, events: {} as { type: 'Both' } },
    }).createMachine({
      context: { a: 0, b: 0 },
      type: 'parallel',
      states: {
        left: { on: { Both: { actions: assign({ a: ({ context }) => context.a + 1 }) } } },
        right: { on: { Both: { actions: assign({ b: ({ context }) => context.b + 1 }) } } },
      },
    });
    expect(compare(parallel, [{ type: 'Both' }, { type: 'Both' }])).toBe(2);
  });
});
