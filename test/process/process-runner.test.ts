/**
 * The ProcessRunner with the money-transfer process on in-memory persistence: a transfer is
 * debited, credited and completed; a credit to a closed account is refunded; a debit beyond the
 * balance fails with nothing moved; the commands carry ids derived from the instance.
 */
import { describe, expect, it } from 'vitest';
import { BankAccount } from '../../machines/bank-account.js';
import { MoneyTransfer } from '../../machines/money-transfer.js';
import { Transfer } from '../../machines/transfer.js';
import type { Application } from '../../src/application/application.js';
import { ProcessRunner } from '../../src/application/process-runner.js';
import { openBank } from '../support/bank.js';

async function request(app: Application, id: string, from: string, to: string, amount: number) {
  const transfer = await app.repository.create(Transfer, id);
  const [recorded] = await transfer.execute({ type: 'request', from, to, amount });
  return (recorded as { notification: { id: bigint } }).notification.id;
}

const balance = async (app: Application, id: string) =>
  (await app.repository.get(BankAccount, id)).getSnapshot().context.balance;

describe('ProcessRunner', () => {
  it('moves money and records the outcome on the transfer', async () => {
    await using app = await openBank();
    await using runner = new ProcessRunner({ application: app, process: MoneyTransfer });
    await runner.wait(await request(app, 't1', 'alice', 'bob', 30));
    expect(await balance(app, 'alice')).toBe(70);
    expect(await balance(app, 'bob')).toBe(80);
    const transfer = await app.repository.get(Transfer, 't1');
    expect(transfer.getSnapshot().value).toBe('completed');
    const instance = await runner.instance('t1');
    expect(instance?.done).toBe(true);
    expect(instance?.snapshot.value).toBe('completed');
  });

  it('refunds the source when the target is closed', async () => {
    await using app = await openBank();
    await (await app.repository.get(BankAccount, 'bob')).execute({ type: 'close' });
    await using runner = new ProcessRunner({ application: app, process: MoneyTransfer });
    await runner.wait(await request(app, 't2', 'alice', 'bob', 30));
    expect(await balance(app, 'alice')).toBe(100);
    const transfer = await app.repository.get(Transfer, 't2');
    expect(transfer.getSnapshot().value).toBe('refunded');
    expect(transfer.getSnapshot().context.reason).toMatch(/credit rejected/);
  });

  it('fails with nothing moved when the debit is rejected', async () => {
    await using app = await openBank();
    await using runner = new ProcessRunner({ application: app, process: MoneyTransfer });
    await runner.wait(await request(app, 't3', 'bob', 'alice', 500));
    expect(await balance(app, 'alice')).toBe(100);
    expect(await balance(app, 'bob')).toBe(50);
    expect((await app.repository.get(Transfer, 't3')).getSnapshot().value).toBe('failed');
  });
});
