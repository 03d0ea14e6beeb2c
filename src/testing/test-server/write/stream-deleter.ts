/**
 * Soft delete (`$tb = long.MaxValue` in the metastream) and tombstone (`$streamDeleted` in the
 * stream itself at revision 2^63-1), as a node's storage writer performs them.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { EventLog } from '../log/event-log.js';
import { METADATA_EVENT_TYPE, STREAM_DELETED_EVENT_TYPE } from '../log/log-record.js';
import { metastreamOf, SOFT_DELETE_METADATA_JSON } from '../log/stream-metadata.js';
import { checkCommit, type ExpectedRevision, lastRevisionOf } from './commit-check.js';

/** Result of a delete or tombstone. */
export type DeleteOutcome =
  | { readonly kind: 'success'; readonly position: number }
  | { readonly kind: 'wrong_expected_version'; readonly currentRevision: number }
  | { readonly kind: 'stream_deleted' };

const EMPTY = new Uint8Array(0);

/**
 * Runs the commit check of a delete of `stream` (one new event id) and, when it passes, `write`
 * with that id.
 */
function checkedDelete(
  log: EventLog,
  stream: string,
  expected: ExpectedRevision,
  write: (eventId: string) => DeleteOutcome,
): DeleteOutcome {
  const eventId = randomUUID();
  const result = checkCommit(log, stream, expected, [eventId]);
  switch (result.decision) {
    case 'deleted':
      return { kind: 'stream_deleted' };
    case 'wrong_expected_version':
    case 'idempotent':
      return { kind: 'wrong_expected_version', currentRevision: result.currentVersion };
    case 'ok':
      return write(eventId);
  }
}

/** Soft-deletes `stream`. */
export function softDeleteStream(
  log: EventLog,
  stream: string,
  expected: ExpectedRevision,
): DeleteOutcome {
  return checkedDelete(log, stream, expected, (eventId) => {
    const metastream = metastreamOf(stream);
    if (lastRevisionOf(log, stream) < 0 && lastRevisionOf(log, metastream) < 0) {
      return { kind: 'wrong_expected_version', currentRevision: -1 };
    }
    const [record] = log.write([
      {
        streamId: metastream,
        events: [
          {
            eventId,
            eventType: METADATA_EVENT_TYPE,
            contentType: 'application/json',
            data: Buffer.from(SOFT_DELETE_METADATA_JSON, 'utf8'),
            customMetadata: EMPTY,
          },
        ],
      },
    ]);
    return { kind: 'success', position: record?.position ?? -1 };
  });
}

/** Tombstones `stream`: it can never be written or read again. */
export function tombstoneStream(
  log: EventLog,
  stream: string,
  expected: ExpectedRevision,
): DeleteOutcome {
  return checkedDelete(log, stream, expected, (eventId) => {
    const record = log.writeTombstone(stream, {
      eventId,
      eventType: STREAM_DELETED_EVENT_TYPE,
      contentType: 'application/octet-stream',
      data: EMPTY,
      customMetadata: EMPTY,
    });
    return { kind: 'success', position: record.position };
  });
}
