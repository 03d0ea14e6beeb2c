/**
 * Hand-written encoders for `event_store.client.streams.ReadResp`. A recorded event's encoding
 * is cached on its log record, so a burst delivered to many subscribers is encoded once.
 *
 * @module
 */
import { type LogRecord, revisionToWire } from '../log/log-record.js';
import { ProtoWriter } from './proto-writer.js';

/** Writes a `google.protobuf.Timestamp` for a millisecond time. */
export function writeTimestamp(writer: ProtoWriter, field: number, ms: number): void {
  writer.message(field, (w) => {
    const seconds = Math.floor(ms / 1000);
    w.int64(1, seconds);
    w.uint(2, (ms - seconds * 1000) * 1_000_000);
  });
}

/** How event ids are written back (`uuid_option`). */
export type UuidFormat = 'string' | 'structured';

function writeStructuredUuid(writer: ProtoWriter, uuid: string): void {
  const hex = uuid.replaceAll('-', '');
  const msb = BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`));
  const lsb = BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`));
  writer.message(1, (w) =>
    w.uintBig(1, BigInt.asUintN(64, msb)).uintBig(2, BigInt.asUintN(64, lsb)),
  );
}

/**
 * Encodes a record as `ReadResp.ReadEvent.RecordedEvent`. The string-id form, used by both
 * official clients, is cached on the record.
 */
export function encodeRecordedEvent(record: LogRecord, uuidFormat: UuidFormat = 'string'): Buffer {
  if (uuidFormat === 'string' && record.encoded !== undefined) return record.encoded;
  const writer = new ProtoWriter(160 + record.data.length + record.customMetadata.length);
  if (uuidFormat === 'string') writer.message(1, (w) => w.string(2, record.eventId));
  else writer.message(1, (w) => writeStructuredUuid(w, record.eventId));
  writer.message(2, (w) => w.string(3, record.streamId));
  writer.uintBig(3, revisionToWire(record.revision));
  writer.uint(4, record.position);
  writer.uint(5, record.position);
  writer.message(6, (w) => w.string(1, 'type').string(2, record.eventType));
  writer.message(6, (w) => w.string(1, 'created').string(2, record.createdTicks.toString()));
  writer.message(6, (w) => w.string(1, 'content-type').string(2, record.contentType));
  writer.bytes(7, record.customMetadata);
  writer.bytes(8, record.data);
  const encoded = writer.finish();
  if (uuidFormat === 'string') record.encoded = encoded;
  return encoded;
}

/**
 * `ReadResp{event: ReadEvent{event, link?, commit_position}}`. `commitPosition` is the
 * position of the record that was read (the link when a link was resolved); `undefined`
 * gives `no_position`.
 */
export function encodeEventResponse(
  event: LogRecord | undefined,
  link: LogRecord | undefined,
  commitPosition: number | undefined,
  uuidFormat: UuidFormat = 'string',
): Buffer {
  const readEvent = new ProtoWriter(64);
  if (event !== undefined) readEvent.bytes(1, encodeRecordedEvent(event, uuidFormat));
  if (link !== undefined) readEvent.bytes(2, encodeRecordedEvent(link, uuidFormat));
  if (commitPosition === undefined) readEvent.empty(4);
  else readEvent.uint(3, commitPosition);
  const view = readEvent.view();
  const response = new ProtoWriter(view.length + 8);
  response.bytes(1, view);
  return response.finish();
}

/** `ReadResp{confirmation{subscription_id}}`. */
export function encodeConfirmation(subscriptionId: string): Buffer {
  return new ProtoWriter(64).message(2, (w) => w.string(1, subscriptionId)).finish();
}

/** `ReadResp{checkpoint{commit, prepare, timestamp}}`. */
export function encodeCheckpoint(commit: number, prepare: number, nowMs: number): Buffer {
  return new ProtoWriter(48)
    .message(3, (w) => {
      w.uint(1, commit);
      w.uint(2, prepare);
      writeTimestamp(w, 3, nowMs);
    })
    .finish();
}

/** `ReadResp{stream_not_found{stream_identifier}}`. */
export function encodeStreamNotFound(stream: string): Buffer {
  return new ProtoWriter(64).message(4, (w) => w.message(1, (id) => id.string(3, stream))).finish();
}

/** `ReadResp{first_stream_position}`. */
export function encodeFirstStreamPosition(revision: number): Buffer {
  return new ProtoWriter(16).uint(5, revision).finish();
}

/** `ReadResp{last_stream_position}`. */
export function encodeLastStreamPosition(revision: number): Buffer {
  return new ProtoWriter(16).uint(6, revision).finish();
}

/** What a 25.1 `caught_up` carries besides the timestamp. */
export type CaughtUpCheckpoint =
  | { readonly kind: 'none' }
  | { readonly kind: 'revision'; readonly revision: number }
  | { readonly kind: 'position'; readonly commit: number; readonly prepare: number };

/** `ReadResp{caught_up{timestamp, stream_revision? | position?}}`. */
export function encodeCaughtUp(nowMs: number, checkpoint: CaughtUpCheckpoint): Buffer {
  return new ProtoWriter(48)
    .message(8, (w) => {
      writeTimestamp(w, 1, nowMs);
      if (checkpoint.kind === 'revision') {
        if (Number.isFinite(checkpoint.revision)) w.int64(2, checkpoint.revision);
        else w.uintBig(2, 9_223_372_036_854_775_807n);
      }
      if (checkpoint.kind === 'position') {
        w.message(3, (p) => p.uint(1, checkpoint.commit).uint(2, checkpoint.prepare));
      }
    })
    .finish();
}
