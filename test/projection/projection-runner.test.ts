/**
 * The ProjectionRunner on the seed's counters: catch up, go live, wait for notification ids,
 * views in memory and SQLite built from the environment, progress and lifecycle. The
 * application's events are in memory or on a KurrentDB test server of this file's own, so no
 * other test's events reach the projection.
 */
import { randomUUID } from 'node:crypto';
import { filter, firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ProjectionRunner } from '../../src/application/projection-runner.js';
import { ConfigurationError, WaitInterruptedError } from '../../src/core/errors.js';
import {
  type CountersView,
  CountProjection,
  InMemoryCountersView,
  SQLiteCountersView,
  TrainingSchool,
} from '../support/counters-view.js';
import { useProjectionFixture } from '../support/projection-fixture.js';

const fixture = useProjectionFixture('projection-runner');

const views = [
  ['memory', InMemoryCountersView, {}],
  ['sqlite', SQLiteCountersView, { COUNTPROJECTION_PERSISTENCE_MODULE: 'sqlite' }],
] as const;

describe('ProjectionRunner', () => {
  it.each(views)(
    'counts dogs and tricks into a %s view, catching up then live',
    async (module, view, viewEnv) => {
      const env = {
        TRAININGSCHOOL_PERSISTENCE_MODULE: 'kurrentdb',
        KURRENTDB_URI: fixture.server.uri,
        SQLITE_DBNAME: fixture.sqliteFile(),
        ...viewEnv,
      };
      // Events written before the runner starts: it catches up on them.
      const writer = new TrainingSchool({ env });
      const fido = `Fido-${randomUUID()}`;
      const rex = `Rex-${randomUUID()}`;
      await writer.register(fido);
      await writer.register(rex);
      await writer.addTrick(fido, 'roll over');
      await using runner = new ProjectionRunner<TrainingSchool, CountersView, CountProjection>({
        application: TrainingSchool,
        projection: CountProjection,
        view,
        env,
        progressLine: false,
      });
      const school = runner.application;
      const counters = runner.projection.view;
      expect(runner.viewModule).toBe(module);
      await runner.wait(await school.recorder.maxNotificationId(), { timeout: 10_000 });
      const dogs = await counters.getDogCounter();
      const tricks = await counters.getTrickCounter();
      expect(dogs).toBeGreaterThanOrEqual(2);
      expect(tricks).toBeGreaterThanOrEqual(1);
      // Live: one trick more, then two.
      const id = await school.addTrick(fido, 'sit and stay');
      await runner.wait(id, { timeout: 5_000 });
      expect(await counters.getTrickCounter()).toBe(tricks + 1);
      await school.addTrick(rex, 'fetch');
      const last = await school.addTrick(rex, 'beg');
      await counters.wait(school.name, last, { timeout: 5_000 });
      expect(await counters.getTrickCounter()).toBe(tricks + 3);
      expect(await counters.getDogCounter()).toBe(dogs);
      // Progress is published right after the view's commit (which resolved the wait above).
      const live = await firstValueFrom(
        runner.progress$.pipe(filter((p) => p.state === 'live' && (p.position ?? 0n) >= last)),
      );
      expect(live.processed).toBeGreaterThanOrEqual(6);
      expect(runner.lifecycle.getSnapshot().value).toBe('live');
      await writer.close();
    },
  );

  it('resumes after a restart from the view’s last tracking id, applying nothing twice', async () => {
    const dbName = fixture.sqliteFile();
    const env = { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: dbName };
    const school = new TrainingSchool();
    for (const name of ['a', 'b', 'c']) await school.register(`${name}-${randomUUID()}`);
    const first = new ProjectionRunner({
      application: school,
      projection: CountProjection,
      view: SQLiteCountersView,
      env,
      progressLine: false,
    });
    await first.wait(await school.recorder.maxNotificationId(), { timeout: 5_000 });
    await first[Symbol.asyncDispose]();
    for (const name of ['d', 'e']) await school.register(`${name}-${randomUUID()}`);
    await using second = new ProjectionRunner({
      application: school,
      projection: CountProjection,
      view: SQLiteCountersView,
      env,
      progressLine: false,
    });
    await second.wait(await school.recorder.maxNotificationId(), { timeout: 5_000 });
    expect(await second.projection.view.getDogCounter()).toBe(5);
    expect(await second.projection.view.maxTrackingId(school.name)).toBe(5n);
    await school.close();
  });

  it('stop interrupts waits; start goes on from where it stopped', async () => {
    const school = new TrainingSchool();
    await using runner = new ProjectionRunner({
      application: school,
      projection: CountProjection,
      view: InMemoryCountersView,
      progressLine: false,
    });
    await school.register(`x-${randomUUID()}`);
    await runner.wait(1n);
    await runner.stop();
    expect(runner.lifecycle.getSnapshot().value).toBe('stopped');
    const pending = runner.wait(2n, { timeout: 5_000 });
    await expect(pending).rejects.toThrow(WaitInterruptedError);
    await school.register(`y-${randomUUID()}`);
    runner.start();
    await runner.wait(2n, { timeout: 5_000 });
    expect(await runner.projection.view.getDogCounter()).toBe(2);
    await school.close();
  });

  it('builds the view its environment names, with clear errors', () => {
    const build = (env: Record<string, string>, view: unknown = InMemoryCountersView) =>
      new ProjectionRunner({
        application: TrainingSchool,
        projection: CountProjection,
        view: view as typeof InMemoryCountersView,
        env,
        start: false,
      });
    expect(() => build({ COUNTPROJECTION_PERSISTENCE_MODULE: 'kurrentdb' })).toThrow(
      /KurrentDB stores events, not tracking records/,
    );
    expect(() =>
      build({ COUNTPROJECTION_PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: ':memory:' }),
    ).toThrow(
      /View class 'InMemoryCountersView' is a memory view, but 'COUNTPROJECTION_PERSISTENCE_MODULE, PERSISTENCE_MODULE' is 'sqlite'/,
    );
    expect(() =>
      build({ COUNTPROJECTION_PERSISTENCE_MODULE: 'sqlite' }, SQLiteCountersView),
    ).toThrow(ConfigurationError);
    expect(() =>
      build({ COUNTPROJECTION_PERSISTENCE_MODULE: 'postgres' }, { memory: InMemoryCountersView }),
    ).toThrow(/No view class for persistence module 'postgres'/);
  });
});
