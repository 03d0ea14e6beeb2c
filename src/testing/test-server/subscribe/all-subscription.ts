/**
 * Subscriptions to $all, unfiltered (`Enumerator.AllSubscription`) and filtered
 * (`Enumerator.AllSubscriptionFiltered`, with checkpoints).
 *
 * Checkpoints follow the 25.1 enumerator: catch-up reads pages of at most 32 matching events and
 * at most `maxSearchWindow` considered events; after each page the checkpoint may move to the
 * page's start, the considered events are counted, and a checkpoint is sent whenever the count
 * reaches `interval = multiplier × window`; one is always sent at the end of catch-up. Live, the
 * node counts every event committed to $all and sends a checkpoint at every `interval`-th one.
 *
 * @module
 */
import type { ResponseWriter } from '../grpc/response-writer.js';
import { invalidPositionError, unhandledExceptionError } from '../grpc/rpc-errors.js';
import type { ServerState } from '../grpc/server-state.js';
import type { LogRecord } from '../log/log-record.js';
import { defaultAllFilter } from '../read/event-filter.js';
import { READ_BATCH_SIZE } from '../read/read-batch-size.js';
import type { ReadPlan } from '../read/read-plan.js';
import { encodeResolved, resolveRecord } from '../read/resolved-event.js';
import { exceedsInt64, saturatedNumber } from '../wire/int64.js';
import { encodeCaughtUp, encodeCheckpoint } from '../wire/read-responses.js';
import { type LiveItem, LiveSubscription } from './live-subscription.js';
import {
  compareTfPos,
  eventTfPos,
  FIRST_RECORD_OF_TF,
  HEAD_OF_TF,
  isHeadOfTf,
  type TfPos,
} from './tf-pos.js';

type AllSubscriptionPlan = Extract<ReadPlan, { kind: 'all-subscription' }>;

/** A subscription to $all. */
export class AllSubscription extends LiveSubscription {
  private checkpoint: TfPos;
  private lastSentCheckpoint: TfPos | undefined;
  private readonly confirmedAt: TfPos;
  private readonly matches: (record: LogRecord) => boolean;
  private readonly filtered: boolean;
  private readonly window: number;
  private readonly interval: number;
  private liveCounter = 0;
  private firstPage = true;
  /** A start position a node cannot convert to a signed 64-bit position. */
  private readonly overflowingStart: boolean;

  constructor(
    state: ServerState,
    writer: ResponseWriter,
    private readonly plan: AllSubscriptionPlan,
  ) {
    super(state, writer);
    const last = state.log.lastIndexedPosition;
    this.confirmedAt = eventTfPos(last);
    const from = plan.from;
    this.checkpoint =
      from === 'start'
        ? HEAD_OF_TF
        : from === 'end'
          ? this.confirmedAt
          : { commit: saturatedNumber(from.commit), prepare: saturatedNumber(from.prepare) };
    this.overflowingStart = typeof from === 'object' && exceedsInt64(from.commit, from.prepare);
    this.filtered = plan.filter !== undefined;
    this.matches = plan.filter?.matches ?? defaultAllFilter;
    this.window = plan.filter?.maxSearchWindow ?? READ_BATCH_SIZE;
    this.interval = (plan.filter?.checkpointIntervalMultiplier ?? 1) * this.window;
  }

  protected startsLive(): boolean {
    if (this.overflowingStart) return false;
    return compareTfPos(this.checkpoint, this.confirmedAt) >= 0;
  }

  protected caughtUpResponse(): Buffer {
    const now = this.state.now();
    if (isHeadOfTf(this.checkpoint)) return encodeCaughtUp(now, { kind: 'none' });
    return encodeCaughtUp(now, { kind: 'position', ...this.checkpoint });
  }

  private encodeEvent(record: LogRecord): Buffer {
    return encodeResolved(
      resolveRecord(this.state.log, record, this.plan.resolveLinks, this.state.now()),
      this.plan.uuidFormat,
    );
  }

  /** Writes a checkpoint unless it is the head marker or not newer than the last one sent. */
  private checkpointResponse(pos: TfPos): Buffer | undefined {
    if (isHeadOfTf(pos)) return undefined;
    if (this.lastSentCheckpoint !== undefined && compareTfPos(pos, this.lastSentCheckpoint) <= 0) {
      return undefined;
    }
    this.lastSentCheckpoint = pos;
    return encodeCheckpoint(pos.commit, pos.prepare, this.state.now());
  }

  protected override onFellBehind(): void {
    if (!this.filtered) return;
    const response = this.checkpointResponse(this.checkpoint);
    if (response !== undefined) this.writer.write(response);
  }

  protected async catchUp(): Promise<void> {
    const log = this.state.log;
    let pageStart = this.checkpoint.commit < 0 ? FIRST_RECORD_OF_TF : this.checkpoint;
    let counter = 0;
    if (this.overflowingStart) {
      this.fail(unhandledExceptionError());
      return;
    }
    if (this.firstPage) {
      this.firstPage = false;
      if (!log.isRecordBoundary(pageStart.commit)) {
        this.fail(invalidPositionError());
        return;
      }
    }
    for (;;) {
      let index = log.indexAtOrAfter(pageStart.commit);
      const atStart = log.all[index];
      if (atStart !== undefined && compareTfPos(eventTfPos(atStart.position), pageStart) < 0) {
        index++;
      }
      let matched = 0;
      let considered = 0;
      let end = false;
      let nextPos = pageStart;
      while (matched < READ_BATCH_SIZE && considered < this.window) {
        const record = log.all[index];
        if (record === undefined) {
          end = true;
          break;
        }
        index++;
        considered++;
        nextPos = { commit: record.endPosition, prepare: 0 };
        if (!this.matches(record)) continue;
        matched++;
        const position = eventTfPos(record.position);
        if (compareTfPos(position, this.checkpoint) <= 0) continue;
        this.checkpoint = position;
        if (!(await this.send(this.encodeEvent(record)))) return;
      }
      if (!this.filtered) {
        if (end) {
          this.goLive();
          return;
        }
        pageStart = nextPos;
        continue;
      }
      if (compareTfPos(this.checkpoint, pageStart) < 0 && compareTfPos(pageStart, nextPos) < 0) {
        this.checkpoint = pageStart;
      }
      counter += considered;
      if (end) {
        if (
          compareTfPos(this.checkpoint, FIRST_RECORD_OF_TF) < 0 &&
          compareTfPos(FIRST_RECORD_OF_TF, nextPos) < 0
        ) {
          this.checkpoint = FIRST_RECORD_OF_TF;
        }
        const response = this.checkpointResponse(this.checkpoint);
        if (response !== undefined) this.writer.write(response);
        this.goLive();
        return;
      }
      if (counter >= this.interval) {
        if (this.interval === 0) {
          this.fail(unhandledExceptionError());
          return;
        }
        counter %= this.interval;
        const response = this.checkpointResponse(this.checkpoint);
        if (response !== undefined && !(await this.send(response))) return;
      }
      pageStart = nextPos;
    }
  }

  protected liveItems(records: readonly LogRecord[]): LiveItem[] {
    const items: LiveItem[] = [];
    for (const record of records) {
      const position = eventTfPos(record.position);
      if (this.matches(record)) {
        items.push({
          response: () => this.encodeEvent(record),
          stillWanted: () => compareTfPos(position, this.checkpoint) > 0,
          onWritten: () => {
            this.checkpoint = position;
          },
        });
      }
      if (!this.filtered) continue;
      this.liveCounter++;
      if (this.liveCounter < this.interval) continue;
      this.liveCounter = 0;
      let response: Buffer | undefined;
      items.push({
        response: () => response ?? Buffer.alloc(0),
        stillWanted: () => {
          if (compareTfPos(position, this.checkpoint) < 0) return false;
          response = this.checkpointResponse(position);
          return response !== undefined;
        },
        onWritten: () => {
          this.checkpoint = position;
        },
      });
    }
    return items;
  }
}
