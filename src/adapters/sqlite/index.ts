/**
 * SQLite adapter (`eventsourcing-kurrentdb/sqlite`): a tracking recorder on better-sqlite3 for
 * views kept in SQLite; a view's writes and its tracking record commit in one transaction.
 * Needs the optional peer dependency `better-sqlite3`.
 *
 * @module eventsourcing-kurrentdb/sqlite
 */
export { isSqliteError, translateSqliteError } from './sqlite-errors.js';
export { SQLiteProcessStore } from './sqlite-process-store.js';
export {
  CREATE_TABLE,
  DEFAULT_SQLITE_LOCK_TIMEOUT,
  DEFAULT_SQLITE_TRACKING_TABLE,
  SQLITE_DBNAME,
  SQLITE_LOCK_TIMEOUT,
  type SQLiteTrackingRecorderOptions,
  sqliteTrackingOptionsFromEnvironment,
} from './sqlite-tracking-options.js';
export {
  quoteSqliteIdentifier,
  type SQLiteDatabase,
  SQLiteTrackingRecorder,
} from './sqlite-tracking-recorder.js';
