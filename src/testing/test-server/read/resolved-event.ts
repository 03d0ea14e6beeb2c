/**
 * Link resolution (`$>` events whose data is `<revision>@<stream>`) and the visibility rules a
 * node applies when it reads one event of a stream.
 *
 * @module
 */
import type { EventLog } from '../log/event-log.js';
import { LINK_EVENT_TYPE, type LogRecord } from '../log/log-record.js';
import {
  DELETED_STREAM_TB,
  firstVisibleRevision,
  isExpired,
  streamMetadata,
} from '../log/stream-metadata.js';
import { encodeEventResponse, type UuidFormat } from '../wire/read-responses.js';
import { isTombstoned } from '../write/commit-check.js';

/** A read result: the event (absent when a link cannot be resolved), the link, the position. */
export interface ResolvedRecord {
  readonly event: LogRecord | undefined;
  readonly link: LogRecord | undefined;
  /** The original record's position: the link's when a link was followed. */
  readonly position: number;
}

/** The record at `revision` of `stream` if a stream read may return it now. */
export function visibleEvent(
  log: EventLog,
  stream: string,
  revision: number,
  nowMs: number,
): LogRecord | undefined {
  const entry = log.stream(stream);
  if (entry === undefined || isTombstoned(log, stream)) return undefined;
  if (revision < 0 || revision > entry.lastRevision) return undefined;
  const metadata = streamMetadata(log, stream);
  if (metadata.truncateBefore === DELETED_STREAM_TB) return undefined;
  if (revision < firstVisibleRevision(entry, metadata)) return undefined;
  const record = entry.records[revision];
  if (record === undefined || isExpired(record, metadata, nowMs)) return undefined;
  return record;
}

function linkTarget(record: LogRecord): { stream: string; revision: number } | undefined {
  const text = Buffer.from(record.data).toString('utf8');
  const at = text.indexOf('@');
  if (at < 0) return undefined;
  const revisionText = text.slice(0, at).trim();
  if (!/^[+-]?\d+$/.test(revisionText)) return undefined;
  return { stream: text.slice(at + 1), revision: Number(revisionText) };
}

/** Resolves `record` when asked to and when it is a link. */
export function resolveRecord(
  log: EventLog,
  record: LogRecord,
  resolveLinks: boolean,
  nowMs: number,
): ResolvedRecord {
  if (!resolveLinks || record.eventType !== LINK_EVENT_TYPE) {
    return { event: record, link: undefined, position: record.position };
  }
  const target = linkTarget(record);
  const event =
    target === undefined ? undefined : visibleEvent(log, target.stream, target.revision, nowMs);
  return { event, link: record, position: record.position };
}

/** Encodes a resolved record as a `ReadResp` event message. */
export function encodeResolved(resolved: ResolvedRecord, uuidFormat: UuidFormat): Buffer {
  const event = resolved.event;
  if (uuidFormat === 'string' && resolved.link === undefined && event !== undefined) {
    if (event.encodedResponse === undefined) {
      event.encodedResponse = encodeEventResponse(event, undefined, event.position, uuidFormat);
    }
    return event.encodedResponse;
  }
  return encodeEventResponse(resolved.event, resolved.link, resolved.position, uuidFormat);
}
