/**
 * The commit check a node runs before every write (`IndexWriter.CheckCommit`): deleted streams,
 * the expected-revision table and idempotent re-appends of the same event ids.
 *
 * @module
 */
import type { EventLog } from '../log/event-log.js';
import {
  isMetastream,
  isSoftDeleted,
  metastreamOf,
  originalStreamOf,
} from '../log/stream-metadata.js';
import { saturatedNumber } from '../wire/int64.js';

/** What the client expects the stream to be. */
export type ExpectedRevision =
  | { readonly kind: 'any' }
  | { readonly kind: 'no_stream' }
  | { readonly kind: 'stream_exists' }
  | { readonly kind: 'exact'; readonly revision: bigint };

/** The outcome of the commit check. `currentVersion` is -1 when the stream has no events. */
export type CommitCheck =
  | { readonly decision: 'ok'; readonly currentVersion: number; readonly softDeleted: boolean }
  | { readonly decision: 'wrong_expected_version'; readonly currentVersion: number }
  | { readonly decision: 'deleted' }
  | {
      readonly decision: 'idempotent';
      readonly currentVersion: number;
      readonly lastRevision: number;
      readonly position: number;
    };

/** True when `stream` (or, for a metastream, its original stream) is tombstoned. */
export function isTombstoned(log: EventLog, stream: string): boolean {
  if (log.stream(stream)?.tombstoned === true) return true;
  return isMetastream(stream) && log.stream(originalStreamOf(stream))?.tombstoned === true;
}

/** Last event revision of a stream, -1 when it has none. */
export function lastRevisionOf(log: EventLog, stream: string): number {
  return log.stream(stream)?.lastRevision ?? -1;
}

/** Runs the commit check for a write of `eventIds` to `stream`. */
export function checkCommit(
  log: EventLog,
  stream: string,
  expected: ExpectedRevision,
  eventIds: readonly string[],
): CommitCheck {
  if (isTombstoned(log, stream)) return { decision: 'deleted' };
  const entry = log.stream(stream);
  const current = entry?.lastRevision ?? -1;

  if (expected.kind === 'stream_exists') {
    if (isSoftDeleted(log, stream)) return { decision: 'deleted' };
    if (current < 0 && lastRevisionOf(log, metastreamOf(stream)) < 0) {
      return { decision: 'wrong_expected_version', currentVersion: current };
    }
  }

  if (expected.kind === 'any' || expected.kind === 'stream_exists') {
    // Weak idempotency: every id already committed in this stream.
    let first = -1;
    let last = -1;
    for (const id of eventIds) {
      const revision = entry?.eventIds.get(id);
      if (revision === undefined) {
        if (first < 0) {
          return {
            decision: 'ok',
            currentVersion: current,
            softDeleted: isSoftDeleted(log, stream),
          };
        }
        return { decision: 'wrong_expected_version', currentVersion: current };
      }
      if (first < 0) first = revision;
      last = revision;
    }
    if (first < 0) {
      return { decision: 'ok', currentVersion: current, softDeleted: isSoftDeleted(log, stream) };
    }
    return idempotent(log, stream, current, last);
  }

  const expectedNumber = expected.kind === 'no_stream' ? -1 : saturatedNumber(expected.revision);
  if (expectedNumber < current) {
    // Strong idempotency: the events after the expected revision must be these ids, in order.
    let revision = expectedNumber;
    for (const id of eventIds) {
      revision += 1;
      if (entry?.eventIds.get(id) === revision) continue;
      if (revision !== expectedNumber + 1) {
        return { decision: 'wrong_expected_version', currentVersion: current };
      }
      if (expected.kind === 'no_stream' && isSoftDeleted(log, stream)) {
        return { decision: 'ok', currentVersion: current, softDeleted: true };
      }
      return { decision: 'wrong_expected_version', currentVersion: current };
    }
    if (revision === expectedNumber) {
      return { decision: 'wrong_expected_version', currentVersion: current };
    }
    return idempotent(log, stream, current, revision);
  }
  if (expectedNumber > current)
    return { decision: 'wrong_expected_version', currentVersion: current };
  return { decision: 'ok', currentVersion: current, softDeleted: isSoftDeleted(log, stream) };
}

function idempotent(
  log: EventLog,
  stream: string,
  current: number,
  lastRevision: number,
): CommitCheck {
  const record = log.stream(stream)?.records[lastRevision];
  return {
    decision: 'idempotent',
    currentVersion: current,
    lastRevision,
    position: record?.position ?? -1,
  };
}
