/**
 * A bank account: open it, deposit, withdraw (within the balance plus an overdraft limit), close.
 *
 * The same style as `Dog`: commands (`open`, `deposit`, `withdraw`, `close`) only emit domain
 * events; the domain events (`Opened`, `Deposited`, `Withdrawn`, `Closed`) change context and
 * state. `withdraw` is guarded: with insufficient funds no transition is enabled and the command
 * is rejected. A closed account has no transitions, so it rejects every command.
 *
 * Command payloads are validated by small hand-written Standard Schemas (no dev-only schema
 * library is imported here, since this file ships with the package); zod, valibot or arktype
 * schemas work the same way through `defineAggregate({ schemas })`.
 *
 * @module
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { assign, emit, setup } from 'xstate';
import { defineAggregate } from '../src/runtime/aggregate/define-aggregate.js';

export interface BankAccountContext {
  readonly owner: string;
  readonly balance: number;
  readonly overdraftLimit: number;
}

/** What happened to an account (stored as `BankAccount.Opened`, `BankAccount.Deposited`, …). */
export type BankAccountEvent =
  | { readonly type: 'Opened'; readonly owner: string; readonly overdraftLimit: number }
  | { readonly type: 'Deposited'; readonly amount: number }
  | { readonly type: 'Withdrawn'; readonly amount: number }
  | { readonly type: 'Closed' };

/** What can be asked of an account. */
export type BankAccountCommand =
  | { readonly type: 'open'; readonly owner: string; readonly overdraftLimit?: number }
  | { readonly type: 'deposit'; readonly amount: number }
  | { readonly type: 'withdraw'; readonly amount: number }
  | { readonly type: 'close' };

export const bankAccountMachine = setup({
  types: {
    context: {} as BankAccountContext,
    events: {} as BankAccountCommand | BankAccountEvent,
    emitted: {} as BankAccountEvent,
  },
}).createMachine({
  id: 'BankAccount',
  context: { owner: '', balance: 0, overdraftLimit: 0 },
  initial: 'initial',
  states: {
    initial: {
      on: {
        open: {
          actions: emit(({ event }) => ({
            type: 'Opened',
            owner: event.owner,
            overdraftLimit: event.overdraftLimit ?? 0,
          })),
        },
        Opened: {
          target: 'open',
          actions: assign({
            owner: ({ event }) => event.owner,
            overdraftLimit: ({ event }) => event.overdraftLimit,
          }),
        },
      },
    },
    open: {
      on: {
        deposit: { actions: emit(({ event }) => ({ type: 'Deposited', amount: event.amount })) },
        Deposited: {
          actions: assign({ balance: ({ context, event }) => context.balance + event.amount }),
        },
        withdraw: {
          // Insufficient funds: no enabled transition, so the command is rejected.
          guard: ({ context, event }) => context.balance + context.overdraftLimit >= event.amount,
          actions: emit(({ event }) => ({ type: 'Withdrawn', amount: event.amount })),
        },
        Withdrawn: {
          actions: assign({ balance: ({ context, event }) => context.balance - event.amount }),
        },
        close: { actions: emit({ type: 'Closed' }) },
        Closed: { target: 'closed' },
      },
    },
    // No transitions: a closed account rejects every command.
    closed: {},
  },
});

type Issue = StandardSchemaV1.Issue;

/** A minimal synchronous Standard Schema over a check returning the value or its issues. */
function schema<Output>(
  check: (value: unknown) => { value: Output } | { issues: readonly Issue[] },
): StandardSchemaV1<unknown, Output> {
  return {
    '~standard': {
      version: 1,
      vendor: 'eventsourcing-kurrentdb',
      validate: (value) => {
        const result = check(value);
        return 'issues' in result ? { issues: result.issues } : { value: result.value };
      },
    },
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

const notAnObject: readonly Issue[] = [{ message: 'Expected an object' }];

/** `{ amount }` with a positive finite number. */
export const amountSchema = schema<{ amount: number }>((value) => {
  if (!isRecord(value)) return { issues: notAnObject };
  const { amount } = value;
  if (typeof amount !== 'number' || !Number.isFinite(amount)) {
    return { issues: [{ message: 'Expected a finite number', path: ['amount'] }] };
  }
  if (amount <= 0) return { issues: [{ message: 'Expected a positive amount', path: ['amount'] }] };
  return { value: { amount } };
});

/** `{ owner, overdraftLimit? }`: a non-empty owner, a non-negative finite limit if given. */
export const openSchema = schema<{ owner: string; overdraftLimit?: number }>((value) => {
  if (!isRecord(value)) return { issues: notAnObject };
  const { owner, overdraftLimit } = value;
  const issues: Issue[] = [];
  if (typeof owner !== 'string' || owner.length === 0) {
    issues.push({ message: 'Expected a non-empty string', path: ['owner'] });
  }
  if (
    overdraftLimit !== undefined &&
    (typeof overdraftLimit !== 'number' || !Number.isFinite(overdraftLimit) || overdraftLimit < 0)
  ) {
    issues.push({ message: 'Expected a non-negative finite number', path: ['overdraftLimit'] });
  }
  if (issues.length > 0) return { issues };
  return {
    value:
      overdraftLimit === undefined
        ? { owner: owner as string }
        : { owner: owner as string, overdraftLimit: overdraftLimit as number },
  };
});

export const BankAccount = defineAggregate({
  name: 'BankAccount',
  machine: bankAccountMachine,
  schemas: { open: openSchema, deposit: amountSchema, withdraw: amountSchema },
});
