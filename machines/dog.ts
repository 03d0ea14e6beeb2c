/**
 * The `Dog` of the Python library's "Getting started": register a dog, teach it tricks.
 *
 * Commands (`register`, `addTrick`) only emit domain events; the domain events (`Registered`,
 * `TrickAdded`) change context and state. No I/O: the runtime persists what is emitted.
 *
 * @module
 */
import { assign, emit, setup } from 'xstate';
import { defineAggregate } from '../src/runtime/aggregate/define-aggregate.js';

export interface DogContext {
  readonly name: string;
  readonly tricks: readonly string[];
}

/** What happened to a dog (stored as `Dog.Registered`, `Dog.TrickAdded`). */
export type DogEvent =
  | { readonly type: 'Registered'; readonly name: string }
  | { readonly type: 'TrickAdded'; readonly trick: string };

/** What can be asked of a dog. */
export type DogCommand =
  | { readonly type: 'register'; readonly name: string }
  | { readonly type: 'addTrick'; readonly trick: string };

export const dogMachine = setup({
  types: {
    context: {} as DogContext,
    events: {} as DogCommand | DogEvent,
    emitted: {} as DogEvent,
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
        addTrick: { actions: emit(({ event }) => ({ type: 'TrickAdded', trick: event.trick })) },
        TrickAdded: {
          actions: assign({ tricks: ({ context, event }) => [...context.tricks, event.trick] }),
        },
      },
    },
  },
});

export const Dog = defineAggregate({ name: 'Dog', machine: dogMachine });
