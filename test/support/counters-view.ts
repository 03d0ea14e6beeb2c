/**
 * The seed's counters view (dogs and tricks) in memory (the demo's) and in SQLite, its projection
 * and the training school — used by the projection tests.
 */
import { type SQLiteDatabase, SQLiteTrackingRecorder } from '../../src/adapters/sqlite/index.js';
import { afterCommit } from '../../src/core/after-commit.js';
import type { Tracking } from '../../src/core/tracking-recorder.js';
import type { CountersView } from '../../src/demo/counters-view.js';

export {
  type CountersView,
  CountProjection,
  InMemoryCountersView,
} from '../../src/demo/counters-view.js';
export { TrainingSchool } from '../../src/demo/training-school.js';

export class SQLiteCountersView extends SQLiteTrackingRecorder implements CountersView {
  protected override createViewTables(db: SQLiteDatabase): void {
    db.exec(`CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
      INSERT OR IGNORE INTO counters VALUES ('dogs', 0), ('tricks', 0);`);
  }

  incrDogCounter(tracking: Tracking): Promise<void> {
    return this.#incr('dogs', tracking);
  }

  incrTrickCounter(tracking: Tracking): Promise<void> {
    return this.#incr('tricks', tracking);
  }

  getDogCounter(): Promise<number> {
    return this.#get('dogs');
  }

  getTrickCounter(): Promise<number> {
    return this.#get('tricks');
  }

  /** Both counts, after each commit (never a value of a rolled-back transaction). */
  readonly counts$ = afterCommit(this, async () => ({
    dogs: await this.getDogCounter(),
    tricks: await this.getTrickCounter(),
  }));

  #incr(name: string, tracking: Tracking): Promise<void> {
    return this.trackedTransaction(tracking, (db) => {
      db.prepare('UPDATE counters SET n = n + 1 WHERE name = ?').run(name);
    });
  }

  #get(name: string): Promise<number> {
    return this.readCommitted((db) =>
      Number(db.prepare('SELECT n FROM counters WHERE name = ?').pluck().get(name)),
    );
  }
}
