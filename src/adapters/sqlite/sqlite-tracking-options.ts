/**
 * Options of the SQLite tracking recorder and how they are read from an environment:
 *
 * | key | meaning |
 * |---|---|
 * | `SQLITE_DBNAME` | required: a file path, or `:memory:` for a private in-memory database |
 * | `CREATE_TABLE` | create missing tables (default yes; y/yes/t/true/on/1 or n/no/f/false/off/0) |
 * | `SQLITE_LOCK_TIMEOUT` | seconds to wait for another connection's write lock (default 5) |
 *
 * @module
 */
import type { Environment } from '../../core/environment.js';
import { booleanSetting, numberSetting, requiredSetting } from '../../core/environment-settings.js';
import { checkMilliseconds, MAX_TIMER_DELAY_MS } from '../../core/sleep.js';

export { CREATE_TABLE } from '../../core/environment-settings.js';

/** Environment key of the database file (or `:memory:`). */
export const SQLITE_DBNAME = 'SQLITE_DBNAME';
/** Environment key of the lock timeout, in seconds. */
export const SQLITE_LOCK_TIMEOUT = 'SQLITE_LOCK_TIMEOUT';

/** The table of tracking records unless `tableName` says otherwise. */
export const DEFAULT_SQLITE_TRACKING_TABLE = 'tracking';
/** How long a write waits for another connection's lock, in milliseconds, by default. */
export const DEFAULT_SQLITE_LOCK_TIMEOUT = 5000;

/** Options of `new SQLiteTrackingRecorder(...)`. */
export interface SQLiteTrackingRecorderOptions {
  /** A file path, or `':memory:'` for an in-memory database private to this recorder. */
  readonly dbName: string;
  /** Create the tracking table and the view's tables when missing. @defaultValue `true` */
  readonly createTable?: boolean;
  /** The tracking table's name. @defaultValue `'tracking'` */
  readonly tableName?: string;
  /**
   * How long a write waits for another connection's lock, in milliseconds: a number ≥ 0, rounded
   * up to whole milliseconds. SQLite waits at most 2³¹ − 1 ms (about 24.8 days): `Infinity` and
   * longer values wait that long. `NaN`, a negative number or a value that is not a number is a
   * `ProgrammingError`.
   * @defaultValue `5000`
   */
  readonly lockTimeout?: number;
}

/**
 * The busy timeout SQLite gets for {@link SQLiteTrackingRecorderOptions.lockTimeout}: whole
 * milliseconds, at most 2³¹ − 1 (what better-sqlite3 accepts).
 *
 * @throws ProgrammingError for `NaN`, a negative number or a value that is not a number.
 */
export function sqliteBusyTimeout(lockTimeout: unknown = DEFAULT_SQLITE_LOCK_TIMEOUT): number {
  const ms = checkMilliseconds(lockTimeout, 'SQLite lockTimeout');
  return Math.min(Math.ceil(ms), MAX_TIMER_DELAY_MS);
}

/**
 * The options found in an environment (see the module's table).
 *
 * @throws ConfigurationError for a missing `SQLITE_DBNAME` (naming the prefixed and the plain
 *   key) or a malformed `CREATE_TABLE` or `SQLITE_LOCK_TIMEOUT`.
 */
export function sqliteTrackingOptionsFromEnvironment(
  env: Environment,
): SQLiteTrackingRecorderOptions {
  const dbName = requiredSetting(env, SQLITE_DBNAME);
  const createTable = booleanSetting(env, 'CREATE_TABLE', true);
  const lockTimeout = numberSetting(env, SQLITE_LOCK_TIMEOUT);
  return {
    dbName,
    createTable,
    ...(lockTimeout === undefined ? {} : { lockTimeout: lockTimeout * 1000 }),
  };
}
