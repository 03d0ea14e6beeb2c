/**
 * Diagnostics channels (`node:diagnostics_channel`): what the library retries, for logs and
 * metrics. Publishing costs nothing while nobody subscribes.
 *
 * @example
 * ```ts
 * import diagnostics_channel from 'node:diagnostics_channel';
 * diagnostics_channel.subscribe('eventsourcing-kurrentdb:retry', (message) => console.warn(message));
 * ```
 *
 * @module
 */
import diagnostics_channel from 'node:diagnostics_channel';

/** Name of the channel of operations retried after a connection failure: {@link RetryMessage}. */
export const RETRY_CHANNEL = 'eventsourcing-kurrentdb:retry';
/** Name of the channel of commands decided again after a conflict: {@link ConflictMessage}. */
export const CONFLICT_CHANNEL = 'eventsourcing-kurrentdb:conflict';

/** Published on {@link RETRY_CHANNEL} before an operation runs again on a fresh client. */
export interface RetryMessage {
  /** The connection string, credentials masked. */
  readonly uri: string;
  /** 1 for the first retry. */
  readonly attempt: number;
  /** The failure that made it retry. */
  readonly error: unknown;
}

/** Published on {@link CONFLICT_CHANNEL} before a command is decided again after a conflict. */
export interface ConflictMessage {
  readonly aggregate: string;
  readonly aggregateId: string;
  readonly command: string;
  /** 1 for the first retry. */
  readonly attempt: number;
}

export const retryChannel = diagnostics_channel.channel(RETRY_CHANNEL);
export const conflictChannel = diagnostics_channel.channel(CONFLICT_CHANNEL);
