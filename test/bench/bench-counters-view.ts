/**
 * The counters view of the training school (dogs and tricks) in memory, SQLite and PostgreSQL,
 * its projection and the application, for `projection-bench.ts` (the bench build does not include
 * `test/support`, whose counters view the projection tests use).
 */
import { Dog } from '../../machines/dog.js';
import {
  type PostgresClient,
  PostgresTrackingRecorder,
} from '../../src/adapters/postgres/postgres-tracking-recorder.js';
import {
  type SQLiteDatabase,
  SQLiteTrackingRecorder,
} from '../../src/adapters/sqlite/sqlite-tracking-recorder.js';
import { Application } from '../../src/application/application.js';
import type { Tracking } from '../../src/core/tracking-recorder.js';
import type { CountersView } from '../../src/demo/counters-view.js';
import { Projection } from '../../src/runtime/projection/projection.js';

/** The demo's counters view interface and memory view (`src/demo/counters-view.ts`). */
export type BenchCountersView = CountersView;
export { InMemoryCountersView as MemoryBenchCountersView } from '../../src/demo/counters-view.js';

export class SQLiteBenchCountersView extends SQLiteTrackingRecorder implements BenchCountersView {
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

  async getDogCounter(): Promise<number> {
    return this.#get('dogs');
  }

  async getTrickCounter(): Promise<number> {
    return this.#get('tricks');
  }

  /** Prepared once (the tables exist once the base constructor returned). */
  readonly #update = this.db.prepare<[string]>('UPDATE counters SET n = n + 1 WHERE name = ?');

  #incr(name: string, tracking: Tracking): Promise<void> {
    return this.trackedTransaction(tracking, () => {
      this.#update.run(name);
    });
  }

  #get(name: string): number {
    return Number(this.db.prepare('SELECT n FROM counters WHERE name = ?').pluck().get(name));
  }
}

export class PostgresBenchCountersView
  extends PostgresTrackingRecorder
  implements BenchCountersView
{
  protected override async createViewTables(client: PostgresClient): Promise<void> {
    const counters = this.table('counters');
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${counters} (name text PRIMARY KEY, n bigint NOT NULL)`,
    );
    await client.query(
      `INSERT INTO ${counters} VALUES ('dogs', 0), ('tricks', 0) ON CONFLICT DO NOTHING`,
    );
  }

  incrDogCounter(tracking: Tracking): Promise<void> {
    return this.#incr('dogs', tracking);
  }

  incrTrickCounter(tracking: Tracking): Promise<void> {
    return this.#incr('tricks', tracking);
  }

  async getDogCounter(): Promise<number> {
    return this.#get('dogs');
  }

  async getTrickCounter(): Promise<number> {
    return this.#get('tricks');
  }

  #incr(name: string, tracking: Tracking): Promise<void> {
    return this.trackedStatement(
      tracking,
      `UPDATE ${this.table('counters')} SET n = n + 1 WHERE name = $1`,
      [name],
    );
  }

  async #get(name: string): Promise<number> {
    const result = await this.pool.query<{ n: string }>(
      `SELECT n FROM ${this.table('counters')} WHERE name = $1`,
      [name],
    );
    return Number(result.rows[0]?.n);
  }
}

/** Counts dogs and tricks; its settings are prefixed `COUNTS_`. */
export class BenchCountProjection extends Projection<BenchCountersView> {
  static override topics = ['Dog.Registered', 'Dog.TrickAdded'];
  static override projectionName = 'counts';

  constructor(view: BenchCountersView) {
    super(view);
    this.on(Dog, {
      Registered: (_event, tracking) => this.view.incrDogCounter(tracking),
      TrickAdded: (_event, tracking) => this.view.incrTrickCounter(tracking),
    });
  }
}

/** The training school with its aggregate types declared (so projections decode its events). */
export class BenchSchool extends Application {
  static override aggregates = [Dog];
}
