/**
 * Snapshots: IS_SNAPSHOTTING_ENABLED, per-aggregate intervals, takeSnapshot; loading uses the
 * latest snapshot plus later events; past versions replay events only; a snapshot that no longer
 * fits the machine is ignored with a warning and the stream is replayed.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { assign, emit, setup } from 'xstate';
import { Application } from '../../src/application/application.js';
import type { SelectEventsOptions } from '../../src/core/aggregate-recorder.js';
import { ProgrammingError } from '../../src/core/errors.js';
import { defineAggregate } from '../../src/runtime/aggregate/define-aggregate.js';
import { Counter, counterMachine, persistenceModules } from '../support/counter.js';

const uri = inject('kurrentdbUri');

/** Records the options of every selectEvents call on the app's real recorder. */
function spyOnReads(app: Application): SelectEventsOptions[] {
  const recorder = app.recorder as { selectEvents: typeof app.recorder.selectEvents };
  const real = recorder.selectEvents.bind(app.recorder);
  const calls: SelectEventsOptions[] = [];
  recorder.selectEvents = (id, options) => {
    calls.push(options ?? {});
    return real(id, options);
  };
  return calls;
}

describe.each(persistenceModules(uri))('snapshots on %s', (_module, env) => {
  const apps: Application[] = [];
  const open = (extra: Record<string, string> = {}, type: typeof Application = Application) => {
    const app = new type({ name: 'counters', env: { ...env, ...extra } });
    apps.push(app);
    return app;
  };
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function counterWith(app: Application, increments: number) {
    const id = randomUUID();
    const counter = await app.repository.create(Counter, id);
    await counter.execute({ type: 'start' });
    for (let i = 0; i < increments; i++) await counter.execute({ type: 'increment' });
    return { id, counter };
  }

  it('takeSnapshot needs snapshotting enabled, and says how to enable it', async () => {
    const app = open();
    const { id } = await counterWith(app, 1);
    const error = await app.takeSnapshot(Counter, id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProgrammingError);
    expect((error as Error).message).toContain(
      'COUNTERS_IS_SNAPSHOTTING_ENABLED or IS_SNAPSHOTTING_ENABLED',
    );
    expect(app.isSnapshottingEnabled).toBe(false);
  });

  it('loads from the latest snapshot plus the events after it; older snapshots are not written', async () => {
    const app = open({ IS_SNAPSHOTTING_ENABLED: 'y', AGGREGATE_CACHE_MAXSIZE: '1' });
    const { id } = await counterWith(app, 3); // versions 0..3
    await app.takeSnapshot(Counter, id);
    await app.takeSnapshot(Counter, id, 1);
    await app.takeSnapshot(Counter, id, 2);
    const snapshots = await app.persistence.snapshotRecorder.selectEvents(`Counter-${id}`);
    expect(snapshots.map((s) => s.originatorVersion)).toEqual([3]);
    await (await app.repository.get(Counter, id)).execute({ type: 'increment', by: 10 });
    await counterWith(app, 0); // evicts the first counter from the one-entry cache
    expect(app.repository.instanceOf(Counter, id)).toBeUndefined();

    const reads = spyOnReads(app);
    const loaded = await app.repository.get(Counter, id);
    expect(loaded.getSnapshot().context.count).toBe(13);
    expect(loaded.version).toBe(4);
    expect(reads).toEqual([{ gt: 3 }]);
    // Historical versions come from events only.
    const past = await app.repository.get(Counter, id, { version: 1 });
    expect(past.getSnapshot().context.count).toBe(1);
    expect(reads.at(-1)).toEqual({ lte: 1 });
  });

  it('takes a snapshot every N events with an interval, and snapshots are not notifications', async () => {
    class Counters extends Application {
      static override snapshottingIntervals = { Counter: 5 };
    }
    const app = open({}, Counters);
    expect(app.isSnapshottingEnabled).toBe(true);
    const before = await app.recorder.maxNotificationId();
    const { id } = await counterWith(app, 11); // versions 0..11
    const snapshots = await app.persistence.snapshotRecorder.selectEvents(`Counter-${id}`);
    expect(snapshots.map((s) => s.originatorVersion)).toEqual([4, 9]);
    const notifications = await app.recorder.selectNotifications({
      start: before,
      inclusiveOfStart: false,
      limit: 100,
    });
    expect(notifications.filter((n) => n.originatorId === `Counter-${id}`)).toHaveLength(12);
    expect(notifications.every((n) => !n.topic.endsWith('Snapshot'))).toBe(true);
  });
});

describe('a snapshot that no longer fits the machine', () => {
  it('is ignored with a warning and the stream is replayed', async () => {
    const env = {
      PERSISTENCE_MODULE: 'kurrentdb',
      KURRENTDB_URI: uri,
      IS_SNAPSHOTTING_ENABLED: 'y',
    };
    const id = randomUUID();
    {
      await using v1 = new Application({ name: 'counters', env });
      const counter = await v1.repository.create(Counter, id);
      await counter.execute({ type: 'start' });
      await counter.execute({ type: 'increment', by: 2 });
      await v1.takeSnapshot(Counter, id);
    }
    // Version 2 of the machine renamed the state 'counting' to 'active'.
    const renamed = setup({
      types: {
        context: {} as { count: number },
        events: {} as
          | { type: 'increment'; by?: number }
          | { type: 'Incremented'; by: number }
          | { type: 'start' }
          | { type: 'Started' },
        emitted: {} as { type: 'Incremented'; by: number } | { type: 'Started' },
      },
    }).createMachine({
      id: counterMachine.id,
      context: { count: 0 },
      initial: 'idle',
      states: {
        idle: { on: { start: { actions: emit({ type: 'Started' }) }, Started: 'active' } },
        active: {
          on: {
            increment: {
              actions: emit(({ event }) => ({ type: 'Incremented', by: event.by ?? 1 })),
            },
            Incremented: {
              actions: assign({ count: ({ context, event }) => context.count + event.by }),
            },
          },
        },
      },
    });
    const CounterV2 = defineAggregate({ name: 'Counter', machine: renamed });
    const warnings: string[] = [];
    await using v2 = new Application({
      name: 'counters',
      env,
      warn: (message) => warnings.push(message),
    });
    const counter = await v2.repository.get(CounterV2, id);
    expect(counter.getSnapshot().value).toBe('active');
    expect(counter.getSnapshot().context.count).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Ignoring the snapshot of 'Counter-.*' at version 1/);
  });
});
