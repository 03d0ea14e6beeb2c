/**
 * The seed's counters view (dogs and tricks), in memory and in SQLite, and its projection — used
 * by the projection tests.
 */
import { Dog } from '../../machines/dog.js';
import { MemoryTrackingRecorder } from '../../src/adapters/memory/tracking-recorder.js';
import { type SQLiteDatabase, SQLiteTrackingRecorder } from '../../src/adapters/sqlite/index.js';
import { Application } from '../../src/application/application.js';
import { afterCommit } from '../../src/core/after-commit.js';
import type { Tracking, TrackingRecorder } from '../../src/core/tracking-recorder.js';
import { Projection } from '../../src/runtime/projection/projection.js';

export interface CountersView extends TrackingRecorder {
  incrDogCounter(tracking: Tracking): Promise<void>;
  incrTrickCounter(tracking: Tracking): Promise<void>;
  getDogCounter(): Promise<number>;
  getTrickCounter(): Promise<number>;
}

export class InMemoryCountersView extends MemoryTrackingRecorder implements CountersView {
  #dogs = 0;
  #tricks = 0;
  /** Both counts, after each commit. */
  readonly counts$ = afterCommit(this, () => ({ dogs: this.#dogs, tricks: this.#tricks }));

  incrDogCounter(tracking: Tracking): Promise<void> {
    return this.withLock(() => {
      this.assertTrackingUniqueness(tracking);
      this.#dogs++;
      this.insertTrackingUnlocked(tracking);
    });
  }

  incrTrickCounter(tracking: Tracking): Promise<void> {
    return this.withLock(() => {
      this.assertTrackingUniqueness(tracking);
      this.#tricks++;
      this.insertTrackingUnlocked(tracking);
    });
  }

  async getDogCounter(): Promise<number> {
    return this.#dogs;
  }

  async getTrickCounter(): Promise<number> {
    return this.#tricks;
  }
}

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

export class CountProjection extends Projection<CountersView> {
  static override topics = ['Dog.Registered', 'Dog.TrickAdded'];

  constructor(view: CountersView) {
    super(view);
    this.on(Dog, {
      Registered: (_event, tracking) => this.view.incrDogCounter(tracking),
      TrickAdded: (_event, tracking) => this.view.incrTrickCounter(tracking),
    });
  }
}

/** The training school with its aggregate types declared (so projections decode its events). */
export class TrainingSchool extends Application {
  static override aggregates = [Dog];

  async register(name: string): Promise<bigint> {
    const dog = await this.repository.create(Dog, name);
    return (await dog.execute({ type: 'register', name })).at(-1)?.notification.id as bigint;
  }

  async addTrick(name: string, trick: string): Promise<bigint> {
    const dog = await this.repository.get(Dog, name);
    return (await dog.execute({ type: 'addTrick', trick })).at(-1)?.notification.id as bigint;
  }
}
