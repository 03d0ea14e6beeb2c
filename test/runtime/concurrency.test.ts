/**
 * Two applications on one KurrentDB writing the same aggregate: conflicts fast-forward and
 * decide again; exhausted retries surface IntegrityError; an infrastructure failure rejects with
 * PersistenceError, leaves the live state as it was, and the actor works again afterwards.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { Application } from '../../src/application/application.js';
import { IntegrityError, isPersistenceError, PersistenceError } from '../../src/core/errors.js';
import { startKurrentDBTestServer } from '../../src/testing/test-server/start-test-server.js';
import { useApplications } from '../support/applications.js';
import { Counter } from '../support/counter.js';

const uri = inject('kurrentdbUri');

describe('concurrency and retries', () => {
  const open = useApplications('counters', { PERSISTENCE_MODULE: 'kurrentdb', KURRENTDB_URI: uri });

  it('2 × 500 increments from two applications on one aggregate make exactly 1000', async () => {
    const id = randomUUID();
    // Two writers alternate on one stream; give the retry loop room for unlucky streaks.
    const [a, b] = [
      open({ AGGREGATE_COMMAND_RETRIES: '20' }),
      open({ AGGREGATE_COMMAND_RETRIES: '20' }),
    ];
    await (await a.repository.create(Counter, id)).execute({ type: 'start' });
    const conflicts: number[] = [];
    await Promise.all(
      [a, b].map(async (app) => {
        const counter = await app.repository.get(Counter, id);
        for (let i = 0; i < 500; i++) await counter.execute({ type: 'increment' });
        conflicts.push(
          app.repository.instanceOf(Counter, id)?.lifecycle?.getSnapshot().context.conflicts ?? 0,
        );
      }),
    );
    const fresh = open();
    const counter = await fresh.repository.get(Counter, id);
    expect(counter.getSnapshot().context.count).toBe(1000);
    expect(counter.version).toBe(1000);
    const stored = await fresh.recorder.selectEvents(`Counter-${id}`);
    expect(stored).toHaveLength(1001);
    expect(new Set(stored.map((e) => e.eventId)).size).toBe(1001);
    // The two writers did meet: at least one conflict was resolved by fast-forward + retry.
    expect(conflicts.reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
  }, 120_000);

  it('a conflict fast-forwards and decides again on the new state', async () => {
    const id = randomUUID();
    const [a, b] = [open(), open({ AGGREGATE_CACHE_FASTFORWARD: 'no' })];
    await (await a.repository.create(Counter, id)).execute({ type: 'start' });
    const stale = await b.repository.get(Counter, id);
    const fresh = await a.repository.get(Counter, id);
    await fresh.execute({ type: 'increment', by: 5 });
    expect(stale.getSnapshot().context.count).toBe(0);
    const [recording] = await stale.execute({ type: 'increment', by: 1 });
    expect(recording?.notification.originatorVersion).toBe(2);
    expect(stale.getSnapshot().context.count).toBe(6);
    expect(b.repository.instanceOf(Counter, id)?.lifecycle?.getSnapshot().context.conflicts).toBe(
      1,
    );
  });

  it('exhausted retries surface IntegrityError and append nothing', async () => {
    const id = randomUUID();
    const a = open();
    const b = open({ AGGREGATE_COMMAND_RETRIES: '0', AGGREGATE_CACHE_FASTFORWARD: 'no' });
    await (await a.repository.create(Counter, id)).execute({ type: 'start' });
    const stale = await b.repository.get(Counter, id);
    await (await a.repository.get(Counter, id)).execute({ type: 'increment' });
    const error = await stale.execute({ type: 'increment' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrityError);
    expect((error as Error).message).toMatch(/still conflicted after 0 retries/);
    expect(await a.recorder.selectEvents(`Counter-${id}`)).toHaveLength(2);
  });

  it('an append failing for infrastructure reasons rejects with PersistenceError, state unchanged, usable again', async () => {
    const server = await startKurrentDBTestServer();
    const app = new Application({
      name: 'counters',
      env: { PERSISTENCE_MODULE: 'kurrentdb', KURRENTDB_URI: `${server.uri}&defaultDeadline=1500` },
    });
    try {
      const id = randomUUID();
      const counter = await app.repository.create(Counter, id);
      await counter.execute({ type: 'start' });
      await counter.execute({ type: 'increment' });
      const port = server.port;
      const history = await app.recorder.selectEvents(`Counter-${id}`);
      await server.stop();
      const error = await counter.execute({ type: 'increment', by: 10 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PersistenceError);
      expect(isPersistenceError(error)).toBe(true);
      expect(counter.getSnapshot().context.count).toBe(1);
      expect(counter.version).toBe(1);
      expect(app.repository.instanceOf(Counter, id)?.lifecycle?.getSnapshot().value).toBe('ready');
      // The server comes back on the same port with the stream restored (same ids, same revisions).
      const restarted = await startKurrentDBTestServer({ port });
      try {
        await expect
          .poll(
            () =>
              app.recorder.insertEvents(history).then(
                () => true,
                () => false,
              ),
            { timeout: 10_000, interval: 200 },
          )
          .toBe(true);
        await counter.execute({ type: 'increment', by: 3 });
        expect(counter.getSnapshot().context.count).toBe(4);
        expect(counter.version).toBe(2);
      } finally {
        await restarted.stop();
      }
    } finally {
      await app.close();
      await server.stop();
    }
  }, 60_000);
});
