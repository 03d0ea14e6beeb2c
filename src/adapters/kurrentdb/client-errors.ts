/**
 * Classification of the official client's errors, and their translation into the library's.
 *
 * @module
 */
import {
  CancelledError,
  convertToCommandError,
  DeadlineExceededError,
  NotLeaderError,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import { IntegrityError, PersistenceError } from '../../core/errors.js';

/** gRPC status code ABORTED. */
const ABORTED = 10;

/** Raised by the adapter itself when an operation made no progress within the deadline. */
export class OperationTimedOutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} made no progress within ${ms} ms`);
    this.name = 'OperationTimedOutError';
  }
}

/**
 * True when the connection itself failed (server down or unreachable, TLS handshake refused,
 * connection dropped, wrong node, no progress), so the client should be replaced before the next
 * call: the Rust bridge never recovers from a failed first read, and grpc-js may keep a failed
 * channel in backoff.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof OperationTimedOutError) return true;
  // Some calls (the server-features handshake before an append) reject with raw gRPC errors.
  if (!(error instanceof Error)) return false;
  error = toCommandError(error);
  return (
    error instanceof UnavailableError ||
    error instanceof CancelledError ||
    error instanceof DeadlineExceededError ||
    error instanceof NotLeaderError
  );
}

function toCommandError(error: Error): Error {
  try {
    return convertToCommandError(error);
  } catch {
    return error;
  }
}

/** True for the server dropping a subscription whose consumer fell too far behind. */
export function isConsumerTooSlow(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return code === ABORTED && /consumer too slow/i.test(error.message);
}

/** True when a subscription that failed this way should be resumed from where it was. */
export function isResumable(error: unknown): boolean {
  return isConnectionFailure(error) || isConsumerTooSlow(error);
}

/** True when a stream read found nothing to return (missing or deleted stream). */
export function isMissingStream(error: unknown): boolean {
  return error instanceof StreamNotFoundError || error instanceof StreamDeletedError;
}

/** A short description of a client error for messages: its class name and message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const name = error.constructor?.name ?? error.name;
    return error.message ? `${name}: ${error.message}` : name;
  }
  return String(error);
}

/**
 * Translates an append failure: a wrong expected revision becomes `IntegrityError`, anything else
 * `PersistenceError`; the client's error is the `cause` either way.
 */
export function appendError(streamName: string, error: unknown): PersistenceError {
  if (error instanceof WrongExpectedVersionError) {
    return new IntegrityError(
      `Stream '${streamName}' is not at the expected revision (concurrent write or version already taken): ${describeError(error)}`,
      { cause: error },
    );
  }
  return new PersistenceError(
    `Failed to append to stream '${streamName}': ${describeError(error)}`,
    {
      cause: error,
    },
  );
}
