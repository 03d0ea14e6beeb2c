import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CommandRejectedError } from '../src/core/errors.js';
import { defineAggregate } from '../src/runtime/aggregate/define-aggregate.js';
import { given } from '../src/testing/given-when-then.js';
import {
  BankAccount,
  type BankAccountCommand,
  type BankAccountEvent,
  bankAccountMachine,
} from './bank-account.js';

const opened: BankAccountEvent[] = [{ type: 'Opened', owner: 'Ada', overdraftLimit: 0 }];
const funded: BankAccountEvent[] = [...opened, { type: 'Deposited', amount: 100 }];
const closed: BankAccountEvent[] = [...funded, { type: 'Closed' }];

/** The same machine validated by zod and by valibot instead of the hand-written schemas. */
const BankAccountZ = defineAggregate({
  name: 'BankAccountZ',
  machine: bankAccountMachine,
  schemas: {
    deposit: z.object({ amount: z.number().positive() }),
    withdraw: z.object({ amount: z.number().positive() }),
  },
});
const BankAccountV = defineAggregate({
  name: 'BankAccountV',
  machine: bankAccountMachine,
  schemas: {
    deposit: v.object({ amount: v.pipe(v.number(), v.finite(), v.gtValue(0)) }),
    withdraw: v.object({ amount: v.pipe(v.number(), v.finite(), v.gtValue(0)) }),
  },
});

const rejection = async (promise: Promise<unknown>): Promise<CommandRejectedError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommandRejectedError);
  return error as CommandRejectedError;
};

describe('BankAccount', () => {
  it('is classified: commands and domain events', () => {
    expect([...BankAccount.commandTypes].sort()).toEqual(['close', 'deposit', 'open', 'withdraw']);
    expect([...BankAccount.eventTypes].sort()).toEqual([
      'Closed',
      'Deposited',
      'Opened',
      'Withdrawn',
    ]);
  });

  describe('happy paths', () => {
    it('open emits Opened with a default overdraft limit of 0', async () => {
      const outcome = await given(BankAccount)
        .when({ type: 'open', owner: 'Ada' })
        .then([{ type: 'Opened', owner: 'Ada', overdraftLimit: 0 }]);
      expect(outcome?.snapshot.value).toBe('open');
      expect(outcome?.snapshot.context).toEqual({ owner: 'Ada', balance: 0, overdraftLimit: 0 });
    });

    it('open with an overdraft limit keeps it', async () => {
      const outcome = await given(BankAccount)
        .when({ type: 'open', owner: 'Ada', overdraftLimit: 50 })
        .then([{ type: 'Opened', owner: 'Ada', overdraftLimit: 50 }]);
      expect(outcome?.snapshot.context.overdraftLimit).toBe(50);
    });

    it('deposit adds to the balance', async () => {
      const outcome = await given(BankAccount, funded)
        .when({ type: 'deposit', amount: 25.5 })
        .then([{ type: 'Deposited', amount: 25.5 }]);
      expect(outcome?.snapshot.context.balance).toBe(125.5);
    });

    it('withdraw subtracts from the balance', async () => {
      const outcome = await given(BankAccount, funded)
        .when({ type: 'withdraw', amount: 30 })
        .then([{ type: 'Withdrawn', amount: 30 }]);
      expect(outcome?.snapshot.context.balance).toBe(70);
      expect(outcome?.snapshot.value).toBe('open');
    });

    it('withdraw of exactly the balance is accepted (balance 0)', async () => {
      const outcome = await given(BankAccount, funded)
        .when({ type: 'withdraw', amount: 100 })
        .then([{ type: 'Withdrawn', amount: 100 }]);
      expect(outcome?.snapshot.context.balance).toBe(0);
    });

    it('close emits Closed and the account is closed', async () => {
      const outcome = await given(BankAccount, funded)
        .when({ type: 'close' })
        .then([{ type: 'Closed' }]);
      expect(outcome?.snapshot.value).toBe('closed');
      expect(outcome?.snapshot.context.balance).toBe(100);
    });
  });

  describe('insufficient funds guard', () => {
    it('rejects a withdrawal beyond balance + overdraft, naming the command and state', async () => {
      const error = await rejection(
        given(BankAccount, funded).when({ type: 'withdraw', amount: 100.01 }).decide(),
      );
      expect(error.command).toBe('withdraw');
      expect(error.state).toBe('open');
      expect(error.message).toContain("'withdraw'");
      expect(error.message).toContain('"open"');
      expect(error.issues).toEqual([]);
    });

    it('rejects beyond the overdraft limit', async () => {
      await given(BankAccount, [
        { type: 'Opened', owner: 'Ada', overdraftLimit: 50 },
        { type: 'Deposited', amount: 10 },
      ])
        .when({ type: 'withdraw', amount: 61 })
        .then(CommandRejectedError);
    });

    it('accepts a withdrawal within the overdraft limit (negative balance)', async () => {
      const outcome = await given(BankAccount, [
        { type: 'Opened', owner: 'Ada', overdraftLimit: 50 },
        { type: 'Deposited', amount: 10 },
      ])
        .when({ type: 'withdraw', amount: 60 })
        .then([{ type: 'Withdrawn', amount: 60 }]);
      expect(outcome?.snapshot.context.balance).toBe(-50);
    });

    it('a withdrawal that took the overdraft leaves only what remains of it', async () => {
      const overdrawn: BankAccountEvent[] = [
        { type: 'Opened', owner: 'Ada', overdraftLimit: 50 },
        { type: 'Withdrawn', amount: 40 },
      ];
      await given(BankAccount, overdrawn)
        .when({ type: 'withdraw', amount: 11 })
        .then(CommandRejectedError);
      await given(BankAccount, overdrawn)
        .when({ type: 'withdraw', amount: 10 })
        .then([{ type: 'Withdrawn', amount: 10 }]);
    });
  });

  describe('payload schemas', () => {
    const badAmounts: unknown[] = [0, -5, Number.NaN, Number.POSITIVE_INFINITY, '10', undefined];
    const variants = [
      ['hand-written', BankAccount],
      ['zod', BankAccountZ],
      ['valibot', BankAccountV],
    ] as const;

    for (const [label, definition] of variants) {
      for (const type of ['deposit', 'withdraw'] as const) {
        it(`${label}: ${type} rejects non-positive or non-number amounts with issues`, async () => {
          for (const amount of badAmounts) {
            const error = await rejection(
              given(definition, funded)
                .when({ type, amount } as BankAccountCommand)
                .decide(),
            );
            expect(error.command, `amount ${String(amount)}`).toBe(type);
            expect(error.issues.length, `amount ${String(amount)}`).toBeGreaterThan(0);
            expect(error.message).toContain('fails its schema');
            const path = error.issues[0]?.path?.map((p) => (typeof p === 'object' ? p.key : p));
            expect(path).toEqual(['amount']);
          }
        });

        it(`${label}: ${type} accepts a positive amount`, async () => {
          const outcome = await given(definition, funded)
            .when({ type, amount: 1 } as BankAccountCommand)
            .decide();
          expect(outcome.events).toEqual([
            { type: type === 'deposit' ? 'Deposited' : 'Withdrawn', amount: 1 },
          ]);
        });
      }
    }

    it('the schema runs before the guard: a huge non-number is a schema issue', async () => {
      const error = await rejection(
        given(BankAccount, funded)
          .when({ type: 'withdraw', amount: '1e9' } as never)
          .decide(),
      );
      expect(error.issues.length).toBeGreaterThan(0);
    });

    it('open rejects an empty owner and a negative overdraft limit', async () => {
      const error = await rejection(
        given(BankAccount).when({ type: 'open', owner: '', overdraftLimit: -1 }).decide(),
      );
      expect(error.issues.map((issue) => issue.path)).toEqual([['owner'], ['overdraftLimit']]);
    });

    it('a schema strips unknown payload fields from the emitted event', async () => {
      await given(BankAccount, funded)
        .when({ type: 'deposit', amount: 5, note: 'x' } as BankAccountCommand)
        .then([{ type: 'Deposited', amount: 5 }]);
    });
  });

  describe('a closed account', () => {
    const commands: BankAccountCommand[] = [
      { type: 'deposit', amount: 1 },
      { type: 'withdraw', amount: 1 },
      { type: 'close' },
      { type: 'open', owner: 'Bob' },
    ];
    for (const command of commands) {
      it(`rejects ${command.type}`, async () => {
        const error = await rejection(given(BankAccount, closed).when(command).decide());
        expect(error.state).toBe('closed');
        expect(error.command).toBe(command.type);
        expect(error.message).toContain('"closed"');
      });
    }
  });

  it('open is rejected on an account already open', async () => {
    await given(BankAccount, funded)
      .when({ type: 'open', owner: 'Bob' })
      .then((e) => e instanceof CommandRejectedError && e.state === 'open');
  });

  it('deposit before open is rejected', async () => {
    await given(BankAccount)
      .when({ type: 'deposit', amount: 1 })
      .then((e) => e instanceof CommandRejectedError && e.state === 'initial');
  });

  it('replaying the events gives the same state as the decisions', async () => {
    const script: BankAccountCommand[] = [
      { type: 'open', owner: 'Ada', overdraftLimit: 20 },
      { type: 'deposit', amount: 100 },
      { type: 'withdraw', amount: 110 },
      { type: 'deposit', amount: 5 },
      { type: 'withdraw', amount: 15 },
      { type: 'close' },
    ];
    const history: BankAccountEvent[] = [];
    let decided = given(BankAccount).snapshot;
    for (const command of script) {
      const outcome = await given(BankAccount, history).when(command).decide();
      expect(outcome.events).toHaveLength(1);
      history.push(...outcome.events);
      decided = outcome.snapshot;
    }
    expect(decided.value).toBe('closed');
    expect(decided.context).toEqual({ owner: 'Ada', balance: -20, overdraftLimit: 20 });
    const replayed = given(BankAccount, history).snapshot;
    expect(replayed.value).toEqual(decided.value);
    expect(replayed.context).toEqual(decided.context);
  });
});
