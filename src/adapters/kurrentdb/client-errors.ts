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
  // The JS client's cluster discovery gives up with a plain Error, and keeps failing after.
  if (isDiscoveryFailure(error)) return true;
  error = toCommandError(error);
  return (
    error instanceof UnavailableError ||
    error instanceof CancelledError ||
    error instanceof DeadlineExceededError ||
    error instanceof NotLeaderError
  );
}

/** The JS client found no cluster member to connect to ("Failed to discover after N attempts."). */
function isDiscoveryFailure(error: Error): boolean {
  return /^Failed to discover after \d+ attempts/.test(error.message);
}

/** A refused certificate or TLS handshake: trying again on the same settings cannot help. */
const TLS_FAILURE = /certificate|self[- ]signed|unknown ?ca|handshake|\bssl\b|\btls\b/i;

/**
 * True when an operation that failed on the connection is worth running again on a fresh client
 * (see `withConnectionRetry`): the node was unavailable, not the leader, the call was cancelled, or
 * discovery failed — but not a deadline that already passed, nor a TLS failure.
 */
export function isRetryableFailure(error: unknown): boolean {
  if (!isConnectionFailure(error) || error instanceof OperationTimedOutError) return false;
  if (!(error instanceof Error)) return false;
  const converted = toCommandError(error);
  if (converted instanceof DeadlineExceededError) return false;
  return !TLS_FAILURE.test(`${error.message} ${converted.message}`);
}

/** True for the NotLeader error: the node is a follower; the client reconnects to the leader. */
export function isNotLeader(error: unknown): boolean {
  return error instanceof Error && toCommandError(error) instanceof NotLeaderError;
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
