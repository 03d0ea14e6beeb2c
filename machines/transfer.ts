/**
 * A transfer request between two bank accounts: what was asked, and how it ended.
 *
 * `request` records `Requested` (which starts the `MoneyTransfer` process); the process records
 * the outcome with `complete`, `refund` (the source was debited and credited back) or `fail`
 * (nothing was moved). Once ended, a transfer rejects every command.
 *
 * @module
 */
import { assign, emit, setup } from 'xstate';
import { defineAggregate } from '../src/runtime/aggregate/define-aggregate.js';

export interface TransferContext {
  readonly from: string;
  readonly to: string;
  readonly amount: number;
  /** Why it was refunded or failed. */
  readonly reason: string | undefined;
}

/** What happened to a transfer (stored as `Transfer.Requested`, …). */
export type TransferEvent =
  | {
      readonly type: 'Requested';
      readonly from: string;
      readonly to: string;
      readonly amount: number;
    }
  | { readonly type: 'Completed' }
  | { readonly type: 'Refunded'; readonly reason: string }
  | { readonly type: 'Failed'; readonly reason: string };

/** What can be asked of a transfer. */
export type TransferCommand =
  | {
      readonly type: 'request';
      readonly from: string;
      readonly to: string;
      readonly amount: number;
    }
  | { readonly type: 'complete' }
  | { readonly type: 'refund'; readonly reason: string }
  | { readonly type: 'fail'; readonly reason: string };

export const transferMachine = setup({
  types: {
    context: {} as TransferContext,
    events: {} as TransferCommand | TransferEvent,
    emitted: {} as TransferEvent,
  },
}).createMachine({
  id: 'Transfer',
  context: { from: '', to: '', amount: 0, reason: undefined },
  initial: 'initial',
  states: {
    initial: {
      on: {
        request: {
          // A transfer moves a positive amount between two different accounts.
          guard: ({ event }) =>
            event.from !== event.to && Number.isFinite(event.amount) && event.amount > 0,
          actions: emit(({ event }) => ({
            type: 'Requested',
            from: event.from,
            to: event.to,
            amount: event.amount,
          })),
        },
        Requested: {
          target: 'requested',
          actions: assign(({ event }) => ({
            from: event.from,
            to: event.to,
            amount: event.amount,
          })),
        },
      },
    },
    requested: {
      on: {
        complete: { actions: emit({ type: 'Completed' }) },
        refund: { actions: emit(({ event }) => ({ type: 'Refunded', reason: event.reason })) },
        fail: { actions: emit(({ event }) => ({ type: 'Failed', reason: event.reason })) },
        Completed: { target: 'completed' },
        Refunded: { target: 'refunded', actions: assign({ reason: ({ event }) => event.reason }) },
        Failed: { target: 'failed', actions: assign({ reason: ({ event }) => event.reason }) },
      },
    },
    completed: {},
    refunded: {},
    failed: {},
  },
});

export const Transfer = defineAggregate({ name: 'Transfer', machine: transferMachine });
