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
import { IntegrityError, OperationalError, PersistenceError } from '../../core/errors.js';

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

/**
 * True when a call that failed this way was never sent: grpc-js found no connection to send it
 * on ("No connection established", e.g. a refused connection or a failed TLS handshake).
 */
function neverSent(error: Error): boolean {
  return /No connection established/i.test(
    `${error.message} ${(error as { details?: unknown }).details ?? ''}`,
  );
}

/**
 * True when an append that failed with `error` may have reached the server, and so may have
 * been stored although no answer came: the connection failed (dropped, unavailable, cancelled,
 * deadline passed, no progress) while the request may have been in flight. False for failures
 * that show the request was never sent or was refused (not the leader, discovery failed, no
 * connection established, a TLS failure), and for every other error (the server answered).
 */
export function mayHaveBeenStored(error: unknown): boolean {
  if (!isConnectionFailure(error) || !(error instanceof Error)) return false;
  if (error instanceof OperationTimedOutError) return true;
  if (isDiscoveryFailure(error) || neverSent(error)) return false;
  const converted = toCommandError(error);
  if (converted instanceof NotLeaderError) return false;
  return !TLS_FAILURE.test(`${error.message} ${converted.message}`);
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

/**
 * The error of an append whose outcome is unknown (see {@link mayHaveBeenStored}): an
 * `OperationalError` saying the events may or may not have been stored, and how to find out or
 * finish safely. The client's error is the `cause`.
 *
 * @param attempts how many times the append was sent (named in the message when more than one).
 */
export function appendOutcomeUnknownError(
  streamName: string,
  error: unknown,
  attempts = 1,
): OperationalError {
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  return new OperationalError(
    `Failed to append to stream '${streamName}'${tries} (${describeError(error)}); the events may or may not have been stored: read the stream, append the same events again (same event ids and versions), or execute the command again with the same commandId, which stores it at most once`,
    { cause: error },
  );
}
