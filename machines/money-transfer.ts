/**
 * The money-transfer process: moves money between two `BankAccount`s when a `Transfer` is
 * requested, and records how it ended on the transfer.
 *
 * 1. debit the source (`withdraw`); rejected (e.g. insufficient funds, closed, unknown account):
 *    the transfer failed, nothing moved; a transient failure: try again every `retryDelay`;
 * 2. credit the target (`deposit`); rejected for good (a closed or unknown target): refund the
 *    source; a transient failure (the store unreachable): try again every `retryDelay`, and give
 *    up with a refund after `creditTimeout`;
 * 3. record the outcome on the transfer: `complete`, `refund` or `fail`.
 *
 * Every command has a `key`, so its id is the same however often it is sent (a retry, a replay
 * after a crash): no account is debited or credited twice. Plain XState: the process runtime
 * runs it (`defineProcess`, `ProcessRunner`); its pure tests need no I/O.
 *
 * @module
 */
import { assign, setup } from 'xstate';
import type { UpstreamEventOf } from '../src/runtime/process/define-process.js';
import { defineProcess, type ProcessInput } from '../src/runtime/process/define-process.js';
import type { ProcessReplyEvent } from '../src/runtime/process/process-engine.js';
import { sendCommand } from '../src/runtime/process/send-command.js';
import { BankAccount } from './bank-account.js';
import { Transfer } from './transfer.js';

export interface MoneyTransferContext {
  readonly transferId: string;
  readonly from: string;
  readonly to: string;
  readonly amount: number;
  /** Why it was refunded or failed. */
  readonly reason: string | undefined;
}

/** What a transfer process receives: the request, and the replies to its commands. */
export type MoneyTransferEvent = UpstreamEventOf<typeof Transfer> | ProcessReplyEvent;

/** A rejection that may pass if the command is sent again (the store was unreachable). */
const transient = ({ event }: { event: MoneyTransferEvent }): boolean =>
  event.type === 'aggregate.rejected' &&
  (event.error.code === 'OPERATIONAL' || event.error.code === 'PERSISTENCE');

const reasonOf = (event: MoneyTransferEvent): string =>
  event.type === 'aggregate.rejected' ? event.error.message : 'unknown';

export const moneyTransferMachine = setup({
  types: {
    context: {} as MoneyTransferContext,
    events: {} as MoneyTransferEvent,
    input: {} as ProcessInput,
  },
  delays: {
    /** How long a credit may keep failing transiently before the transfer is refunded. */
    creditTimeout: 30_000,
    /** Between two attempts of a credit that failed transiently. */
    retryDelay: 1_000,
  },
}).createMachine({
  id: 'MoneyTransfer',
  context: ({ input }) => ({
    transferId: input.correlationId,
    from: '',
    to: '',
    amount: 0,
    reason: undefined,
  }),
  initial: 'waiting',
  states: {
    waiting: {
      on: {
        'Transfer.Requested': {
          target: 'debiting',
          actions: assign(({ event }) => ({
            from: event.event.from,
            to: event.event.to,
            amount: event.event.amount,
          })),
        },
      },
    },
    debiting: {
      entry: sendCommand(BankAccount, ({ context }) => ({
        id: context.from,
        command: { type: 'withdraw', amount: context.amount },
        key: 'debit',
      })),
      on: {
        'aggregate.executed': 'credit',
        'aggregate.rejected': [
          { guard: transient, target: 'waitingToRetryDebit' },
          {
            target: 'failing',
            actions: assign({ reason: ({ event }) => `debit rejected: ${reasonOf(event)}` }),
          },
        ],
      },
    },
    waitingToRetryDebit: {
      after: { retryDelay: 'debiting' },
    },
    credit: {
      initial: 'crediting',
      after: {
        creditTimeout: {
          target: 'refunding',
          actions: assign({ reason: 'credit timed out' }),
        },
      },
      states: {
        crediting: {
          entry: sendCommand(BankAccount, ({ context }) => ({
            id: context.to,
            command: { type: 'deposit', amount: context.amount },
            key: 'credit',
          })),
          on: {
            'aggregate.executed': '#MoneyTransfer.completing',
            'aggregate.rejected': [
              { guard: transient, target: 'waitingToRetry' },
              {
                target: '#MoneyTransfer.refunding',
                actions: assign({ reason: ({ event }) => `credit rejected: ${reasonOf(event)}` }),
              },
            ],
          },
        },
        waitingToRetry: {
          after: { retryDelay: 'crediting' },
        },
      },
    },
    refunding: {
      entry: sendCommand(BankAccount, ({ context }) => ({
        id: context.from,
        command: { type: 'deposit', amount: context.amount },
        key: 'refund',
      })),
      on: {
        'aggregate.executed': 'recordingRefund',
        'aggregate.rejected': [
          { guard: transient, target: 'waitingToRetryRefund' },
          {
            target: 'failing',
            actions: assign({ reason: ({ event }) => `refund rejected: ${reasonOf(event)}` }),
          },
        ],
      },
    },
    waitingToRetryRefund: {
      after: { retryDelay: 'refunding' },
    },
    completing: {
      entry: sendCommand(Transfer, ({ context }) => ({
        id: context.transferId,
        command: { type: 'complete' },
        key: 'outcome',
      })),
      on: { 'aggregate.executed': 'completed', 'aggregate.rejected': 'completed' },
    },
    recordingRefund: {
      entry: sendCommand(Transfer, ({ context }) => ({
        id: context.transferId,
        command: { type: 'refund', reason: context.reason ?? 'refunded' },
        key: 'outcome',
      })),
      on: { 'aggregate.executed': 'refunded', 'aggregate.rejected': 'refunded' },
    },
    failing: {
      entry: sendCommand(Transfer, ({ context }) => ({
        id: context.transferId,
        command: { type: 'fail', reason: context.reason ?? 'failed' },
        key: 'outcome',
      })),
      on: { 'aggregate.executed': 'failed', 'aggregate.rejected': 'failed' },
    },
    completed: { type: 'final' },
    refunded: { type: 'final' },
    failed: { type: 'final' },
  },
});

/** The process: one instance per transfer (its id is the correlation id). */
export const MoneyTransfer = defineProcess({
  name: 'MoneyTransfer',
  machine: moneyTransferMachine,
  topics: [Transfer.topicOf('Requested')],
  correlate: (event) => event.aggregateId,
  aggregates: [BankAccount, Transfer],
});
