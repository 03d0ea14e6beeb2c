/**
 * Operations that survive a lost connection or a leader change: after a connection failure the
 * failed client is dropped and the operation runs again on a fresh client, which reconnects (to
 * the new leader on a cluster). Reads simply read again. Appends send the same events (same ids)
 * with the same expected revision: KurrentDB recognises a batch it already stored by its event
 * ids and answers with the original result, so a retried append lands exactly once.
 *
 * @module
 */
import type { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { type RetryMessage, retryChannel } from '../../core/diagnostics.js';
import { PersistenceError, ProgrammingError } from '../../core/errors.js';
import { checkMilliseconds, sleepUnlessAborted } from '../../core/sleep.js';
import { describeValue } from '../../core/well-formed.js';
import {
  appendError,
  appendOutcomeUnknownError,
  isConnectionFailure,
  isNotLeader,
  isRetryableFailure,
  mayHaveBeenStored,
} from './client-errors.js';
import { withinDeadline } from './deadline.js';
import type { ClientLease, KurrentDBConnection } from './kurrentdb-connection.js';

/** How operations are retried after a connection failure (see {@link withConnectionRetry}). */
export interface RetryOptions {
  /** Retries after the first attempt. @defaultValue 6 */
  readonly retries?: number;
  /** The pause before the first retry, in ms; it doubles with each retry (jittered). @defaultValue 100 */
  readonly initialDelayMs?: number;
  /** The longest pause, in ms. @defaultValue 2000 */
  readonly maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  retries: 6,
  initialDelayMs: 100,
  maxDelayMs: 2_000,
};

/**
 * `options` over {@link DEFAULT_RETRY}, checked: `retries` a whole number ≥ 0 or `Infinity`,
 * the delays numbers of milliseconds ≥ 0 (any length; `Infinity`: a pause only closing the
 * connection ends). Unset (or `undefined`) fields take their defaults.
 *
 * @throws ProgrammingError naming the field and its value.
 */
export function resolveRetryOptions(options: RetryOptions | undefined): Required<RetryOptions> {
  if (options === undefined) return DEFAULT_RETRY;
  if (typeof options !== 'object' || options === null) {
    throw new ProgrammingError(
      `Invalid retry options: ${describeValue(options)}; expected { retries?, initialDelayMs?, maxDelayMs? }`,
    );
  }
  const { retries, initialDelayMs, maxDelayMs } = options as Record<keyof RetryOptions, unknown>;
  if (
    retries !== undefined &&
    !(
      typeof retries === 'number' &&
      retries >= 0 &&
      (Number.isInteger(retries) || retries === Number.POSITIVE_INFINITY)
    )
  ) {
    throw new ProgrammingError(
      `Invalid retry.retries: ${describeValue(retries)}; expected a whole number ≥ 0, or Infinity`,
    );
  }
  return {
    retries: retries ?? DEFAULT_RETRY.retries,
    initialDelayMs:
      initialDelayMs === undefined
        ? DEFAULT_RETRY.initialDelayMs
        : checkMilliseconds(initialDelayMs, 'retry.initialDelayMs'),
    maxDelayMs:
      maxDelayMs === undefined
        ? DEFAULT_RETRY.maxDelayMs
        : checkMilliseconds(maxDelayMs, 'retry.maxDelayMs'),
  };
}

/**
 * Runs `operation` on the connection's client. When it fails because the connection failed, the
 * client is dropped; when the failure is worth a retry — on a cluster: node unavailable, not the
 * leader, cancelled, discovery failed (not a passed deadline or a TLS failure); on a single node:
 * only not the leader (a single node that is down fails fast) — `operation` runs again
 * on a fresh client after a backoff, while the retries and the connection's deadline
 * (`defaultDeadline`, counted from the first failure) last.
 *
 * @param maxRetries an upper bound on this operation's retries, below the connection's.
 * @throws what `translate` makes of the last failure and the number of attempts.
 */
export function withConnectionRetry<T>(
  connection: KurrentDBConnection,
  operation: (client: KurrentDBClient) => Promise<T>,
  translate: (error: unknown, attempts: number) => unknown,
  maxRetries = Number.POSITIVE_INFINITY,
): Promise<T> {
  // The first attempt without an async frame of its own: the common case costs one `then`. As
  // from an async function, nothing is thrown: a closed connection is a rejection.
  let lease: ClientLease;
  let first: Promise<T>;
  try {
    lease = connection.lease();
  } catch (error) {
    return Promise.reject(error);
  }
  try {
    first = operation(lease.client);
  } catch (error) {
    first = Promise.reject(error);
  }
  return first.catch((error: unknown) =>
    retryAfter(connection, lease, error, operation, translate, maxRetries),
  );
}

/** The retries of {@link withConnectionRetry}, after the first attempt failed with `error`. */
async function retryAfter<T>(
  connection: KurrentDBConnection,
  firstLease: ClientLease,
  firstError: unknown,
  operation: (client: KurrentDBClient) => Promise<T>,
  translate: (error: unknown, attempts: number) => unknown,
  maxRetries: number,
): Promise<T> {
  const { initialDelayMs, maxDelayMs } = connection.retry;
  const retries = Math.min(connection.retry.retries, maxRetries);
  const giveUpAt = performance.now() + connection.deadlineMs;
  let delay = initialDelayMs;
  let lease = firstLease;
  let error = firstError;
  for (let attempt = 0; ; attempt++) {
    if (error instanceof PersistenceError) throw error;
    connection.reportFailure(lease, error);
    const pauseMs = delay * (0.5 + Math.random());
    // A single node fails fast while it is down; only a cluster has another node to try.
    const retry =
      (connection.isCluster ? isRetryableFailure(error) : isNotLeader(error)) &&
      attempt < retries &&
      !connection.closed &&
      performance.now() + pauseMs < giveUpAt;
    if (!retry) throw translate(error, attempt + 1);
    if (retryChannel.hasSubscribers) {
      const message: RetryMessage = { uri: connection.maskedUri, attempt: attempt + 1, error };
      retryChannel.publish(message);
    }
    await sleepUnlessAborted(pauseMs, connection.closedSignal);
    delay = Math.min(delay * 2, maxDelayMs);
    lease = connection.lease();
    try {
      return await operation(lease.client);
    } catch (next) {
      error = next;
    }
  }
}

/**
 * Appends with {@link withConnectionRetry}, each attempt bounded by the connection's deadline.
 *
 * @throws IntegrityError for a wrong expected revision (on a retry: a genuine conflict — the
 *   earlier attempt did not land, or KurrentDB would have recognised its event ids).
 * @throws OperationalError when the append may or may not have been stored (the message says
 *   so): the connection failed after the request may have reached the server — on a single node
 *   as on a cluster, on the first attempt (see `mayHaveBeenStored`) or after retries.
 * @throws PersistenceError for any other failure of an attempt not worth a retry (nothing was
 *   stored: the server refused, or the request was never sent).
 */
export function appendWithRetry<T>(
  connection: KurrentDBConnection,
  streamName: string,
  append: (client: KurrentDBClient) => Promise<T>,
): Promise<T> {
  return withConnectionRetry(
    connection,
    (client) =>
      withinDeadline(
        append(client),
        connection.deadlineMs + 1_000,
        `Appending to stream '${streamName}'`,
      ),
    (error, attempts) =>
      // After a retry, an earlier attempt may have landed whatever the last failure was.
      (attempts > 1 ? isConnectionFailure(error) : mayHaveBeenStored(error))
        ? appendOutcomeUnknownError(streamName, error, attempts)
        : appendError(streamName, error),
  );
}
