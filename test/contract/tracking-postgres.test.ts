import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import {
  type PostgresClient,
  PostgresTrackingRecorder,
  type PostgresTrackingRecorderOptions,
} from '../../src/adapters/postgres/index.js';
import type { Tracking } from '../../src/core/tracking-recorder.js';
import {
  type CounterView,
  describeTrackingRecorderContract,
} from '../../src/testing/contract/index.js';

/** The contract's counter view, kept in a PostgreSQL table next to the tracking table. */
class PostgresCounterView extends PostgresTrackingRecorder implements CounterView {
  protected override async createViewTables(client: PostgresClient): Promise<void> {
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${this.table('counters')} (name text PRIMARY KEY, n bigint NOT NULL)`,
    );
  }

  increment(name: string, tracking: Tracking): Promise<void> {
    return this.trackedTransaction(tracking, async (client) => {
      await client.query(
        `INSERT INTO ${this.table('counters')} AS c (name, n) VALUES ($1, 1) ON CONFLICT (name) DO UPDATE SET n = c.n + 1`,
        [name],
      );
    });
  }

  incrementAndFail(name: string, tracking: Tracking, error: Error): Promise<never> {
    return this.trackedTransaction(tracking, async (client) => {
      await client.query(
        `INSERT INTO ${this.table('counters')} AS c (name, n) VALUES ($1, 1) ON CONFLICT (name) DO UPDATE SET n = c.n + 1`,
        [name],
      );
      throw error;
    });
  }

  async count(name: string): Promise<number> {
    await this.ready();
    const result = await this.pool.query<{ n: string }>(
      `SELECT n FROM ${this.table('counters')} WHERE name = $1`,
      [name],
    );
    return Number(result.rows[0]?.n ?? 0);
  }
}

const connectionString = inject('databaseUrl');
// A schema of this file's own: runs and files sharing one database never collide.
const schema = `contract_${randomUUID().replaceAll('-', '')}`;
const options: PostgresTrackingRecorderOptions = { connectionString, schema };

afterAll(async () => {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
});

describeTrackingRecorderContract('PostgresTrackingRecorder', {
  create: async () => new PostgresTrackingRecorder(options),
  createCounterView: async () => new PostgresCounterView(options),
  capabilities: {
    sharedStore: true,
    waitWithoutPolling: 'all-commits',
    batches: 'transactional',
    writesOutsideBatch: 'concurrent',
  },
});
