/**
 * A process's state and timers are durable, and its commands are applied once: a runner
 * restarted on the same SQLite store resumes each instance where it was, fires a pending delayed
 * transition when it is due (not again from the start), and a step that crashed after its
 * commands but before its save is repeated without applying any command twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { BankAccount } from '../../machines/bank-account.js';
import { MoneyTransfer } from '../../machines/money-transfer.js';
import { Transfer } from '../../machines/transfer.js';
import { SQLiteProcessStore } from '../../src/adapters/sqlite/sqlite-process-store.js';
import { ProcessRunner } from '../../src/application/process-runner.js';
import type { ProcessInstanceRecord } from '../../src/core/process-store.js';
import type { Tracking } from '../../src/core/tracking-recorder.js';
import { defineProcess, type UpstreamEventOf } from '../../src/runtime/process/define-process.js';
import type { ProcessReplyEvent } from '../../src/runtime/process/process-engine.js';
import { sendCommand } from '../../src/runtime/process/send-command.js';
import { openBank } from '../support/bank.js';

const dir = mkdtempSync(join(tmpdir(), 'process-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const storeEnv = (name: string) => ({
  [`${name.toUpperCase()}_PERSISTENCE_MODULE`]: 'sqlite',
  SQLITE_DBNAME: join(dir, `store-${files++}.db`),
});

/** Completes a transfer two seconds after it was requested. */
const Sleeper = defineProcess({
  name: 'Sleeper',
  machine: setup({
    types: { events: {} as UpstreamEventOf<typeof Transfer> | ProcessReplyEvent },
  }).createMachine({
    id: 'Sleeper',
    initial: 'waiting',
    states: {
      waiting: { on: { 'Transfer.Requested': 'sleeping' } },
      sleeping: {
        after: {
          2000: {
            target: 'completing',
          },
        },
      },
      completing: {
        entry: sendCommand(Transfer, () => ({
          id: 'late',
          command: { type: 'complete' },
        })),
        on: { 'aggregate.executed': 'done', 'aggregate.rejected': 'done' },
      },
      done: { type: 'final' },
    },
  }),
  topics: [Transfer.topicOf('Requested')],
  correlate: (event) => event.aggregateId,
  aggregates: [Transfer],
});

describe('durable processes', () => {
  it('fires a delayed transition once, when due, across a restart', async () => {
    await using app = await openBank();
    const env = storeEnv('Sleeper');
    const store = { sqlite: SQLiteProcessStore };
    const transfer = await app.repository.create(Transfer, 'late');
    const requestedAt = Date.now();
    const [recorded] = await transfer.execute({
      type: 'request',
      from: 'alice',
      to: 'bob',
      amount: 1,
    });
    const first = new ProcessRunner({ application: app, process: Sleeper, store, env });
    await first.wait(recorded?.notification.id as bigint);
    const sleeping = await first.instance('late');
    expect(sleeping?.snapshot.value).toBe('sleeping');
    expect(sleeping?.timers).toHaveLength(1);
    const dueAt = sleeping?.timers[0]?.dueAt as number;
    expect(dueAt - requestedAt).toBeGreaterThanOrEqual(1900);
    expect(dueAt - requestedAt).toBeLessThan(2500);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await first[Symbol.asyncDispose]();

    await using second = new ProcessRunner({ application: app, process: Sleeper, store, env });
    const fired = await new Promise<number>((resolve) => {
      const subscription = second.steps$.subscribe((step) => {
        if (step.state.snapshot.status === 'done') {
          subscription.unsubscribe();
          resolve(Date.now());
        }
      });
    });
    // Due two seconds after the request: about one second after the restart, not two.
    expect(fired).toBeGreaterThanOrEqual(dueAt - 5);
    expect(fired - dueAt).toBeLessThan(1000);
    const stored = await app.recorder.selectEvents(Transfer.streamName('late'), {});
    expect(stored.map((event) => event.topic)).toEqual([
      'Transfer.Requested',
      'Transfer.Completed',
    ]);
    const instance = await second.instance('late');
    expect(instance?.done).toBe(true);
    expect(instance?.timers).toEqual([]);
  }, 15_000);

  it('repeats a step that crashed before its save without applying a command twice', async () => {
    await using app = await openBank();
    const env = storeEnv('MoneyTransfer');
    /** A store whose first save fails, as if the process died between its commands and its save. */
    class CrashingStore extends SQLiteProcessStore {
      static crashes = 1;
      override saveInstance(record: ProcessInstanceRecord, tracking?: Tracking): Promise<void> {
        if (CrashingStore.crashes > 0) {
          CrashingStore.crashes--;
          return Promise.reject(new Error('the process died here'));
        }
        return super.saveInstance(record, tracking);
      }
    }
    const transfer = await app.repository.create(Transfer, 't1');
    const [recorded] = await transfer.execute({
      type: 'request',
      from: 'alice',
      to: 'bob',
      amount: 30,
    });
    const position = recorded?.notification.id as bigint;
    const first = new ProcessRunner({
      application: app,
      process: MoneyTransfer,
      store: { sqlite: CrashingStore },
      env,
    });
    await expect(first.wait(position, { timeout: 5000 })).rejects.toThrow(/the process died here/);
    await expect(first[Symbol.asyncDispose]()).rejects.toThrow(/the process died here/);
    // The commands ran before the crash.
    expect((await app.repository.get(BankAccount, 'bob')).getSnapshot().context.balance).toBe(80);

    await using second = new ProcessRunner({
      application: app,
      process: MoneyTransfer,
      store: { sqlite: SQLiteProcessStore },
      env,
    });
    await second.wait(position, { timeout: 5000 });
    expect((await app.repository.get(BankAccount, 'alice')).getSnapshot().context.balance).toBe(70);
    expect((await app.repository.get(BankAccount, 'bob')).getSnapshot().context.balance).toBe(80);
    const topics = async (stream: string) =>
      (await app.recorder.selectEvents(stream, {})).map((event) => event.topic);
    expect(await topics(BankAccount.streamName('alice'))).toEqual([
      'BankAccount.Opened',
      'BankAccount.Deposited',
      'BankAccount.Withdrawn',
    ]);
    expect(await topics(Transfer.streamName('t1'))).toEqual([
      'Transfer.Requested',
      'Transfer.Completed',
    ]);
    expect((await second.instance('t1'))?.snapshot.value).toBe('completed');
  });
});
