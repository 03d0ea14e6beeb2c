/** The view the PostgreSQL recorder tests write: one table of unique names. */
import {
  type PostgresClient,
  PostgresTrackingRecorder,
} from '../../../src/adapters/postgres/index.js';
import type { Tracking } from '../../../src/core/tracking-recorder.js';

/** A view with one table of unique names, whose write callback the test chooses. */
export class NamesView extends PostgresTrackingRecorder {
  protected override async createViewTables(client: PostgresClient): Promise<void> {
    await client.query(`CREATE TABLE IF NOT EXISTS ${this.table('names')} (name text PRIMARY KEY)`);
  }

  /** Runs `write` in the view's tracked transaction. */
  run<T>(tracking: Tracking, write: (client: PostgresClient) => Promise<T>): Promise<T> {
    return this.trackedTransaction(tracking, write);
  }

  add(name: string) {
    return async (client: PostgresClient): Promise<void> => {
      await client.query(`INSERT INTO ${this.table('names')} (name) VALUES ($1)`, [name]);
    };
  }

  /** Adds `name` with one tracked statement (pipelined in a batch). */
  addStatement(name: string, tracking: Tracking): Promise<void> {
    return this.trackedStatement(tracking, `INSERT INTO ${this.table('names')} VALUES ($1)`, [
      name,
    ]);
  }

  /** The names, read in a tracked transaction (inside a batch: on the batch's connection). */
  namesInside(tracking: Tracking): Promise<string[]> {
    return this.run(tracking, async (client) => {
      const result = await client.query<{ name: string }>(
        `SELECT name FROM ${this.table('names')} ORDER BY name`,
      );
      return result.rows.map((row) => row.name);
    });
  }

  /** The committed names. */
  async names(): Promise<string[]> {
    await this.ready();
    const result = await this.pool.query<{ name: string }>(
      `SELECT name FROM ${this.table('names')} ORDER BY name`,
    );
    return result.rows.map((row) => row.name);
  }
}
