/**
 * The test server's in-memory transaction log: the ordered list of event records ($all) and a
 * per-stream index. It knows nothing about gRPC or about append rules; it only stores records,
 * assigns positions and tells listeners about every committed write.
 *
 * @module
 */
import {
  EMPTY_WRITE_RECORD_SIZE,
  FIRST_RECORD_POSITION,
  recordSize,
  ticksFromMs,
} from './log-layout.js';
import { type LogRecord, TOMBSTONE_REVISION } from './log-record.js';

/** One stream as indexed: its records in revision order. */
export interface StreamEntry {
  readonly name: string;
  /** Event records in revision order; a tombstone, if any, is last. */
  readonly records: LogRecord[];
  /** Revision of the last event (not counting a tombstone), -1 when there is none. */
  lastRevision: number;
  /** True once a tombstone has been written. */
  tombstoned: boolean;
  /** Event id → revision, for idempotency checks. */
  readonly eventIds: Map<string, number>;
}

/** An event to write, already validated. */
export interface NewEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
}

/** Called synchronously after every committed write, with the records it added to $all. */
export type CommitListener = (records: readonly LogRecord[]) => void;

/** The log: $all plus the stream index. */
export class EventLog {
  /** Every event record in position order. */
  readonly all: LogRecord[] = [];
  private readonly streams = new Map<string, StreamEntry>();
  private readonly listeners = new Set<CommitListener>();
  private nextPosition = FIRST_RECORD_POSITION;
  /** Positions of empty writes (records that are not events), ascending. */
  private readonly emptyWrites: number[] = [];
  private lastRecordPosition = 0;
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** The stream entry, or undefined if nothing was ever written to it. */
  stream(name: string): StreamEntry | undefined {
    return this.streams.get(name);
  }

  /** Position the next record will get. */
  get headPosition(): number {
    return this.nextPosition;
  }

  /** Registers a listener for committed writes; returns the function that removes it. */
  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private entry(name: string): StreamEntry {
    let entry = this.streams.get(name);
    if (entry === undefined) {
      entry = { name, records: [], lastRevision: -1, tombstoned: false, eventIds: new Map() };
      this.streams.set(name, entry);
    }
    return entry;
  }

  private makeRecord(
    streamId: string,
    revision: number,
    event: NewEvent,
    createdMs: number,
    createdTicks: bigint,
  ): LogRecord {
    const position = this.nextPosition;
    this.nextPosition += recordSize(
      streamId,
      event.eventType,
      event.data.length,
      event.customMetadata.length,
    );
    return {
      position,
      endPosition: this.nextPosition,
      streamId,
      revision,
      eventId: event.eventId,
      eventType: event.eventType,
      contentType: event.contentType,
      createdTicks,
      createdMs,
      data: event.data,
      customMetadata: event.customMetadata,
    };
  }

  /**
   * Appends events to a stream after its current last revision, as one contiguous write.
   * Several streams may be written atomically by passing several parts. Returns the records.
   */
  write(parts: ReadonlyArray<{ streamId: string; events: readonly NewEvent[] }>): LogRecord[] {
    const createdMs = this.now();
    const createdTicks = ticksFromMs(createdMs);
    const written: LogRecord[] = [];
    for (const part of parts) {
      const entry = this.entry(part.streamId);
      for (const event of part.events) {
        const revision = entry.lastRevision + 1;
        const record = this.makeRecord(part.streamId, revision, event, createdMs, createdTicks);
        entry.records.push(record);
        entry.lastRevision = revision;
        entry.eventIds.set(event.eventId, revision);
        written.push(record);
      }
    }
    this.commit(written);
    return written;
  }

  /** Writes a tombstone record in the stream itself. */
  writeTombstone(streamId: string, event: NewEvent): LogRecord {
    const entry = this.entry(streamId);
    const now = this.now();
    const record = this.makeRecord(streamId, TOMBSTONE_REVISION, event, now, ticksFromMs(now));
    entry.records.push(record);
    entry.tombstoned = true;
    entry.eventIds.set(event.eventId, TOMBSTONE_REVISION);
    this.commit([record]);
    return record;
  }

  /** Records an empty write: it takes log space but adds nothing to $all. Returns its position. */
  writeEmpty(): number {
    const position = this.nextPosition;
    this.nextPosition += EMPTY_WRITE_RECORD_SIZE;
    this.emptyWrites.push(position);
    this.lastRecordPosition = position;
    return position;
  }

  /**
   * Position of the last record written, events and empty writes alike (a node's
   * `LastIndexedPosition`); 0 for an empty log.
   */
  get lastIndexedPosition(): number {
    return this.lastRecordPosition;
  }

  /** True when a record starts at `position` (or it is the start or the head of the log). */
  isRecordBoundary(position: number): boolean {
    if (position === 0 || position === this.nextPosition) return true;
    if (this.recordAt(position) !== undefined) return true;
    let low = 0;
    let high = this.emptyWrites.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.emptyWrites[mid] as number) < position) low = mid + 1;
      else high = mid;
    }
    return this.emptyWrites[low] === position;
  }

  private commit(records: LogRecord[]): void {
    for (const record of records) this.all.push(record);
    if (records.length === 0) return;
    this.lastRecordPosition = (records[records.length - 1] as LogRecord).position;
    for (const listener of this.listeners) listener(records);
  }

  /** Index in {@link all} of the first record with position ≥ `position`. */
  indexAtOrAfter(position: number): number {
    let low = 0;
    let high = this.all.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const record = this.all[mid] as LogRecord;
      if (record.position < position) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The record at exactly `position`, if any. */
  recordAt(position: number): LogRecord | undefined {
    const record = this.all[this.indexAtOrAfter(position)];
    return record !== undefined && record.position === position ? record : undefined;
  }
}
