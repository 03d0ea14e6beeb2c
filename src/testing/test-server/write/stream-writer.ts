/**
 * Writes to the log as a node's storage writer does: commit check, then the events (or an empty
 * record), then a soft undelete when the stream (or the stream of a written metastream) was
 * soft-deleted.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { EventLog, NewEvent } from '../log/event-log.js';
import { METADATA_EVENT_TYPE } from '../log/log-record.js';
import {
  isMetastream,
  isSoftDeleted,
  latestMetadataRecord,
  metastreamOf,
  originalStreamOf,
} from '../log/stream-metadata.js';
import { checkCommit, type ExpectedRevision } from './commit-check.js';

/** Result of a write. Revisions are -1 for "no stream". */
export type WriteOutcome =
  | { readonly kind: 'success'; readonly currentRevision: number; readonly position: number }
  | { readonly kind: 'wrong_expected_version'; readonly currentRevision: number }
  | { readonly kind: 'stream_deleted' };

const EMPTY = new Uint8Array(0);

/** Appends `events` to `stream` under the node's rules. */
export function appendToStream(
  log: EventLog,
  stream: string,
  expected: ExpectedRevision,
  events: readonly NewEvent[],
): WriteOutcome {
  const check = checkCommit(
    log,
    stream,
    expected,
    events.map((event) => event.eventId),
  );
  switch (check.decision) {
    case 'deleted':
      return { kind: 'stream_deleted' };
    case 'wrong_expected_version':
      return { kind: 'wrong_expected_version', currentRevision: check.currentVersion };
    case 'idempotent':
      return { kind: 'success', currentRevision: check.lastRevision, position: check.position };
    case 'ok':
      break;
  }
  const originalSoftDeleted = isMetastream(stream) && isSoftDeleted(log, originalStreamOf(stream));
  let outcome: WriteOutcome;
  if (events.length === 0) {
    outcome = {
      kind: 'success',
      currentRevision: check.currentVersion,
      position: log.writeEmpty(),
    };
  } else {
    const records = log.write([{ streamId: stream, events }]);
    const last = records[records.length - 1];
    outcome = {
      kind: 'success',
      currentRevision: last?.revision ?? -1,
      position: last?.position ?? -1,
    };
  }
  if (check.softDeleted) softUndelete(log, stream, check.currentVersion + 1);
  if (originalSoftDeleted) {
    const original = originalStreamOf(stream);
    softUndelete(log, original, (log.stream(original)?.lastRevision ?? -1) + 1);
  }
  return outcome;
}

/** Rewrites the latest metadata of `stream` with `$tb = recreateFrom`, keeping other keys. */
function softUndelete(log: EventLog, stream: string, recreateFrom: number): void {
  const record = latestMetadataRecord(log, stream);
  if (record === undefined) return;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(record.data).toString('utf8'));
  } catch {
    return;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return;
  const updated = { ...(json as Record<string, unknown>), $tb: recreateFrom };
  log.write([
    {
      streamId: metastreamOf(stream),
      events: [
        {
          eventId: randomUUID(),
          eventType: METADATA_EVENT_TYPE,
          contentType: 'application/json',
          data: Buffer.from(JSON.stringify(updated), 'utf8'),
          customMetadata: EMPTY,
        },
      ],
    },
  ]);
}
