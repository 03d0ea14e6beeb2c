import { describe, expect, it } from 'vitest';
import { assign, emit, enqueueActions, setup } from 'xstate';
import {
  CommandRejectedError,
  ConfigurationError,
  ProgrammingError,
} from '../../src/core/errors.js';
import { defineAggregate } from '../../src/runtime/aggregate/define-aggregate.js';
import { given } from '../../src/testing/given-when-then.js';

type Ev = { type: 'go' } | { type: 'Went' } | { type: 'check' } | { type: 'Checked' };

const typed = setup({
  types: {
    context: {} as { count: number },
    events: {} as Ev,
    emitted: {} as { type: 'Went' } | { type: 'Checked' },
  },
});

const thrown = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
};

describe('defineAggregate: machine analysis', () => {
  it('refuses a command transition that assigns context, naming state and transition', () => {
    const machine = typed.createMachine({
      id: 'M',
      context: { count: 0 },
      initial: 'idle',
      states: {
        idle: {
          on: {
            go: {
              actions: [
                emit({ type: 'Went' }),
                assign({ count: ({ context }) => context.count + 1 }),
              ],
            },
            Went: { actions: assign({ count: 1 }) },
          },
        },
      },
    });
    const error = thrown(() => defineAggregate({ name: 'Assigning', machine }));
    expect(error).toBeInstanceOf(ProgrammingError);
    expect(error.message).toContain("'Assigning'");
    expect(error.message).toContain("transition 'go' of state 'M.idle'");
    expect(error.message).toContain('assigns context');
    expect(error.message).not.toContain('targets another state');
  });

  it('refuses a command transition that targets a state, naming state and transition', () => {
    const machine = typed.createMachine({
      id: 'M',
      context: { count: 0 },
      initial: 'idle',
      states: {
        idle: {
          on: {
            go: { target: 'done', actions: emit({ type: 'Went' }) },
            Went: { target: 'done' },
          },
        },
        done: {},
      },
    });
    const error = thrown(() => defineAggregate({ name: 'Targeting', machine }));
    expect(error).toBeInstanceOf(ProgrammingError);
    expect(error.message).toContain("transition 'go' of state 'M.idle'");
    expect(error.message).toContain('targets another state');
  });

  it('refuses a command whose named action (from setup) assigns', () => {
    const machine = setup({
      types: {
        context: {} as { count: number },
        events: {} as Ev,
        emitted: {} as { type: 'Went' },
      },
      actions: { bump: assign({ count: ({ context }) => context.count + 1 }) },
    }).createMachine({
      id: 'M',
      context: { count: 0 },
      initial: 'idle',
      states: {
        idle: { on: { go: { actions: [emit({ type: 'Went' }), 'bump'] }, Went: {} } },
      },
    });
    expect(() => defineAggregate({ name: 'Named', machine })).toThrow(/assigns context/);
  });

  it('refuses a domain-event transition that emits', () => {
    const machine = typed.createMachine({
      id: 'M',
      context: { count: 0 },
      initial: 'idle',
      states: {
        idle: {
          on: {
            go: { actions: emit({ type: 'Went' }) },
            // Declared a domain event below, but emits: it would emit again on every replay.
            Went: { actions: [assign({ count: 1 }), emit({ type: 'Checked' })] },
          },
        },
      },
    });
    const error = thrown(() =>
      defineAggregate({ name: 'EmittingEvent', machine, events: ['Went', 'Checked'] }),
    );
    expect(error).toBeInstanceOf(ProgrammingError);
    expect(error.message).toContain("domain event transition 'Went' of state 'M.idle' emits");
  });

  it('refuses a type that is a command in one state and a domain event in another', () => {
    const machine = typed.createMachine({
      id: 'M',
      context: { count: 0 },
      initial: 'a',
      states: {
        a: { on: { go: { actions: emit({ type: 'Went' }) }, Went: { target: 'b' } } },
        b: { on: { go: { actions: assign({ count: 2 }) } } },
      },
    });
    const error = thrown(() => defineAggregate({ name: 'Ambiguous', machine }));
    expect(error).toBeInstanceOf(ProgrammingError);
    expect(error.message).toContain("'go' is a command in one state and a domain event in another");
  });

  it('refuses the ambiguity whichever state is walked first', () => {
    const machine = typed.createMachine({
      id: 'M',
      context: { count: 0 },
      initial: 'a',
      states: {
        a: { on: { go: { actions: assign({ count: 2 }) } } },
        b: { on: { go: { actions: emit({ type: 'Went' }) }, Went: {} } },
      },
    });
    expect(() => defineAggregate({ name: 'Ambiguous2', machine })).toThrow(
      /'go' is a command in one state and a domain event in another/,
    );
  });

  it('an enqueueActions command that assigns passes analysis but is refused at first use', async () => {
    const machine = typed.createMachine({
      id: 'M',
      context: { count: 0 },
      initial: 'idle',
      states: {
        idle: {
          on: {
            go: {
              actions: enqueueActions(({ enqueue }) => {
                enqueue.assign({ count: 99 });
                enqueue.emit({ type: 'Went' });
              }),
            },
            check: {
              actions: enqueueActions(({ enqueue }) => enqueue.emit({ type: 'Checked' })),
            },
            Went: { actions: assign({ count: 1 }) },
            Checked: { actions: assign({ count: 2 }) },
          },
        },
      },
    });
    const Sneaky = defineAggregate({ name: 'Sneaky', machine });
    expect(Sneaky.commandTypes.has('go')).toBe(true);
    await given(Sneaky)
      .when({ type: 'go' })
      .then(
        (e) =>
          e instanceof ProgrammingError &&
          e.message.includes("command transition 'go'") &&
          e.message.includes('"idle"') &&
          e.message.includes('changed context'),
      );
    // A well-behaved enqueueActions command still works.
    await given(Sneaky)
      .when({ type: 'check' })
      .then([{ type: 'Checked' }]);
  });

  it('`events` overrides inference: a command with a custom action is still a command', async () => {
    const machine = typed.createMachine({
      id: 'M',
      context: { count: 0 },
      initial: 'idle',
      states: {
        idle: {
          on: {
            // A custom action, no emit: inference alone takes it for a domain event.
            check: { guard: ({ context }) => context.count === 0, actions: () => {} },
            go: { actions: emit({ type: 'Went' }) },
            Went: { actions: assign({ count: ({ context }) => context.count + 1 }) },
          },
        },
      },
    });
    const Inferred = defineAggregate({ name: 'Inferred', machine });
    expect(Inferred.eventTypes.has('check')).toBe(true);
    expect(Inferred.commandTypes.has('check')).toBe(false);
    await given(Inferred)
      .when({ type: 'check' } as never)
      .then((e) => e instanceof CommandRejectedError && e.message.includes('is a domain event'));

    const Declared = defineAggregate({ name: 'Declared', machine, events: ['Went', 'Checked'] });
    expect([...Declared.commandTypes].sort()).toEqual(['check', 'go']);
    expect([...Declared.eventTypes].sort()).toEqual(['Checked', 'Went']);
    // An enabled command with no emits decides to nothing; its guard false is a rejection.
    await given(Declared).when({ type: 'check' }).then([]);
    await given(Declared, [{ type: 'Went' }])
      .when({ type: 'check' })
      .then(CommandRejectedError);
  });

  it('a name with a dot is a ConfigurationError', () => {
    const machine = typed.createMachine({ id: 'M', context: { count: 0 } });
    const error = thrown(() => defineAggregate({ name: 'Bank.Account', machine }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain("'Bank.Account'");
    expect(() => defineAggregate({ name: '', machine })).toThrow(ConfigurationError);
    expect(defineAggregate({ name: 'Bank-Account', machine }).topicOf('Opened')).toBe(
      'Bank-Account.Opened',
    );
  });
});
