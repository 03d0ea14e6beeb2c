/**
 * How the process runtime treats what it is given: bad definitions and options are refused up
 * front; an event its correlation skips is tracked and nothing else; events for an ended
 * instance are ignored; a step that can't be run or stored (a bad correlation id, a command to an
 * aggregate the process did not name, `sendTo`, a context the transcoder refuses) stops the
 * runner with a ProjectionError naming the upstream event, and saves nothing; commands carry
 * command, correlation and causation ids derived from the instance and the event.
 */
import { describe, expect, it } from 'vitest';
import { assign, sendTo, setup } from 'xstate';
import { BankAccount } from '../../machines/bank-account.js';
import { Dog } from '../../machines/dog.js';
import { MoneyTransfer } from '../../machines/money-transfer.js';
import { Transfer } from '../../machines/transfer.js';
import { Application } from '../../src/application/application.js';
import { ProcessRunner } from '../../src/application/process-runner.js';
import { ConfigurationError, ProgrammingError, ProjectionError } from '../../src/core/errors.js';
import { uuidV5 } from '../../src/runtime/aggregate/command-ids.js';
import {
  defineProcess,
  type ProcessOptions,
  type UpstreamEventOf,
} from '../../src/runtime/process/define-process.js';
import { sendCommand } from '../../src/runtime/process/send-command.js';

type Upstream = UpstreamEventOf<typeof Transfer>;

/** A process over transfers whose machine does `action` when a transfer is requested. */
function processWith(
  // biome-ignore lint/suspicious/noExplicitAny: any XState action
  action: any,
  more: Partial<ProcessOptions<never>> = {},
) {
  return defineProcess({
    name: 'Probe',
    machine: setup({ types: { events: {} as Upstream } }).createMachine({
      id: 'Probe',
      context: { seen: 0 as unknown },
      initial: 'waiting',
      states: {
        waiting: { on: { 'Transfer.Requested': { target: 'acted', actions: action } } },
        acted: { on: { 'Transfer.Requested': { actions: assign({ seen: 1 }) } } },
      },
    }),
    topics: [Transfer.topicOf('Requested')],
    correlate: (event) => event.aggregateId,
    aggregates: [Transfer],
    ...more,
  } as ProcessOptions<never>);
}

async function setupBank() {
  const app = new Application({ name: 'bank', env: { PERSISTENCE_MODULE: 'memory' } });
  for (const id of ['alice', 'bob']) {
    const account = await app.repository.create(BankAccount, id);
    await account.execute({ type: 'open', owner: id });
    await account.execute({ type: 'deposit', amount: 100 });
  }
  return app;
}

async function request(app: Application, id: string, amount = 10): Promise<bigint> {
  const transfer = await app.repository.create(Transfer, id);
  const [recorded] = await transfer.execute({ type: 'request', from: 'alice', to: 'bob', amount });
  return recorded?.notification.id as bigint;
}

async function expectFailure(
  process: ReturnType<typeof processWith>,
  message: RegExp,
): Promise<void> {
  await using app = await setupBank();
  const runner = new ProcessRunner({ application: app, process });
  const position = await request(app, 't1');
  const failure = await runner.wait(position).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(ProjectionError);
  expect((failure as ProjectionError).position).toBe(position);
  expect((failure as ProjectionError).eventType).toBe('Transfer.Requested');
  expect((failure as Error).message).toMatch(message);
  expect(await runner.store.maxTrackingId('bank')).toBeUndefined();
  expect(await runner.store.loadInstance('Probe', 't1')).toBeUndefined();
  await expect(runner[Symbol.asyncDispose]()).rejects.toBe(failure);
}

describe('defineProcess', () => {
  const machine = MoneyTransfer.machine;
  const good = {
    name: 'P',
    machine,
    topics: ['Transfer.Requested'],
    correlate: () => 'x',
    aggregates: [Transfer],
  };
  it.each([
    ['a name with a dot', { name: 'a.b' }, /Process name 'a.b'/],
    ['no machine', { machine: {} }, /not an XState machine/],
    ['no topics', { topics: [] }, /at least one upstream event type/],
    [
      'a topic without a dot',
      { topics: ['Requested'] },
      /'Requested' is not '<Aggregate>.<Event>'/,
    ],
    ['a correlate that is no function', { correlate: 'id' }, /correlate is 'id'/],
    ['an aggregate that is none', { aggregates: [{}] }, /is not an aggregate definition/],
  ])('refuses %s with a ConfigurationError', (_what, change, message) => {
    expect(() => defineProcess({ ...good, ...change } as never)).toThrow(ConfigurationError);
    expect(() => defineProcess({ ...good, ...change } as never)).toThrow(message);
  });

  it('refuses two aggregates of one name', () => {
    const other = { ...Transfer };
    expect(() => defineProcess({ ...good, aggregates: [Transfer, other] })).toThrow(
      /two aggregate definitions are named 'Transfer'/,
    );
  });
});

describe('ProcessRunner', () => {
  it('refuses options that are not an object, and a process that is not a definition', async () => {
    expect(() => new ProcessRunner(undefined as never)).toThrow(ProgrammingError);
    await using app = await setupBank();
    expect(() => new ProcessRunner({ application: app, process: {} as never })).toThrow(
      /not a process definition/,
    );
  });

  it('tracks an event its correlation skips, and creates no instance', async () => {
    await using app = await setupBank();
    await using runner = new ProcessRunner({
      application: app,
      process: processWith(
        sendCommand(Transfer, () => ({ id: 'x', command: { type: 'complete' } })),
        {
          correlate: () => undefined,
        },
      ),
    });
    await runner.wait(await request(app, 't1'));
    expect(await runner.store.instances('Probe')).toEqual([]);
  });

  it('ignores upstream events for an instance that ended', async () => {
    await using app = await setupBank();
    // Every transfer correlates to one instance: the first ends it, the second finds it ended.
    const OneShot = defineProcess({
      name: 'OneShot',
      machine: MoneyTransfer.machine,
      topics: MoneyTransfer.topics,
      aggregates: MoneyTransfer.aggregates,
      correlate: () => 'the-one',
    });
    await using runner = new ProcessRunner({ application: app, process: OneShot });
    await runner.wait(await request(app, 't1'));
    expect((await runner.store.loadInstance('OneShot', 'the-one'))?.done).toBe(true);
    await runner.wait(await request(app, 't2'));
    expect((await app.repository.get(Transfer, 't2')).getSnapshot().value).toBe('requested');
    expect((await app.repository.get(BankAccount, 'alice')).getSnapshot().context.balance).toBe(90);
    expect(await runner.store.maxTrackingId('bank')).toBeGreaterThan(0n);
  });

  it('derives the command, correlation and causation ids from the instance and the event', async () => {
    await using app = await setupBank();
    await using runner = new ProcessRunner({ application: app, process: MoneyTransfer });
    const position = await request(app, 't1');
    await runner.wait(position);
    const [requested] = await app.recorder.selectEvents(Transfer.streamName('t1'), {});
    const withdrawn = (await app.recorder.selectEvents(BankAccount.streamName('alice'), {})).at(-1);
    expect(withdrawn?.topic).toBe('BankAccount.Withdrawn');
    expect(withdrawn?.metadata.commandId).toBe(uuidV5('MoneyTransfer\u0000t1\u0000key\u0000debit'));
    expect(withdrawn?.metadata.correlationId).toBe('MoneyTransfer:t1');
    expect(withdrawn?.metadata.causationId).toBe(`event:${requested?.eventId}`);
  });

  it('stops on a correlation id that is not a non-empty string', async () => {
    await expectFailure(
      processWith(undefined, { correlate: () => '' }),
      /correlate returned an empty string/,
    );
  });

  it('stops on a command to an aggregate the process did not name', async () => {
    await expectFailure(
      processWith(
        sendCommand(Dog, () => ({ id: 'fido', command: { type: 'register', name: 'F' } })),
      ),
      /aggregate 'Dog', which is not among its aggregates/,
    );
  });

  it('stops on sendTo, which a stored instance cannot do', async () => {
    await expectFailure(
      processWith(sendTo('someone', { type: 'hello' })),
      /Unable to send event to actor 'someone'|'xstate.sendTo' is not supported/,
    );
  });

  it('stops on a context the transcoder cannot store', async () => {
    await expectFailure(processWith(assign({ seen: () => () => 1 })), /found a function/);
  });
});
