/**
 * Reads of $all, forwards (inclusive of the start position) or backwards (exclusive), with an
 * optional filter. A start position that is not a record boundary fails the way a node's chunk
 * reader does (`ReadAllResult.InvalidPosition`, surfaced by the read enumerators as UNKNOWN).
 *
 * @module
 */

import { status } from '@grpc/grpc-js';
import { plainError, type RpcError } from '../grpc/rpc-errors.js';
import type { EventLog } from '../log/event-log.js';
import { exceedsInt64 } from '../wire/int64.js';
import { defaultAllFilter } from './event-filter.js';
import type { ReadPlan } from './read-plan.js';
import { encodeResolved, resolveRecord } from './resolved-event.js';

type AllReadPlan = Extract<ReadPlan, { kind: 'all-read' }>;

/** The result of checking a client-supplied $all position. */
export type CheckedPosition =
  | { readonly kind: 'valid'; readonly position: number }
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Checks a `{commit, prepare}` position against the log: it must be a record boundary (an
 * event, an empty write, the start of the log or its head).
 */
export function checkPosition(log: EventLog, commit: bigint, prepare: bigint): CheckedPosition {
  if (exceedsInt64(commit, prepare)) {
    return { kind: 'invalid', reason: 'Invalid position.' };
  }
  const position = Number(commit);
  if (log.isRecordBoundary(position) || position > log.headPosition) {
    return { kind: 'valid', position };
  }
  return {
    kind: 'invalid',
    reason: `Log record at actual pos ${position} has non-positive length: 0. in chunk #0-0 (chunk-000000.000000).`,
  };
}

/** What the read enumerators send for a result they do not handle (`UnknownError`). */
function unexpectedResultError(filtered: boolean, result: string, reason: string): RpcError {
  const type = filtered ? 'FilteredReadAllResult' : 'ReadAllResult';
  return plainError(status.UNKNOWN, `Unexpected ${type}: ${result} >> ${reason}`);
}

/** The responses of a $all read, or the error that ends it. */
export function readAll(
  log: EventLog,
  plan: AllReadPlan,
  nowMs: number,
): RpcError | Iterable<Buffer> {
  const all = log.all;
  let index: number;
  if (plan.from === 'start') index = plan.backwards ? -1 : 0;
  else if (plan.from === 'end') index = plan.backwards ? all.length - 1 : all.length;
  else {
    const filtered = plan.filter !== undefined;
    const checked = checkPosition(log, plan.from.commit, plan.from.prepare);
    if (checked.kind === 'invalid') {
      return unexpectedResultError(filtered, 'InvalidPosition', checked.reason);
    }
    if (plan.backwards && checked.position > log.headPosition) {
      return unexpectedResultError(
        filtered,
        'Error',
        `Requested position ${checked.position} is greater than writer checkpoint ${log.headPosition} when requesting to read previous record from TF.`,
      );
    }
    index = log.indexAtOrAfter(checked.position);
    if (plan.backwards) index -= 1;
  }
  const matches = plan.filter?.matches ?? defaultAllFilter;
  const step = plan.backwards ? -1 : 1;
  const count = plan.count;
  return (function* generate(): Generator<Buffer> {
    let sent = 0;
    for (let i = index; i >= 0 && i < all.length && sent < count; i += step) {
      const record = all[i];
      if (record === undefined || !matches(record)) continue;
      sent++;
      yield encodeResolved(resolveRecord(log, record, plan.resolveLinks, nowMs), plan.uuidFormat);
    }
  })();
}
