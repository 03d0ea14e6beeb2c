/**
 * A process in the Stately inspector: through a real local inspector and a page's WebSocket, the
 * `process:<Name>` root actor, the runner's lifecycle actor and each live instance appear as one
 * actor system (with parent links), the instance under its correlation id with the events it
 * received, and the aggregates it commands as children of the instance.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BankAccount } from '../../machines/bank-account.js';
import { MoneyTransfer } from '../../machines/money-transfer.js';
import { Transfer } from '../../machines/transfer.js';
import { Application } from '../../src/application/application.js';
import { ProcessRunner } from '../../src/application/process-runner.js';
import {
  collectInspectorMessages,
  type StatelyInspectionEvent,
  startInspector,
} from '../../src/inspect/index.js';

type Registered = Extract<StatelyInspectionEvent, { type: '@xstate.actor' }>;

describe('a process in the inspector', () => {
  it('shows the process, its lifecycle, its instances and their aggregates as one system', async () => {
    await using app = new Application({ name: 'bank', env: { PERSISTENCE_MODULE: 'memory' } });
    for (const id of ['alice', 'bob']) {
      const account = await app.repository.create(BankAccount, id);
      await account.execute({ type: 'open', owner: id });
      await account.execute({ type: 'deposit', amount: 100 });
    }
    const inspector = await startInspector();
    const page = await collectInspectorMessages(inspector.wsUrl);
    try {
      // A long credit timeout keeps nothing pending; the instance ends within its step.
      await using runner = new ProcessRunner({
        application: app,
        process: MoneyTransfer,
        inspect: inspector.inspect,
      });
      const transferId = `t-${randomUUID()}`;
      const transfer = await app.repository.create(Transfer, transferId);
      const [requested] = await transfer.execute({
        type: 'request',
        from: 'alice',
        to: 'bob',
        amount: 10,
      });
      await runner.wait(requested?.notification.id as bigint);

      const registered = (id: string) =>
        page.waitFor(
          (m): m is Registered => m.type === '@xstate.actor' && m.name === id,
        ) as Promise<Registered>;
      const root = await registered('process:MoneyTransfer');
      const lifecycle = await registered('projection:MoneyTransfer');
      const instance = await registered(transferId);
      const source = await registered(BankAccount.streamName('alice'));
      const target = await registered(BankAccount.streamName('bob'));
      const record = await registered(Transfer.streamName(transferId));
      expect(root.parentId).toBeUndefined();
      expect(lifecycle.parentId).toBe(root.sessionId);
      expect(instance.parentId).toBe(root.sessionId);
      for (const aggregate of [source, target, record]) {
        expect(aggregate.parentId).toBe(instance.sessionId);
      }
      // The instance received the request and the replies, and its last state is the outcome.
      const received = await page.waitFor(
        (m) =>
          m.type === '@xstate.snapshot' &&
          m.sessionId === instance.sessionId &&
          (m.snapshot as { value?: unknown }).value === 'completed',
      );
      expect(received).toBeDefined();
      const events = page.messages
        .filter((m) => m.type === '@xstate.event' && m.sessionId === instance.sessionId)
        .map((m) => (m as { event: { type: string } }).event.type);
      expect(events).toEqual(expect.arrayContaining(['Transfer.Requested', 'aggregate.executed']));
      expect(events.indexOf('Transfer.Requested')).toBeLessThan(
        events.indexOf('aggregate.executed'),
      );
    } finally {
      await page.close();
      await inspector.stop();
    }
  });
});
