/**
 * The SQLite tracking recorder (better-sqlite3): the base class of views kept in SQLite. A view's
 * writes and its tracking record commit in one transaction, so a duplicate or older tracking id
 * rolls the view's writes back. {@link SQLiteTrackingRecorder.batch} spans many such tracked
 * transactions with one transaction on the recorder's connection (they become savepoints).
 *
 * @module
 */
import Database from 'better-sqlite3';
import { type Observable, Subject } from 'rxjs';
import type { Environment } from '../../core/environment.js';
import { IntegrityError, PersistenceError, ProgrammingError } from '../../core/errors.js';
import { InsertSignal } from '../../core/insert-signal.js';
import { isPromiseLike } from '../../core/promise-like.js';
import { sleepUnlessAborted } from '../../core/sleep.js';
import {
  type BatchingTrackingRecorder,
  BatchScope,
  firstOf,
  isTracked,
  type SavepointStatements,
  type Tracking,
  TrackingBatches,
  type TrackingRecorder,
  type TrackingWaitOptions,
  waitForTracking,
} from '../../core/tracking-recorder.js';
import { translateSqliteError } from './sqlite-errors.js';
import {
  DEFAULT_SQLITE_TRACKING_TABLE,
  type SQLiteTrackingRecorderOptions,
  sqliteBusyTimeout,
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
 * A {@link batch} holds the recorder's one connection (and, for a file, the database's write
 * lock) until it ends: tracked transactions, `maxTrackingId`, `hasTrackingId`, `wait`'s checks
 * and {@link readCommitted} called outside the batch wait for it to end, so they never see its
 * uncommitted writes and never mix theirs into it. Keep batches short.
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
export class SQLiteTrackingRecorder implements BatchingTrackingRecorder {
  /** The persistence module views of this class live in (read by the `ProjectionRunner`). */
  static readonly persistenceModule = 'sqlite';

  /** The database; views prepare their own statements on it. Integers are read as `bigint`. */
  protected readonly db: SQLiteDatabase;
  /** The name of the tracking table. */
  protected readonly trackingTable: string;
  readonly #upsert: Database.Statement<[string, bigint], bigint>;
  readonly #selectMax: Database.Statement<[string], bigint>;
  readonly #transaction: (tracking: Tracking, write: (db: SQLiteDatabase) => unknown) => unknown;
  readonly #committed = new InsertSignal();
  readonly #closed = new AbortController();
  readonly #commits = new Subject<Tracking>();
  readonly #batches = new TrackingBatches<SQLiteDatabase>();
  /** The batch open on the connection, and a promise that settles when it ends. */
  #openBatch:
    | { readonly scope: BatchScope<SQLiteDatabase>; readonly ended: Promise<void> }
    | undefined;
  readonly #savepoints: SavepointStatements = {
    savepoint: (name, releasePrevious) => {
      this.db.exec(`${releasePrevious ? `RELEASE SAVEPOINT ${name}; ` : ''}SAVEPOINT ${name}`);
    },
    rollbackTo: (name) => {
      this.db.exec(`ROLLBACK TO SAVEPOINT ${name}`);
      this.db.exec(`RELEASE SAVEPOINT ${name}`);
    },
  };

  /**
   * Each tracking record recorded through this recorder, after its commit (for a batch, after
   * the batch's commit). Completes on {@link close}.
   */
  readonly committed$: Observable<Tracking> = this.#commits.asObservable();

  /**
   * Opens (or creates) the database and, unless `createTable` is false, the tracking table and
   * the view's tables ({@link createViewTables}).
   *
   * @throws PersistenceError when the database cannot be opened, or when `createTable` is false
   *   and the tracking table does not exist.
   * @throws ProgrammingError for a `lockTimeout` that is `NaN`, negative or not a number.
   */
  constructor(options: SQLiteTrackingRecorderOptions) {
    const { dbName, createTable = true } = options;
    this.trackingTable = options.tableName ?? DEFAULT_SQLITE_TRACKING_TABLE;
    const timeout = sqliteBusyTimeout(options.lockTimeout);
    try {
      this.db = new Database(dbName, { timeout });
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

  /** Waits for a batch open in another async context to end (see the class comment). */
  async maxTrackingId(applicationName: string): Promise<bigint | undefined> {
    while (this.#mustWaitForBatch()) await this.#batchEnded();
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
    return isTracked(notificationId, () => this.maxTrackingId(applicationName));
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

  /**
   * Interrupts pending waits, completes {@link committed$} and closes the database. A batch still
   * open is rolled back (its later writes fail with `PersistenceError`).
   */
  async close(): Promise<void> {
    this.#closed.abort();
    this.#commits.complete();
    if (this.db.open) this.db.close();
  }

  /**
   * Runs `work` in one `BEGIN IMMEDIATE` … `COMMIT` on the recorder's connection; tracked
   * transactions started inside `work` (at any await depth) become savepoints of it, and their
   * tracking records are emitted on {@link committed$} after the commit. Work of this recorder
   * started outside `work` waits until the batch ends; a `batch` inside `work` is a savepoint.
   * See {@link BatchingTrackingRecorder.batch}.
   *
   * @throws whatever escapes `work` (SQLite errors translated); the whole batch is rolled back.
   * @throws PersistenceError (or `OperationalError` when the database stays locked) when the
   *   batch cannot begin or commit, or when SQLite rolled it back by itself.
   */
  async batch<T>(work: () => Promise<T>): Promise<T> {
    const current = this.#batches.current();
    if (current !== undefined) return this.#batches.nested(current, this.#savepoints, work);
    while (this.#mustWaitForBatch()) await this.#batchEnded();
    this.#assertOpen();
    const context = 'Failed to commit a batch of tracked transactions';
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      throw translateSqliteError(error, 'Failed to begin a batch of tracked transactions');
    }
    const scope = new BatchScope(this.db);
    let ended!: () => void;
    this.#openBatch = { scope, ended: new Promise<void>((resolve) => (ended = resolve)) };
    let result: T;
    try {
      try {
        result = await this.#batches.run(scope, work);
      } finally {
        scope.end();
        await scope.idle();
      }
      if (scope.broken !== undefined) {
        throw new PersistenceError(`${context}: a savepoint could not be rolled back`, {
          cause: scope.broken,
        });
      }
      this.#assertOpen();
      if (!this.db.inTransaction) {
        throw new PersistenceError(`${context}: SQLite rolled the batch back`);
      }
      try {
        this.db.exec('COMMIT');
      } catch (error) {
        throw translateSqliteError(error, context);
      }
    } catch (error) {
      if (this.db.open && this.db.inTransaction) {
        try {
          this.db.exec('ROLLBACK');
        } catch {
          // The connection is unusable; the error that ended the batch says why.
        }
      }
      throw translateSqliteError(error, context, false);
    } finally {
      this.#openBatch = undefined;
      ended();
    }
    this.#published(scope.recorded);
    return result;
  }

  /**
   * Creates the view's tables; runs in the constructor, in the transaction that creates the
   * tracking table, unless `createTable` is false. Override it in a view. It runs during
   * `super()`, so use `db` and not the subclass's own fields. @defaultValue does nothing
   */
  protected createViewTables(_db: SQLiteDatabase): void {}

  /**
   * Runs the view's synchronous `read` on {@link db} once no batch of another async context is
   * open, so that it sees committed state only (inside a batch it runs at once and sees the
   * batch's own writes). Use it for the view's read methods when the view is used in batches.
   */
  protected async readCommitted<T>(read: (db: SQLiteDatabase) => T): Promise<T> {
    while (this.#mustWaitForBatch()) await this.#batchEnded();
    this.#assertOpen();
    return read(this.db);
  }

  /**
   * Runs `write` and records `tracking` in one (immediate) transaction: both commit or neither.
   * The tracking record is written first, so an equal or older id fails before `write` runs.
   * `write` must be synchronous (better-sqlite3 transactions are); its return value is returned.
   *
   * @throws IntegrityError "Failed to record tracking for <app> <id>" when the id is not greater
   *   than the application's max; nothing is written.
   * Inside a {@link batch} it is a savepoint of the batch, committed (and emitted on
   * {@link committed$}) with it; outside, while a batch of another async context is open, it
   * waits for that batch to end.
   *
   * @throws ProgrammingError when `write` returns a promise; nothing is written.
   * @throws whatever `write` throws (SQLite errors translated); nothing is written.
   */
  protected async trackedTransaction<T>(
    tracking: Tracking,
    write: (db: SQLiteDatabase) => T,
  ): Promise<T> {
    const scope = this.#batches.current();
    if (scope !== undefined) {
      return scope.exclusive(() => {
        this.#assertOpen();
        // Inside the batch's transaction, better-sqlite3 makes this a savepoint.
        const result = this.#runTransaction(tracking, write);
        scope.recorded.push(tracking);
        return result;
      });
    }
    while (this.#mustWaitForBatch()) await this.#batchEnded();
    this.#assertOpen();
    const result = this.#runTransaction(tracking, write);
    this.#published([tracking]);
    return result;
  }

  #runTransaction<T>(tracking: Tracking, write: (db: SQLiteDatabase) => T): T {
    try {
      return this.#transaction(tracking, write) as T;
    } catch (error) {
      throw translateSqliteError(
        error,
        `Failed to record tracking for ${tracking.applicationName} ${tracking.notificationId}`,
        false,
      );
    }
  }

  /** Wakes this recorder's waits and emits the committed records. */
  #published(recorded: readonly Tracking[]): void {
    this.#committed.notify();
    for (const t of recorded) this.#commits.next(t);
  }

  /** True when a batch is open and the caller is not inside it. */
  #mustWaitForBatch(): boolean {
    return this.#openBatch !== undefined && this.#batches.current() === undefined;
  }

  /**
   * Settles when the open batch ends. Callers loop `while (this.#mustWaitForBatch())` around it
   * and go on synchronously after the loop, so no other batch can begin in between.
   */
  #batchEnded(): Promise<void> | undefined {
    return this.#openBatch?.ended;
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
