/**
 * The SQLite process store: process instances in table `process_instances`, next to the
 * tracking table of {@link SQLiteTrackingRecorder}, so that an instance's new state and the
 * tracking of the upstream event that caused it commit in one transaction.
 *
 * @module
 */
import type Database from 'better-sqlite3';
import {
  checkProcessInstance,
  checkProcessKey,
  checkProcessName,
} from '../../core/process-instance-checks.js';
import type { ProcessInstanceRecord, ProcessStore } from '../../core/process-store.js';
import type { Tracking } from '../../core/tracking-recorder.js';
import { translateSqliteError } from './sqlite-errors.js';
import type { SQLiteTrackingRecorderOptions } from './sqlite-tracking-options.js';
import { type SQLiteDatabase, SQLiteTrackingRecorder } from './sqlite-tracking-recorder.js';

/** The table of the instances. */
const TABLE = 'process_instances';

/** A row of {@link TABLE} (integers read as `bigint`: the recorder's connection uses safe integers). */
interface InstanceRow {
  readonly process_name: string;
  readonly correlation_id: string;
  readonly state: string;
  readonly done: bigint;
  readonly next_timer_at: number | null;
}

const COLUMNS = 'process_name, correlation_id, state, done, next_timer_at';

/**
 * A {@link ProcessStore} in an SQLite database (file or `:memory:`), configured like any SQLite
 * view (`SQLiteProcessStore.fromEnvironment(env)`: `SQLITE_DBNAME`, `SQLITE_LOCK_TIMEOUT`,
 * `CREATE_TABLE`).
 *
 * - A save with tracking is a tracked transaction: inside a {@link batch} it joins the batch.
 * - A save without tracking is one statement on its own; outside a batch's async context it
 *   waits for an open batch to end (as the reads do), so it is never part of, nor lost with,
 *   another context's batch. Inside a batch's async context it is part of that batch.
 * - Reads see committed state, and inside a batch that batch's own writes too.
 * - Correlation ids are ordered by code point (SQLite's `BINARY` collation).
 */
export class SQLiteProcessStore extends SQLiteTrackingRecorder implements ProcessStore {
  readonly #upsert: Database.Statement<[string, string, string, number, number | null]>;
  readonly #select: Database.Statement<[string, string], InstanceRow>;
  readonly #selectAll: Database.Statement<[string], InstanceRow>;
  readonly #selectWithTimers: Database.Statement<[string], InstanceRow>;

  /**
   * Opens (or creates) the database and, unless `createTable` is false, the tracking table and
   * `process_instances`.
   *
   * @throws PersistenceError when the database cannot be opened, or when `createTable` is false
   *   and a table does not exist.
   */
  constructor(options: SQLiteTrackingRecorderOptions) {
    super(options);
    try {
      this.#upsert = this.db.prepare<[string, string, string, number, number | null]>(
        `INSERT INTO ${TABLE} (${COLUMNS}) VALUES (?, ?, ?, ?, ?) ON CONFLICT (process_name, correlation_id) DO UPDATE SET state = excluded.state, done = excluded.done, next_timer_at = excluded.next_timer_at`,
      );
      const select = `SELECT ${COLUMNS} FROM ${TABLE} WHERE process_name = ?`;
      this.#select = this.db.prepare<[string, string], InstanceRow>(
        `${select} AND correlation_id = ?`,
      );
      this.#selectAll = this.db.prepare<[string], InstanceRow>(`${select} ORDER BY correlation_id`);
      this.#selectWithTimers = this.db.prepare<[string], InstanceRow>(
        `${select} AND next_timer_at IS NOT NULL ORDER BY next_timer_at, correlation_id`,
      );
    } catch (error) {
      this.db.close();
      throw translateSqliteError(error, `Failed to set up table ${TABLE}`);
    }
  }

  protected override createViewTables(db: SQLiteDatabase): void {
    db.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (
      process_name TEXT NOT NULL,
      correlation_id TEXT NOT NULL,
      state TEXT NOT NULL,
      done INTEGER NOT NULL,
      next_timer_at REAL,
      PRIMARY KEY (process_name, correlation_id)
    );
    CREATE INDEX IF NOT EXISTS ${TABLE}_timers ON ${TABLE} (process_name, next_timer_at)`);
  }

  async loadInstance(
    processName: string,
    correlationId: string,
  ): Promise<ProcessInstanceRecord | undefined> {
    checkProcessKey(processName, correlationId);
    const row = await this.#read(
      `Failed to load process instance ${processName}/${correlationId}`,
      () => this.#select.get(processName, correlationId),
    );
    return row === undefined ? undefined : toRecord(row);
  }

  /** @throws IntegrityError when `tracking`'s id is not greater than its application's max. */
  async saveInstance(record: ProcessInstanceRecord, tracking?: Tracking): Promise<void> {
    const r = checkProcessInstance(record, tracking);
    const write = () => {
      this.#upsert.run(
        r.processName,
        r.correlationId,
        r.state,
        r.done ? 1 : 0,
        r.nextTimerAt ?? null,
      );
    };
    if (tracking !== undefined) {
      await this.trackedTransaction(tracking, write);
      return;
    }
    // One statement commits on its own; readCommitted runs it once no other batch is open.
    await this.#read(`Failed to save process instance ${r.processName}/${r.correlationId}`, write);
  }

  async instancesWithTimers(processName: string): Promise<ProcessInstanceRecord[]> {
    checkProcessName(processName);
    const rows = await this.#read(`Failed to read the timers of process ${processName}`, () =>
      this.#selectWithTimers.all(processName),
    );
    return rows.map(toRecord);
  }

  async instances(processName: string): Promise<ProcessInstanceRecord[]> {
    checkProcessName(processName);
    const rows = await this.#read(`Failed to read the instances of process ${processName}`, () =>
      this.#selectAll.all(processName),
    );
    return rows.map(toRecord);
  }

  /** Runs `fn` through {@link readCommitted}, with SQLite errors translated. */
  #read<T>(context: string, fn: () => T): Promise<T> {
    return this.readCommitted(() => {
      try {
        return fn();
      } catch (error) {
        throw translateSqliteError(error, context);
      }
    });
  }
}

function toRecord(row: InstanceRow): ProcessInstanceRecord {
  return {
    processName: row.process_name,
    correlationId: row.correlation_id,
    state: row.state,
    done: row.done !== 0n,
    nextTimerAt: row.next_timer_at ?? undefined,
  };
}
