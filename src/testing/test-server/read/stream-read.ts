/**
 * Reads of one stream, forwards or backwards, as `Enumerator.ReadStreamForwards/Backwards` and
 * the index reader produce them: `stream_not_found` for a missing or soft-deleted stream,
 * stream-deleted for a tombstoned one, metadata (`$tb`, `$maxCount`, `$maxAge`) applied, and the
 * `first_stream_position` / `last_stream_position` messages for `compatibility >= 1`.
 *
 * @module
 */
import { status } from '@grpc/grpc-js';
import {
  plainError,
  type RpcError,
  streamDeletedError,
  unhandledExceptionError,
} from '../grpc/rpc-errors.js';
import type { EventLog } from '../log/event-log.js';
import {
  DELETED_STREAM_TB,
  firstVisibleRevision,
  isExpired,
  streamMetadata,
} from '../log/stream-metadata.js';
import { exceedsInt64, saturatedNumber } from '../wire/int64.js';
import {
  encodeFirstStreamPosition,
  encodeLastStreamPosition,
  encodeStreamNotFound,
} from '../wire/read-responses.js';
import { isTombstoned } from '../write/commit-check.js';
import { READ_BATCH_SIZE } from './read-batch-size.js';
import type { ReadPlan } from './read-plan.js';
import { encodeResolved, resolveRecord } from './resolved-event.js';

type StreamReadPlan = Extract<ReadPlan, { kind: 'stream-read' }>;

/** What a node's read enumerators send for a `ReadStreamResult.Error` from the index reader. */
function readErrorStatus(message: string): RpcError {
  return plainError(status.UNKNOWN, `Unexpected ReadStreamResult: Error >> ${message}`);
}

/** The responses of a stream read, or the error that ends it. */
export function readStream(
  log: EventLog,
  plan: StreamReadPlan,
  nowMs: number,
): RpcError | Iterable<Buffer> {
  if (typeof plan.from === 'bigint' && exceedsInt64(plan.from)) return unhandledExceptionError();
  if (!plan.backwards && plan.from === 'end') {
    return readErrorStatus("fromEventNumber should be non negative. (Parameter 'fromEventNumber')");
  }
  if (plan.count === 0) {
    return readErrorStatus("maxCount should be positive. (Parameter 'maxCount')");
  }
  if (isTombstoned(log, plan.stream)) return streamDeletedError(plan.stream);
  const entry = log.stream(plan.stream);
  const metadata = streamMetadata(log, plan.stream);
  if (
    entry === undefined ||
    entry.lastRevision < 0 ||
    metadata.truncateBefore === DELETED_STREAM_TB
  ) {
    return [encodeStreamNotFound(plan.stream)];
  }
  const last = entry.lastRevision;
  const first = firstVisibleRevision(entry, metadata);
  const encode = (revision: number): Buffer | undefined => {
    const record = entry.records[revision];
    if (record === undefined || isExpired(record, metadata, nowMs)) return undefined;
    return encodeResolved(resolveRecord(log, record, plan.resolveLinks, nowMs), plan.uuidFormat);
  };
  const { count, compatibility } = plan;
  const pageSize = Math.min(READ_BATCH_SIZE, count);

  if (plan.backwards) {
    const start =
      plan.from === 'start' ? 0 : plan.from === 'end' ? last : saturatedNumber(plan.from);
    return (function* backwards(): Generator<Buffer> {
      let sent = 0;
      for (let revision = Math.min(start, last); revision >= first && sent < count; revision--) {
        const response = encode(revision);
        if (response === undefined) continue;
        sent++;
        yield response;
      }
      if (compatibility >= 1) yield encodeLastStreamPosition(last);
    })();
  }

  const from = plan.from === 'start' ? 0 : saturatedNumber(plan.from as bigint);
  return (function* forwards(): Generator<Buffer> {
    let pageFrom = from;
    let sent = 0;
    for (;;) {
      // One page of the index reader: [pageFrom, pageFrom + pageSize - 1], clipped to visibility.
      const pageEnd = pageFrom + pageSize - 1;
      let next: number;
      let endOfStream: boolean;
      const page: Buffer[] = [];
      if (pageEnd < first) {
        next = first;
        endOfStream = false;
      } else {
        const start = Math.max(pageFrom, first);
        if (start > last) {
          next = last + 1;
          endOfStream = true;
        } else {
          let lastRead = -1;
          for (let revision = start; revision <= Math.min(pageEnd, last); revision++) {
            const response = encode(revision);
            if (response === undefined) continue;
            page.push(response);
            lastRead = revision;
          }
          next = lastRead >= 0 ? lastRead + 1 : Math.min(pageEnd + 1, last + 1);
          endOfStream = pageEnd >= last;
        }
      }
      if (sent === 0 && compatibility >= 1 && page.length === 0 && pageFrom !== next) {
        yield encodeFirstStreamPosition(next);
      }
      for (const response of page) {
        if (sent >= count) break;
        sent++;
        yield response;
      }
      if (endOfStream || sent >= count) break;
      pageFrom = next;
    }
    if (compatibility >= 1) yield encodeLastStreamPosition(last);
  })();
}
