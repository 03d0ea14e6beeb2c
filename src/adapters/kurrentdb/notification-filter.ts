/**
 * Which `$all` events are notifications, and the server-side filter that selects them.
 *
 * A notification is an event of an application stream: not a system event, not a snapshot.
 * - System events have `$`-prefixed types (`$>` links, `$metadata`, `$statsCollected`, ...) and
 *   mostly live in `$`-prefixed streams, where there are also system events of ordinary types
 *   (`Result` in projection result streams, `PersistentConfig1`, ...). The exception is the
 *   `$streamDeleted` tombstone, which lives in the deleted application stream itself.
 * - Snapshots are ordinary-typed events in `snapshot-$<id>` streams.
 *
 * A server-side filter matches either event types or stream names, not both, so:
 * - without topics, the filter is on stream names, `^(?!\$|snapshot-\$)`: it drops system streams
 *   and snapshot streams (the bulk of what is not a notification) on the server;
 * - with topics, the filter is on event types, `^(?:t1|t2)$` with every topic regex-escaped;
 * - in both cases {@link isNotificationEvent} runs on what arrives and drops the rest (tombstones,
 *   snapshots or system events whose type is one of the topics). Reads go on until the requested
 *   number of notifications is found.
 *
 * Unlike the Python package, no type ending in `Snapshot` is excluded: applications may have such
 * events, and snapshots are recognised by their stream.
 *
 * @module
 */
import { eventTypeFilter, type Filter, streamNameFilter } from '@kurrent/kurrentdb-client';

/** Snapshot stream of an aggregate = this prefix + the originator id. */
export const SNAPSHOT_STREAM_PREFIX = 'snapshot-$';

/** Stream-name regex that excludes system streams and snapshot streams. */
export const APPLICATION_STREAMS_REGEX = '^(?!\\$|snapshot-\\$)';

/** The snapshot stream of an aggregate. */
export function snapshotStreamName(originatorId: string): string {
  return `${SNAPSHOT_STREAM_PREFIX}${originatorId}`;
}

/** Escapes every regular-expression metacharacter of `text` (valid in .NET and JavaScript). */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/** A regex matching exactly one of `topics`: `^(?:a|b)$`, each topic escaped. */
export function topicsRegex(topics: readonly string[]): string {
  return `^(?:${topics.map(escapeRegex).join('|')})$`;
}

/** The server-side filter for notifications, optionally of some topics only. */
export function notificationFilter(topics: readonly string[] = []): Filter {
  return topics.length > 0
    ? eventTypeFilter({ regex: topicsRegex(topics) })
    : streamNameFilter({ regex: APPLICATION_STREAMS_REGEX });
}

/**
 * True when an event read from `$all` is a notification (and, with topics, of one of them).
 * The client-side guard behind {@link notificationFilter}.
 */
export function isNotificationEvent(
  event: { readonly streamId: string; readonly type: string },
  topics?: ReadonlySet<string>,
): boolean {
  if (event.type.startsWith('$') || event.type === '') return false;
  if (event.streamId.startsWith('$') || event.streamId.startsWith(SNAPSHOT_STREAM_PREFIX))
    return false;
  return topics === undefined || topics.size === 0 || topics.has(event.type);
}
