/**
 * A resilient catch-up subscription to notifications on `$all`.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import { type AllStreamResolvedEvent, START } from '@kurrent/kurrentdb-client';
import { PersistenceError } from '../../core/errors.js';
import { sleepUnlessAborted } from '../../core/sleep.js';
import type { Notification } from '../../core/stored-event.js';
import { describeError, isResumable } from './client-errors.js';
import type { KurrentDBConnection } from './kurrentdb-connection.js';
import { isNotificationEvent, notificationFilter } from './notification-filter.js';
import { ReadableCursor } from './readable-cursor.js';
import { type ClientRecordedEvent, commitPositionOf, toNotification } from './recorded-event.js';

/** How a subscription resumes after the connection dropped or the server aborted it. */
export interface ResubscribeOptions {
  /** Wait before the first new attempt, doubled after each failed one. @defaultValue 100 */
  readonly initialBackoffMs?: number;
  /** Longest wait between attempts. @defaultValue 5000 */
  readonly maxBackoffMs?: number;
  /**
   * Consecutive attempts that fail without the server confirming the subscription, after which
   * the subscription fails with `PersistenceError`. @defaultValue 20 (about a minute)
   */
  readonly maxAttempts?: number;
  /** Called before each wait to resubscribe: for logging and metrics. */
  readonly onResubscribe?: (info: ResubscribeInfo) => void;
}

/** Why and when a subscription resubscribes. */
export interface ResubscribeInfo {
  /** 1 for the first attempt after a success, then 2, 3, ... */
  readonly attempt: number;
  /** The client's error; `undefined` when the server ended the subscription without one. */
  readonly error: unknown;
  /** The wait before resubscribing, in milliseconds. */
  readonly delayMs: number;
  /** The subscription resumes after this position (`undefined`: from the start). */
  readonly after: bigint | undefined;
}

/** What to subscribe to. */
export interface NotificationSubscriptionOptions extends ResubscribeOptions {
  /** Only notifications with ids greater than this; from the start of `$all` when omitted. */
  readonly gt?: bigint | undefined;
  readonly topics?: readonly string[] | undefined;
  /** Aborting ends the subscription (the generator returns); so does closing the connection. */
  readonly signal: AbortSignal;
}

/**
 * Notifications with ids greater than `gt`, catch-up then live, pulled one at a time (the client's
 * subscription is a Readable, so a slow consumer applies backpressure to the gRPC stream).
 *
 * When the subscription fails in a resumable way (connection lost, server-side cancel, "consumer
 * too slow"), or ends though nobody stopped it, it subscribes again after a backoff, from the
 * position of the last event received; the subscription start is exclusive, so nothing is
 * repeated or lost. Other failures throw a `PersistenceError` whose cause is the client's error.
 */
export async function* subscribeToNotifications(
  connection: KurrentDBConnection,
  options: NotificationSubscriptionOptions,
): AsyncGenerator<Notification, void, undefined> {
  const { signal } = options;
  const closed = connection.closedSignal;
  const ended = () => signal.aborted || closed.aborted;
  const initialBackoff = options.initialBackoffMs ?? 100;
  const maxBackoff = options.maxBackoffMs ?? 5_000;
  const maxAttempts = options.maxAttempts ?? 20;
  const topics = new Set(options.topics ?? []);
  const filter = notificationFilter(options.topics);
  let last = options.gt;
  let failures = 0;

  while (!ended()) {
    const lease = connection.lease();
    const subscription = lease.client.subscribeToAll({
      fromPosition: last === undefined ? START : { commit: last, prepare: last },
      filter,
    });
    // Errors also reach the iterator below; this listener only stops late ones from crashing.
    subscription.on('error', () => undefined);
    subscription.once('confirmation', () => {
      failures = 0;
    });
    const cancel = () => {
      subscription.unsubscribe().catch(() => undefined);
      subscription.destroy();
    };
    signal.addEventListener('abort', cancel, { once: true });
    closed.addEventListener('abort', cancel, { once: true });
    let failure: unknown;
    // The subscription is a Transform stream; its typings narrow Readable's `on` overloads.
    const cursor = new ReadableCursor<AllStreamResolvedEvent>(subscription as unknown as Readable);
    try {
      for (;;) {
        const resolved = cursor.read();
        if (resolved === null) {
          if (!cursor.finished) {
            await cursor.wait();
            continue;
          }
          if (cursor.failure !== undefined) throw cursor.failure;
          break;
        }
        const event = resolved.event as ClientRecordedEvent | undefined;
        const commit = commitPositionOf(resolved);
        if (event === undefined || commit === undefined) continue;
        if (last !== undefined && commit <= last) continue;
        last = commit;
        if (isNotificationEvent(event, topics)) yield toNotification(event, commit);
      }
    } catch (error) {
      failure = error;
    } finally {
      cursor.close();
      signal.removeEventListener('abort', cancel);
      closed.removeEventListener('abort', cancel);
      cancel();
    }
    if (ended()) return;
    if (failure !== undefined && !isResumable(failure)) {
      throw new PersistenceError(`Subscription to $all failed: ${describeError(failure)}`, {
        cause: failure,
      });
    }
    connection.reportFailure(lease, failure);
    failures += 1;
    if (failures >= maxAttempts) {
      throw new PersistenceError(
        `Subscription to $all failed ${failures} times in a row${failure === undefined ? '' : `: ${describeError(failure)}`}`,
        { cause: failure },
      );
    }
    const delayMs = Math.min(initialBackoff * 2 ** (failures - 1), maxBackoff);
    options.onResubscribe?.({ attempt: failures, error: failure, delayMs, after: last });
    await sleepUnlessAborted(delayMs, signal);
    if (closed.aborted) return;
  }
}
