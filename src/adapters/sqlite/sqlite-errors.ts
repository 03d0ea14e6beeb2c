/**
 * Translates better-sqlite3 errors at the adapter's boundary: constraint violations become
 * `IntegrityError`, a busy or locked database `OperationalError` (retrying may succeed), other
 * driver errors `PersistenceError`; the driver's error is always the `cause`. Errors of the
 * library and of user code pass through unchanged.
 *
 * @module
 */
import {
  EventSourcingError,
  IntegrityError,
  OperationalError,
  PersistenceError,
} from '../../core/errors.js';

/** True for an error raised by SQLite through better-sqlite3 (`SqliteError`, code `SQLITE_*`). */
export function isSqliteError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error &&
    error.name === 'SqliteError' &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}

/**
 * The library error for `error`, with `context` leading the message.
 *
 * @param ownCall the error came from the adapter's own driver call, so a `TypeError` or
 *   `RangeError` is the driver's (a closed database, a value it cannot bind) and is translated
 *   too; errors of a view's callback keep those as they are.
 */
export function translateSqliteError(error: unknown, context: string, ownCall = true): unknown {
  if (error instanceof EventSourcingError) return error;
  if (isSqliteError(error)) {
    const message = `${context}: ${error.message} (${error.code})`;
    if (error.code.startsWith('SQLITE_CONSTRAINT')) {
      return new IntegrityError(message, { cause: error });
    }
    if (error.code.startsWith('SQLITE_BUSY') || error.code.startsWith('SQLITE_LOCKED')) {
      return new OperationalError(message, { cause: error });
    }
    return new PersistenceError(message, { cause: error });
  }
  if (ownCall && (error instanceof TypeError || error instanceof RangeError)) {
    return new PersistenceError(`${context}: ${error.message}`, { cause: error });
  }
  return error;
}
