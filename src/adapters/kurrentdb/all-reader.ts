/**
 * Paged, filtered reads of `$all` that yield notifications.
 *
 * Each page is one `readAll` with the server-side notification filter; events the client-side
 * guard rejects are dropped and the next page is read, so a caller gets as many notifications as
 * exist, whatever the server filter let through.
 *
 * @module
 */
import { BACKWARDS, END, FORWARDS, START } from '@kurrent/kurrentdb-client';
import { PersistenceError } from '../../core/errors.js';
import type { Notification } from '../../core/stored-event.js';
import { describeError } from './client-errors.js';
import { withConnectionRetry } from './connection-retry.js';
import { consumeWithinDeadline } from './deadline.js';
import type { KurrentDBConnection } from './kurrentdb-connection.js';
import { isNotificationEvent, notificationFilter } from './notification-filter.js';
import { type ClientRecordedEvent, commitPositionOf, toNotification } from './recorded-event.js';

/** A read of notifications from `$all`. */
export interface AllRead {
  /**
   * Forwards: the first position to read (inclusive; it must be an event's position). Backwards:
   * read events before this position. Omitted: from the start (forwards) or the end (backwards).
   */
  readonly from?: bigint | undefined;
  readonly backwards?: boolean;
  readonly topics?: readonly string[] | undefined;
  /** Events asked of the server per read. */
  readonly pageSize: number;
}

/**
 * Notifications from `$all` in the read's direction, until the log is exhausted or the caller
 * stops iterating.
 *
 * @throws PersistenceError naming the start position when a read fails.
 */
export async function* readNotifications(
  connection: KurrentDBConnection,
  read: AllRead,
): AsyncGenerator<Notification, void, undefined> {
  const topics = new Set(read.topics ?? []);
  const filter = notificationFilter(read.topics);
  const direction = read.backwards ? BACKWARDS : FORWARDS;
  let position = read.from;
  let overlap = false; // forwards pages after the first re-read their start event
  for (;;) {
    const maxCount = read.pageSize + (overlap ? 1 : 0);
    const fromPosition =
      position === undefined
        ? read.backwards
          ? END
          : START
        : { commit: position, prepare: position };
    const what = `Reading $all from ${describePosition(position, read.backwards)}`;
    const { page, received } = await withConnectionRetry(
      connection,
      async (client) => {
        const page: Array<{ event: ClientRecordedEvent; commit: bigint }> = [];
        let received = 0;
        const source = client.readAll({ fromPosition, direction, maxCount, filter });
        await consumeWithinDeadline(source, connection.deadlineMs, what, (resolved) => {
          received += 1;
          const commit = commitPositionOf(resolved);
          if (resolved.event !== undefined && commit !== undefined) {
            page.push({ event: resolved.event as ClientRecordedEvent, commit });
          }
        });
        return { page, received };
      },
      (error) => {
        const hint =
          position !== undefined && !read.backwards
            ? ` (reading forwards, ${position} must be the position of an event in $all, or 0)`
            : '';
        return new PersistenceError(
          `Failed to read notifications from ${describePosition(position, read.backwards)} of $all${hint}: ${describeError(error)}`,
          { cause: error },
        );
      },
      // KurrentDB answers a read from a position that is no event's with UNKNOWN, which the
      // client reports like a lost connection: read from a position again only once.
      position === undefined ? undefined : 1,
    );
    for (const { event, commit } of page) {
      if (position !== undefined && overlap && commit === position) continue;
      if (isNotificationEvent(event, topics)) yield toNotification(event, commit);
    }
    const last = page.at(-1);
    if (received < maxCount || last === undefined) return;
    position = last.commit;
    overlap = !read.backwards;
  }
}

function describePosition(position: bigint | undefined, backwards: boolean | undefined): string {
  if (position === undefined) return backwards ? 'the end' : 'the start';
  return `position ${position}`;
}
