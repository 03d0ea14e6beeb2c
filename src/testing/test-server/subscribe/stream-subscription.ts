/**
 * Subscriptions to one stream (`Enumerator.StreamSubscription`): catch-up through stream reads
 * (so `$tb`, `$maxCount` and `$maxAge` apply; a missing or soft-deleted stream is an empty
 * catch-up; a tombstoned one fails with stream-deleted), then live events of the stream. After
 * delivering a `$streamDeleted` event the call ends with stream-deleted.
 *
 * @module
 */
import type { ResponseWriter } from '../grpc/response-writer.js';
import { streamDeletedError } from '../grpc/rpc-errors.js';
import type { ServerState } from '../grpc/server-state.js';
import {
  type LogRecord,
  STREAM_DELETED_EVENT_TYPE,
  TOMBSTONE_REVISION,
} from '../log/log-record.js';
import {
  DELETED_STREAM_TB,
  firstVisibleRevision,
  isExpired,
  streamMetadata,
} from '../log/stream-metadata.js';
import type { ReadPlan } from '../read/read-plan.js';
import { encodeResolved, resolveRecord } from '../read/resolved-event.js';
import { encodeCaughtUp } from '../wire/read-responses.js';
import { isTombstoned } from '../write/commit-check.js';
import { type LiveItem, LiveSubscription } from './live-subscription.js';

type StreamSubscriptionPlan = Extract<ReadPlan, { kind: 'stream-subscription' }>;

/** A subscription to one stream. */
export class StreamSubscription extends LiveSubscription {
  /** Revision of the last event sent (or the start point), -1 for "before the first". */
  private checkpoint: number;
  private readonly confirmedAt: number;

  constructor(
    state: ServerState,
    writer: ResponseWriter,
    private readonly plan: StreamSubscriptionPlan,
  ) {
    super(state, writer);
    const log = state.log;
    this.confirmedAt = isTombstoned(log, plan.stream)
      ? TOMBSTONE_REVISION
      : (log.stream(plan.stream)?.lastRevision ?? -1);
    const from = plan.from;
    this.checkpoint =
      from === 'start'
        ? -1
        : from === 'end'
          ? this.confirmedAt
          : from > BigInt(Number.MAX_SAFE_INTEGER)
            ? TOMBSTONE_REVISION
            : Number(from);
  }

  protected startsLive(): boolean {
    return this.checkpoint >= this.confirmedAt;
  }

  protected caughtUpResponse(): Buffer {
    const now = this.state.now();
    if (this.checkpoint < 0) return encodeCaughtUp(now, { kind: 'none' });
    return encodeCaughtUp(now, { kind: 'revision', revision: this.checkpoint });
  }

  private encodeEvent(record: LogRecord): Buffer {
    return encodeResolved(
      resolveRecord(this.state.log, record, this.plan.resolveLinks, this.state.now()),
      this.plan.uuidFormat,
    );
  }

  protected async catchUp(): Promise<void> {
    const log = this.state.log;
    const stream = this.plan.stream;
    let next = this.checkpoint + 1;
    for (;;) {
      if (isTombstoned(log, stream)) {
        this.fail(streamDeletedError(stream));
        return;
      }
      const entry = log.stream(stream);
      const metadata = streamMetadata(log, stream);
      if (
        entry === undefined ||
        entry.lastRevision < 0 ||
        metadata.truncateBefore === DELETED_STREAM_TB
      ) {
        this.goLive();
        return;
      }
      const revision = Math.max(next, firstVisibleRevision(entry, metadata));
      if (revision > entry.lastRevision) {
        this.goLive();
        return;
      }
      next = revision + 1;
      const record = entry.records[revision] as LogRecord;
      if (isExpired(record, metadata, this.state.now())) continue;
      this.checkpoint = revision;
      if (!(await this.send(this.encodeEvent(record)))) return;
    }
  }

  protected liveItems(records: readonly LogRecord[]): LiveItem[] {
    const items: LiveItem[] = [];
    for (const record of records) {
      if (record.streamId !== this.plan.stream) continue;
      items.push({
        response: () => this.encodeEvent(record),
        stillWanted: () => record.revision > this.checkpoint,
        onWritten: () => {
          this.checkpoint = record.revision;
          if (record.eventType === STREAM_DELETED_EVENT_TYPE) {
            this.fail(streamDeletedError(this.plan.stream));
          }
        },
      });
    }
    return items;
  }
}
