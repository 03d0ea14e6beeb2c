/**
 * The SQLite tracking recorder (better-sqlite3): the base class of views kept in SQLite. A view's
 * writes and its tracking record commit in one transaction, so a duplicate or older tracking id
 * rolls the view's writes back.
 *
 * @module
 */
import Database from 'better-sqlite3';
import type { Environment } from '../../core/environment.js';
import { IntegrityError, PersistenceError, ProgrammingError } from '../../core/errors.js';
import { InsertSignal } from '../../core/insert-signal.js';
import {
  firstOf,
  sleepUnlessAborted,
  type Tracking,
  type TrackingRecorder,
  type TrackingWaitOptions,
  waitForTracking,
} from '../../core/tracking-recorder.js';
import { translateSqliteError } from './sqlite-errors.js';
import {
  DEFAULT_SQLITE_LOCK_TIMEOUT,
  DEFAULT_SQLITE_TRACKING_TABLE,
  type SQLiteTrackingRecorderOptions,
  sqliteTrackingOptionsFromEnvironment,
} from './sqlite-tracking-options.js';

/** The first and the longest pause between two polls of a wait, in milliseconds. */
const POLL_FIRST_MS = 5;
const POLL_MAX_MS = 100;

/** A better-sqlite3 database, as views see it. */
export type SQLiteDatabase = Database.Database;

/** `"name"`, quoted as an SQLite identifier. */
export const quoteSqliteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * A {@link TrackingRecorder} in an SQLite database: table `tracking` (by default) with one row
 * per upstream application, whose id only ever increases. File databases use WAL mode; ids are
 * stored as 64-bit integers and read back as exact `bigint`s.
 *
 * `wait` wakes at once for commits made through this recorder and polls (5 ms doubling to 100 ms)
 * for commits of other connections, which SQLite cannot announce.
 *
 * @example
 * ```ts
 * class Counts extends SQLiteTrackingRecorder {
 *   protected override createViewTables(db: SQLiteDatabase): void {
 *     db.exec('CREATE TABLE IF NOT EXISTS counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL)');
 *   }
 *   increment(name: string, tracking: Tracking): Promise<void> {
 *     return this.trackedTransaction(tracking, (db) => {
 *       db.prepare('INSERT INTO counts VALUES (?, 1) ON CONFLICT DO UPDATE SET n = n + 1').run(name);
 *     });
 *   }
 * }
 * const view = Counts.fromEnvironment(new Environment('counts', { SQLITE_DBNAME: 'view.db' }));
 * ```
 */
export class SQLiteTrackingRecorder implements TrackingRecorder {
  /** The database; views prepare their own statements on it. Integers are read as `bigint`. */
  protected readonly db: SQLiteDatabase;
  /** The name of the tracking table. */
  protected readonly trackingTable: string;
  readonly #upsert: Database.Statement<[string, bigint], bigint>;
  readonly #selectMax: Database.Statement<[string], bigint>;
  readonly #transaction: (tracking: Tracking, write: (db: SQLiteDatabase) => unknown) => unknown;
  readonly #committed = new InsertSignal();
  readonly #closed = new AbortController();

  /**
   * Opens (or creates) the database and, unless `createTable` is false, the tracking table and
   * the view's tables ({@link createViewTables}).
   *
   * @throws PersistenceError when the database cannot be opened, or when `createTable` is false
   *   and the tracking table does not exist.
   */
  constructor(options: SQLiteTrackingRecorderOptions) {
    const { dbName, createTable = true } = options;
    this.trackingTable = options.tableName ?? DEFAULT_SQLITE_TRACKING_TABLE;
    try {
      this.db = new Database(dbName, {
        timeout: options.lockTimeout ?? DEFAULT_SQLITE_LOCK_TIMEOUT,
      });
    } catch (error) {
      throw translateSqliteError(error, `Failed to open SQLite database '${dbName}'`);
    }
    try {
      this.db.defaultSafeIntegers(true);
      if (!this.db.memory) this.db.pragma('journal_mode = WAL');
      const table = quoteSqliteIdentifier(this.trackingTable);
      if (createTable) {
        this.db.transaction(() => {
          this.db.exec(
            `CREATE TABLE IF NOT EXISTS ${table} (application_name TEXT PRIMARY KEY NOT NULL, notification_id INTEGER NOT NULL)`,
          );
          this.createViewTables(this.db);
        })();
      } else {
        this.#assertTrackingTableExists(dbName);
      }
      this.#upsert = this.db
        .prepare<[string, bigint], bigint>(
          `INSERT INTO ${table} (application_name, notification_id) VALUES (?, ?) ON CONFLICT (application_name) DO UPDATE SET notification_id = excluded.notification_id WHERE ${table}.notification_id < excluded.notification_id RETURNING notification_id`,
        )
        .pluck();
      this.#selectMax = this.db
        .prepare<[string], bigint>(
          `SELECT notification_id FROM ${table} WHERE application_name = ?`,
        )
        .pluck();
      this.#transaction = this.db.transaction((tracking, write) => {
        this.#recordTracking(tracking);
        const result = write(this.db);
        if (isPromiseLike(result)) {
          result.then(undefined, () => undefined);
          throw new ProgrammingError(
            'The write callback of trackedTransaction() returned a promise: better-sqlite3 transactions are synchronous, so write synchronously and return a plain value',
          );
        }
        return result;
      }).immediate;
    } catch (error) {
      this.db.close();
      throw translateSqliteError(error, `Failed to set up SQLite database '${dbName}'`);
    }
  }

  /**
   * A recorder (or view) configured by the environment: `SQLITE_DBNAME` (required),
   * `CREATE_TABLE`, `SQLITE_LOCK_TIMEOUT` (seconds), each looked up with the environment's
   * name as prefix first.
   *
   * @throws ConfigurationError for a missing `SQLITE_DBNAME` or a malformed value.
   */
  static fromEnvironment<T extends SQLiteTrackingRecorder>(
    this: new (
      options: SQLiteTrackingRecorderOptions,
    ) => T,
    env: Environment,
  ): T {
    return new this(sqliteTrackingOptionsFromEnvironment(env));
  }

  /** @throws IntegrityError when the id is not greater than the application's max. */
  async insertTracking(t: Tracking): Promise<void> {
    await this.trackedTransaction(t, () => undefined);
  }

  async maxTrackingId(applicationName: string): Promise<bigint | undefined> {
    this.#assertOpen();
    try {
      return this.#selectMax.get(applicationName);
    } catch (error) {
      throw translateSqliteError(error, `Failed to read tracking of ${applicationName}`);
    }
  }

  async hasTrackingId(
    applicationName: string,
    notificationId: bigint | undefined,
  ): Promise<boolean> {
    if (notificationId === undefined) return true;
    const max = await this.maxTrackingId(applicationName);
    return max !== undefined && max >= notificationId;
  }

  wait(
    applicationName: string,
    notificationId: bigint | undefined,
    options: TrackingWaitOptions = {},
  ): Promise<void> {
    return waitForTracking(applicationName, notificationId, options, {
      has: () => this.hasTrackingId(applicationName, notificationId),
      changed: (signal, attempt) =>
        firstOf(
          signal,
          (s) => this.#committed.wait(s),
          (s) => sleepUnlessAborted(Math.min(POLL_MAX_MS, POLL_FIRST_MS * 2 ** attempt), s),
        ),
      closed: this.#closed.signal,
    });
  }

  /** Interrupts pending waits and closes the database. */
  async close(): Promise<void> {
    this.#closed.abort();
    if (this.db.open) this.db.close();
  }

  /**
   * Creates the view's tables; runs in the constructor, in the transaction that creates the
   * tracking table, unless `createTable` is false. Override it in a view. It runs during
   * `super()`, so use `db` and not the subclass's own fields. @defaultValue does nothing
   */
  protected createViewTables(_db: SQLiteDatabase): void {}

  /**
   * Runs `write` and records `tracking` in one (immediate) transaction: both commit or neither.
   * The tracking record is written first, so an equal or older id fails before `write` runs.
   * `write` must be synchronous (better-sqlite3 transactions are); its return value is returned.
   *
   * @throws IntegrityError "Failed to record tracking for <app> <id>" when the id is not greater
   *   than the application's max; nothing is written.
   * @throws ProgrammingError when `write` returns a promise; nothing is written.
   * @throws whatever `write` throws (SQLite errors translated); nothing is written.
   */
  protected async trackedTransaction<T>(
    tracking: Tracking,
    write: (db: SQLiteDatabase) => T,
  ): Promise<T> {
    this.#assertOpen();
    let result: T;
    try {
      result = this.#transaction(tracking, write) as T;
    } catch (error) {
      throw translateSqliteError(
        error,
        `Failed to record tracking for ${tracking.applicationName} ${tracking.notificationId}`,
        false,
      );
    }
    this.#committed.notify();
    return result;
  }

  #assertOpen(): void {
    if (!this.db.open) throw new PersistenceError('The SQLite tracking recorder is closed');
  }

  #recordTracking(tracking: Tracking): void {
    const { applicationName, notificationId } = tracking;
    let recorded: bigint | undefined;
    try {
      recorded = this.#upsert.get(applicationName, notificationId);
    } catch (error) {
      throw translateSqliteError(
        error,
        `Failed to record tracking for ${applicationName} ${notificationId}`,
      );
    }
    if (recorded === undefined) {
      throw new IntegrityError(
        `Failed to record tracking for ${applicationName} ${notificationId}`,
      );
    }
  }

  #assertTrackingTableExists(dbName: string): void {
    const found = this.db
      .prepare<[string], bigint>("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
      .pluck()
      .get(this.trackingTable);
    if (found === undefined) {
      throw new PersistenceError(
        `Table '${this.trackingTable}' does not exist in SQLite database '${dbName}' and CREATE_TABLE is off: create the table or set CREATE_TABLE=yes`,
      );
    }
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
