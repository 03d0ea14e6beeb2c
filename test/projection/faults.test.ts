/**
 * Faults, each a test: a throw inside the view transaction, a KurrentDB connection dropped
 * mid-stream, a poison event, stopping mid-batch, and two runners on one SQL view by mistake.
 * Afterwards the view equals a rebuild from scratch: nothing applied twice, nothing skipped.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ProjectionRunner } from '../../src/application/projection-runner.js';
import { ProjectionError } from '../../src/core/errors.js';
import type { Tracking } from '../../src/core/tracking-recorder.js';
import {
  type CountersView,
  CountProjection,
  SQLiteCountersView,
  TrainingSchool,
} from '../support/counters-view.js';
import { useProjectionFixture } from '../support/projection-fixture.js';

const fixture = useProjectionFixture('projection-faults');

const sqliteEnv = () => ({
  PERSISTENCE_MODULE: 'sqlite',
  SQLITE_DBNAME: fixture.sqliteFile(),
});

/** Registers `dogs` dogs, each with `tricks` tricks; resolves with the last notification id. */
async function fill(school: TrainingSchool, dogs: number, tricks: number): Promise<bigint> {
  let last = 0n;
  for (let d = 0; d < dogs; d++) {
    const name = `dog-${randomUUID()}`;
    last = await school.register(name);
    for (let t = 0; t < tricks; t++) last = await school.addTrick(name, `trick ${t}`);
  }
  return last;
}

/** The counts a fresh view gets from the same events (the rebuild the tests compare against). */
async function rebuild(school: TrainingSchool): Promise<[number, number]> {
  await using runner = new ProjectionRunner({
    application: school,
    projection: CountProjection,
    view: SQLiteCountersView,
    env: sqliteEnv(),
    progressLine: false,
  });
  await runner.wait(await school.recorder.maxNotificationId(), { timeout: 20_000 });
  return [
    await runner.projection.view.getDogCounter(),
    await runner.projection.view.getTrickCounter(),
  ];
}

async function counts(view: CountersView): Promise<[number, number]> {
  return [await view.getDogCounter(), await view.getTrickCounter()];
}

/** A view whose trick counter throws once, inside its transaction, after writing. */
class FlakyCountersView extends SQLiteCountersView {
  static failOn: bigint | undefined;
  override incrTrickCounter(tracking: Tracking): Promise<void> {
    return this.trackedTransaction(tracking, (db) => {
      db.prepare("UPDATE counters SET n = n + 1 WHERE name = 'tricks'").run();
      if (tracking.notificationId === FlakyCountersView.failOn) {
        FlakyCountersView.failOn = undefined;
        throw new Error('disk on fire');
      }
    });
  }
}

/** A projection whose handler chokes on one trick (until fixed). */
class PoisonedProjection extends CountProjection {
  static poison: string | undefined = 'poison';
  override processEvent(...args: Parameters<CountProjection['processEvent']>) {
    const [event] = args;
    if ('trick' in event && event.trick === PoisonedProjection.poison)
      throw new Error('cannot count poison');
    return super.processEvent(...args);
  }
}

describe('projection faults', () => {
  it('a throw inside the view transaction applies nothing twice after a restart', async () => {
    await using school = new TrainingSchool();
    await fill(school, 3, 2);
    const env = sqliteEnv();
    const events = await school.recorder.selectNotifications({ limit: 100 });
    FlakyCountersView.failOn = events[4]?.id; // a TrickAdded
    const first = new ProjectionRunner({
      application: school,
      projection: CountProjection,
      view: FlakyCountersView,
      env,
      progressLine: false,
      batchSize: 1,
    });
    const error = await first
      .wait(await school.recorder.maxNotificationId(), { timeout: 5_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProjectionError);
    expect((error as ProjectionError).position).toBe(events[4]?.id);
    await expect(first[Symbol.asyncDispose]()).rejects.toThrow(ProjectionError);
    await using second = new ProjectionRunner({
      application: school,
      projection: CountProjection,
      view: FlakyCountersView,
      env,
      progressLine: false,
    });
    await second.wait(await school.recorder.maxNotificationId(), { timeout: 5_000 });
    expect(await counts(second.projection.view)).toEqual([3, 6]);
    expect(await counts(second.projection.view)).toEqual(await rebuild(school));
  });

  it('a poison event stops the runner with a clear error; nothing after it is applied; the fixed handler resumes there', async () => {
    await using school = new TrainingSchool();
    await fill(school, 2, 1);
    const dog = `dog-${randomUUID()}`;
    await school.register(dog);
    const poison = await school.addTrick(dog, 'poison');
    await school.addTrick(dog, 'after');
    const env = sqliteEnv();
    PoisonedProjection.poison = 'poison';
    const runner = new ProjectionRunner({
      application: school,
      projection: PoisonedProjection,
      view: SQLiteCountersView,
      env,
      progressLine: false,
    });
    const error = (await runner
      .wait(await school.recorder.maxNotificationId(), { timeout: 5_000 })
      .catch((e: unknown) => e)) as ProjectionError;
    expect(error).toBeInstanceOf(ProjectionError);
    expect(error).toMatchObject({
      code: 'PROJECTION',
      position: poison,
      eventType: 'Dog.TrickAdded',
      streamName: `Dog-${dog}`,
    });
    expect(error.message).toMatch(
      new RegExp(
        `PoisonedProjection failed on notification ${poison} \\('Dog.TrickAdded' at revision 1 of stream 'Dog-${dog}'\\): cannot count poison`,
      ),
    );
    expect(runner.lifecycle.getSnapshot().value).toBe('failed');
    // Nothing at or after the poison was applied.
    expect(await runner.projection.view.maxTrackingId(school.name)).toBeLessThan(poison);
    expect(await counts(runner.projection.view)).toEqual([3, 2]);
    await expect(runner.wait(poison)).rejects.toBe(error);
    await expect(runner[Symbol.asyncDispose]()).rejects.toBe(error);
    PoisonedProjection.poison = undefined; // the fix
    await using fixed = new ProjectionRunner({
      application: school,
      projection: PoisonedProjection,
      view: SQLiteCountersView,
      env,
      progressLine: false,
    });
    await fixed.wait(await school.recorder.maxNotificationId(), { timeout: 5_000 });
    expect(await counts(fixed.projection.view)).toEqual([3, 4]);
  });

  it('stopping mid-batch loses nothing', async () => {
    await using school = new TrainingSchool();
    await fill(school, 50, 9);
    const env = sqliteEnv();
    const runner = new ProjectionRunner({
      application: school,
      projection: CountProjection,
      view: SQLiteCountersView,
      env,
      progressLine: false,
      batchSize: 40,
    });
    await runner.wait(60n, { timeout: 5_000 });
    await runner.stop();
    const stoppedAt = await runner.projection.view.maxTrackingId(school.name);
    expect(stoppedAt).toBeLessThan(500n);
    await runner[Symbol.asyncDispose]();
    await using again = new ProjectionRunner({
      application: school,
      projection: CountProjection,
      view: SQLiteCountersView,
      env,
      progressLine: false,
    });
    await again.wait(500n, { timeout: 10_000 });
    expect(await counts(again.projection.view)).toEqual([50, 450]);
  });

  it('two runners started on the same SQL view by mistake never double-apply an event', async () => {
    await using school = new TrainingSchool();
    await fill(school, 20, 4);
    const env = { ...sqliteEnv(), SQLITE_LOCK_TIMEOUT: '0.5' };
    const runners = [1, 2].map(
      () =>
        new ProjectionRunner({
          application: school,
          projection: CountProjection,
          view: SQLiteCountersView,
          env,
          progressLine: false,
          batchSize: 7,
        }),
    );
    await Promise.allSettled(runners.map((r) => r.wait(100n, { timeout: 10_000 })));
    const failed = runners.filter((r) => r.error !== undefined);
    for (const r of failed) expect(r.error?.cause).toMatchObject({ code: 'INTEGRITY' });
    const [view] = runners.map((r) => r.projection.view);
    await using check = new ProjectionRunner({
      application: school,
      projection: CountProjection,
      view: SQLiteCountersView,
      env,
      progressLine: false,
    });
    await check.wait(100n, { timeout: 10_000 });
    expect(await counts(check.projection.view)).toEqual([20, 80]);
    expect(view).toBeDefined();
    await Promise.allSettled(runners.map((r) => r[Symbol.asyncDispose]()));
  });

  it('a KurrentDB connection dropped mid-stream: the runner resumes and the view equals a rebuild', async () => {
    const env = {
      TRAININGSCHOOL_PERSISTENCE_MODULE: 'kurrentdb',
      KURRENTDB_URI: fixture.server.uri,
    };
    await using school = new TrainingSchool({ env });
    const head = await fill(school, 40, 9);
    const retries: string[] = [];
    await using runner = new ProjectionRunner({
      application: school,
      projection: CountProjection,
      view: SQLiteCountersView,
      env: sqliteEnv(),
      progressLine: false,
      batchSize: 25,
      retry: { initialDelayMs: 20 },
    });
    runner.lifecycle.subscribe((s) => retries.push(String(s.value)));
    await runner.wait(
      await school.recorder.selectNotifications({ limit: 50 }).then((n) => n.at(-1)?.id ?? 0n),
      { timeout: 10_000 },
    );
    fixture.server.disconnectClients();
    await new Promise((resolve) => setTimeout(resolve, 50));
    fixture.server.abortSubscriptions();
    await runner.wait(head, { timeout: 30_000 });
    expect(await counts(runner.projection.view)).toEqual([40, 360]);
    expect(await counts(runner.projection.view)).toEqual(await rebuild(school));
  });
});
