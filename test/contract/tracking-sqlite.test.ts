import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import {
  type SQLiteDatabase,
  SQLiteTrackingRecorder,
  type SQLiteTrackingRecorderOptions,
} from '../../src/adapters/sqlite/index.js';
import type { Tracking } from '../../src/core/tracking-recorder.js';
import {
  type CounterView,
  describeTrackingRecorderContract,
} from '../../src/testing/contract/index.js';

/** The contract's counter view, kept in an SQLite table next to the tracking table. */
class SQLiteCounterView extends SQLiteTrackingRecorder implements CounterView {
  readonly #increment;
  readonly #select;

  constructor(options: SQLiteTrackingRecorderOptions) {
    super(options);
    this.#increment = this.db.prepare<[string], unknown>(
      'INSERT INTO counters (name, n) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET n = n + 1',
    );
    this.#select = this.db
      .prepare<[string], bigint>('SELECT n FROM counters WHERE name = ?')
      .pluck();
  }

  protected override createViewTables(db: SQLiteDatabase): void {
    db.exec('CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL)');
  }

  increment(name: string, tracking: Tracking): Promise<void> {
    return this.trackedTransaction(tracking, () => {
      this.#increment.run(name);
    });
  }

  incrementAndFail(name: string, tracking: Tracking, error: Error): Promise<never> {
    return this.trackedTransaction(tracking, () => {
      this.#increment.run(name);
      throw error;
    });
  }

  count(name: string): Promise<number> {
    return this.readCommitted(() => Number(this.#select.get(name) ?? 0n));
  }
}

const directory = mkdtempSync(join(tmpdir(), 'tracking-sqlite-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const dbName = join(directory, 'tracking.db');

describeTrackingRecorderContract('SQLiteTrackingRecorder (file)', {
  create: async () => new SQLiteTrackingRecorder({ dbName }),
  createCounterView: async () => new SQLiteCounterView({ dbName }),
  capabilities: {
    sharedStore: true,
    waitWithoutPolling: 'own-commits',
    batches: 'transactional',
    writesOutsideBatch: 'wait-for-batch',
  },
});

describeTrackingRecorderContract('SQLiteTrackingRecorder (:memory:)', {
  create: async () => new SQLiteTrackingRecorder({ dbName: ':memory:' }),
  createCounterView: async () => new SQLiteCounterView({ dbName: ':memory:' }),
  capabilities: {
    sharedStore: false,
    waitWithoutPolling: 'own-commits',
    batches: 'transactional',
    writesOutsideBatch: 'wait-for-batch',
  },
});
