import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { aggregateLifecycleMachine } from './aggregate-lifecycle.js';

const start = () =>
  createActor(aggregateLifecycleMachine, { input: { aggregate: 'Dog', id: 'fido' } }).start();

describe('the aggregate lifecycle machine', () => {
  it('loads, executes, retries after a conflict, and counts', () => {
    const lifecycle = start();
    expect(lifecycle.getSnapshot().value).toBe('loading');
    lifecycle.send({ type: 'loaded', version: 3 });
    expect(lifecycle.getSnapshot().value).toBe('ready');
    lifecycle.send({ type: 'execute', command: { type: 'addTrick' } });
    expect(lifecycle.getSnapshot().value).toBe('executing');
    lifecycle.send({ type: 'conflict', attempt: 1 });
    expect(lifecycle.getSnapshot().value).toBe('retrying');
    lifecycle.send({ type: 'fastForwarded', version: 4 });
    lifecycle.send({ type: 'retry' });
    lifecycle.send({ type: 'executed', version: 5 });
    expect(lifecycle.getSnapshot().value).toBe('ready');
    expect(lifecycle.getSnapshot().context).toMatchObject({
      version: 4,
      conflicts: 1,
    });
  });

  it('goes back to ready after a rejection or an infrastructure failure, keeping the error', () => {
    const lifecycle = start();
    lifecycle.send({ type: 'loaded', version: 0 });
    lifecycle.send({ type: 'execute', command: { type: 'register' } });
    lifecycle.send({ type: 'rejected', error: 'no' });
    expect(lifecycle.getSnapshot().value).toBe('ready');
    lifecycle.send({ type: 'execute', command: { type: 'register' } });
    lifecycle.send({ type: 'failed', error: 'server down' });
    expect(lifecycle.getSnapshot().value).toBe('ready');
    expect(lifecycle.getSnapshot().context.lastError).toBe('server down');
  });

  it('fails on a load failure or a crash, passivates and reactivates, and stops from anywhere', () => {
    const failedLoad = start();
    failedLoad.send({ type: 'loadFailed', error: 'bad event' });
    expect(failedLoad.getSnapshot().value).toBe('failed');
    const crashed = start();
    crashed.send({ type: 'loaded', version: 0 });
    crashed.send({ type: 'execute', command: { type: 'x' } });
    crashed.send({ type: 'crashed', error: 'assign threw' });
    expect(crashed.getSnapshot().value).toBe('failed');
    const idle = start();
    idle.send({ type: 'loaded', version: 0 });
    idle.send({ type: 'passivate' });
    expect(idle.getSnapshot().value).toBe('passivated');
    idle.send({ type: 'execute', command: { type: 'x' } }); // ignored while passivated
    expect(idle.getSnapshot().value).toBe('passivated');
    idle.send({ type: 'activate' });
    expect(idle.getSnapshot().value).toBe('loading');
    idle.send({ type: 'stop' });
    expect(idle.getSnapshot().status).toBe('done');
  });
});
