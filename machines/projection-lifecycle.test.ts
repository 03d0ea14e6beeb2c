import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { projectionLifecycleMachine } from './projection-lifecycle.js';

const start = () =>
  createActor(projectionLifecycleMachine, {
    input: { projection: 'CountProjection', application: 'TrainingSchool' },
  }).start();

describe('the projection lifecycle machine', () => {
  it('connects, catches up, goes live, and retries after a disconnect', () => {
    const lifecycle = start();
    expect(lifecycle.getSnapshot().value).toBe('connecting');
    lifecycle.send({ type: 'subscribed', position: '', head: '900' });
    expect(lifecycle.getSnapshot().value).toBe('catchingUp');
    expect(lifecycle.getSnapshot().context.head).toBe('900');
    lifecycle.send({ type: 'caughtUp', position: '900' });
    expect(lifecycle.getSnapshot().value).toBe('live');
    lifecycle.send({ type: 'disconnected', error: 'UNAVAILABLE' });
    expect(lifecycle.getSnapshot().value).toBe('retrying');
    lifecycle.send({ type: 'retry' });
    expect(lifecycle.getSnapshot().value).toBe('connecting');
    expect(lifecycle.getSnapshot().context).toMatchObject({
      position: '900',
      retries: 1,
      lastError: 'UNAVAILABLE',
    });
  });

  it('fails on a handler error and stops from any state, both for good', () => {
    const failing = start();
    failing.send({ type: 'subscribed', position: '1', head: '2' });
    failing.send({ type: 'fail', error: 'poison' });
    expect(failing.getSnapshot().value).toBe('failed');
    expect(failing.getSnapshot().status).toBe('done');
    const stopping = start();
    stopping.send({ type: 'disconnected', error: 'x' });
    stopping.send({ type: 'stop' });
    expect(stopping.getSnapshot().value).toBe('stopped');
    expect(stopping.getSnapshot().status).toBe('done');
  });

  it('ignores caughtUp before subscribing and retry while connected', () => {
    const lifecycle = start();
    lifecycle.send({ type: 'caughtUp', position: '5' });
    expect(lifecycle.getSnapshot().value).toBe('connecting');
    lifecycle.send({ type: 'subscribed', position: '', head: '0' });
    lifecycle.send({ type: 'retry' });
    expect(lifecycle.getSnapshot().value).toBe('catchingUp');
  });
});
