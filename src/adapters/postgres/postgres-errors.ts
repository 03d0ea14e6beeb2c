/**
 * Translates node-postgres errors at the adapter's boundary, by SQLSTATE class: integrity
 * constraint violations (23…) become `IntegrityError`; connection failures (08…, socket errors),
 * transaction rollbacks (40…: serialization failures, deadlocks), insufficient resources (53…),
 * operator interventions (57…) and lock timeouts (55P03) `OperationalError` (retrying may
 * succeed); other driver errors `PersistenceError`. The driver's error is always the `cause`.
 *
 * @module
 */
import pg from 'pg';
import {
  EventSourcingError,
  IntegrityError,
  OperationalError,
  PersistenceError,
} from '../../core/errors.js';

const TRANSIENT_SQLSTATE_CLASSES = ['08', '40', '53', '57'];
const TRANSIENT_SQLSTATES = new Set(['55P03']);
const SOCKET_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection ended',
];

/** True for an error the server reported (it carries a five-character SQLSTATE `code`). */
export function isPostgresServerError(error: unknown): error is pg.DatabaseError {
  return error instanceof pg.DatabaseError;
}

/** True for a failure of the connection itself (refused, reset, timed out, terminated). */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && SOCKET_ERROR_CODES.has(code)) return true;
  return CONNECTION_MESSAGES.some((m) => error.message.includes(m));
}

/**
 * The library error for `error`, with `context` leading the message.
 *
 * @param ownCall the error came from the adapter's own driver call, so any error is the
 *   driver's and is translated; errors thrown by a view's callback are translated only when
 *   they come from the server or the connection, and otherwise pass through unchanged.
 */
export function translatePostgresError(error: unknown, context: string, ownCall = true): unknown {
  if (error instanceof EventSourcingError) return error;
  if (isPostgresServerError(error)) {
    const state = error.code ?? '';
    const message = `${context}: ${error.message} (SQLSTATE ${state})`;
    if (state.startsWith('23')) return new IntegrityError(message, { cause: error });
    if (TRANSIENT_SQLSTATE_CLASSES.includes(state.slice(0, 2)) || TRANSIENT_SQLSTATES.has(state)) {
      return new OperationalError(message, { cause: error });
    }
    return new PersistenceError(message, { cause: error });
  }
  if (isConnectionError(error)) {
    return new OperationalError(`${context}: ${(error as Error).message}`, { cause: error });
  }
  if (ownCall && error instanceof Error) {
    return new PersistenceError(`${context}: ${error.message}`, { cause: error });
  }
  return error;
}
