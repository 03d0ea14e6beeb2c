/**
 * Reads of one stream, forwards or backwards, as `Enumerator.ReadStreamForwards/Backwards` and
 * the index reader produce them: `stream_not_found` for a missing or soft-deleted stream,
 * stream-deleted for a tombstoned one, metadata (`$tb`, `$maxCount`, `$maxAge`) applied, and the
 * `first_stream_position` / `last_stream_position` messages for `compatibility >= 1`.
 *
 * @module
 */
import { type RpcError, streamDeletedError } from '../grpc/rpc-errors.js';
import type { EventLog } from '../log/event-log.js';
import {
  DELETED_STREAM_TB,
  firstVisibleRevision,
  isExpired,
  streamMetadata,
} from '../log/stream-metadata.js';
import {
  encodeFirstStreamPosition,
  encodeLastStreamPosition,
  encodeStreamNotFound,
} from '../wire/read-responses.js';
import { isTombstoned } from '../write/commit-check.js';
import type { ReadPlan } from './read-plan.js';
import { encodeResolved, resolveRecord } from './resolved-event.js';

type StreamReadPlan = Extract<ReadPlan, { kind: 'stream-read' }>;

function revisionNumber(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/** The responses of a stream read, or the error that ends it. */
export function readStream(
  log: EventLog,
  plan: StreamReadPlan,
  nowMs: number,
): RpcError | Iterable<Buffer> {
  if (isTombstoned(log, plan.stream)) return streamDeletedError(plan.stream);
  const entry = log.stream(plan.stream);
  const metadata = streamMetadata(log, plan.stream);
  if (entry === undefined || entry.lastRevision < 0 || metadata.truncateBefore === DELETED_STREAM_TB) {
    return [encodeStreamNotFound(plan.stream)];
  }
  const last = entry.lastRevision;
  const first = firstVisibleRevision(entry, metadata);
  const out: Buffer[] = [];
  const emit = (revision: number): boolean => {
    const record = entry.records[revision];
    if (record === undefined || isExpired(record, metadata, nowMs)) return false;
    out.push(encodeResolved(resolveRecord(log, record, plan.resolveLinks, nowMs), plan.uuidFormat));
    return true;
  };

  if (!plan.backwards) {
    if (plan.from === 'end') {
      if (plan.compatibility >= 1) out.push(encodeLastStreamPosition(last));
      return out;
    }
    const from = plan.from === 'start' ? 0 : revisionNumber(plan.from);
    const start = Math.max(from, first);
    let sent = 0;
    for (let revision = start; revision <= last && sent < plan.count; revision++) {
      if (emit(revision)) sent++;
    }
    if (plan.compatibility >= 1) {
      if (sent === 0 && plan.count > 0) {
        const next = start > last ? last + 1 : start;
        if (next !== from) out.unshift(encodeFirstStreamPosition(next));
      }
      out.push(encodeLastStreamPosition(last));
    }
    return out;
  }

  const from = plan.from === 'end' || plan.from === 'start' ? last : revisionNumber(plan.from);
  const start = plan.from === 'start' ? 0 : Math.min(from, last);
  let sent = 0;
  for (let revision = start; revision >= first && sent < plan.count; revision--) {
    if (emit(revision)) sent++;
  }
  if (plan.compatibility >= 1) {
    if (sent === 0 && plan.count > 0 && start >= 0) out.unshift(encodeFirstStreamPosition(first));
    out.push(encodeLastStreamPosition(last));
  }
  return out;
}
