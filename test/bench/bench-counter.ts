/**
 * The Counter aggregate of the runtime tests (`test/support/counter.ts`), repeated here because
 * the benchmarks are built without `test/support`: `start` emits `Started`, `increment { by? }`
 * emits `Incremented { by }`, which adds `by` to the count.
 */
import { assign, emit, setup } from 'xstate';
import { defineAggregate } from '../../src/runtime/aggregate/define-aggregate.js';

export const counterMachine = setup({
  types: {
    context: {} as { count: number },
    events: {} as
      | { type: 'increment'; by?: number }
      | { type: 'Incremented'; by: number }
      | { type: 'start' }
      | { type: 'Started' },
    emitted: {} as { type: 'Incremented'; by: number } | { type: 'Started' },
  },
}).createMachine({
  id: 'Counter',
  context: { count: 0 },
  initial: 'idle',
  states: {
    idle: {
      on: {
        start: { actions: emit({ type: 'Started' }) },
        Started: 'counting',
      },
    },
    counting: {
      on: {
        increment: { actions: emit(({ event }) => ({ type: 'Incremented', by: event.by ?? 1 })) },
        Incremented: {
          actions: assign({ count: ({ context, event }) => context.count + event.by }),
        },
      },
    },
  },
});

export const Counter = defineAggregate({ name: 'Counter', machine: counterMachine });
