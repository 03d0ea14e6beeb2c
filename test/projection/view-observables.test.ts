/**
 * View observables emit only after commit: a test subscribes, runs commands, and sees the counts
 * change in order — never a value of a rolled-back transaction.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProjectionRunner } from '../../src/application/projection-runner.js';
import type { Tracking } from '../../src/core/tracking-recorder.js';
import {
  CountProjection,
  InMemoryCountersView,
  SQLiteCountersView,
  TrainingSchool,
} from '../support/counters-view.js';

const dir = mkdtempSync(join(tmpdir(), 'view-observables-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Counts = { dogs: number; tricks: number };

/** A SQLite view whose trick update fails (after writing, inside its transaction) once. */
class OnceBrokenView extends SQLiteCountersView {
  static broken = true;
  override incrTrickCounter(tracking: Tracking): Promise<void> {
    return this.trackedTransaction(tracking, (db) => {
      db.prepare("UPDATE counters SET n = n + 100 WHERE name = 'tricks'").run();
      if (OnceBrokenView.broken) {
        OnceBrokenView.broken = false;
        throw new Error('rolled back');
      }
      db.prepare("UPDATE counters SET n = n - 99 WHERE name = 'tricks'").run();
    });
  }
}

describe('view observables', () => {
  it.each([
    ['memory', InMemoryCountersView, {}],
    ['sqlite', SQLiteCountersView, { PERSISTENCE_MODULE: 'sqlite' }],
  ] as const)('the %s counts change in order as commands run', async (_, view, env) => {
    await using school = new TrainingSchool();
    await using runner = new ProjectionRunner({
      application: school,
      projection: CountProjection,
      view,
      env: { ...env, SQLITE_DBNAME: join(dir, `${randomUUID()}.db`) },
      progressLine: false,
      batchSize: 1,
    });
    const seen: Counts[] = [];
    const subscription = (runner.projection.view as InMemoryCountersView).counts$.subscribe((c) =>
      seen.push(c),
    );
    const fido = `Fido-${randomUUID()}`;
    await runner.wait(await school.register(fido));
    await runner.wait(await school.addTrick(fido, 'sit'));
    await runner.wait(await school.addTrick(fido, 'stay'));
    await expect.poll(() => seen.at(-1)).toEqual({ dogs: 1, tricks: 2 });
    subscription.unsubscribe();
    expect(seen[0]).toEqual({ dogs: 0, tricks: 0 });
    // In order, each step one commit, never going back.
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1] as Counts, seen[i] as Counts];
      expect(b.dogs + b.tricks).toBeGreaterThan(a.dogs + a.tricks);
    }
  });

  it('never emits a value of a rolled-back transaction', async () => {
    await using school = new TrainingSchool();
    const env = { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: join(dir, `${randomUUID()}.db`) };
    const fido = `Fido-${randomUUID()}`;
    await school.register(fido);
    await school.addTrick(fido, 'sit');
    OnceBrokenView.broken = true;
    // The batch [Registered, TrickAdded] rolls back (its +100 with it); the runner retries its
    // events one by one and the trick then counts once.
    await using runner = new ProjectionRunner({
      application: school,
      projection: CountProjection,
      view: OnceBrokenView,
      env,
      progressLine: false,
      batchDeadlineMs: 200,
    });
    const seen: Counts[] = [];
    const subscription = (runner.projection.view as OnceBrokenView).counts$.subscribe((c) =>
      seen.push(c),
    );
    await runner.wait(2n, { timeout: 5_000 });
    await expect.poll(() => seen.at(-1)).toEqual({ dogs: 1, tricks: 1 });
    subscription.unsubscribe();
    expect(OnceBrokenView.broken).toBe(false);
    expect(seen.every((c) => c.tricks <= 1)).toBe(true);
  });
});
