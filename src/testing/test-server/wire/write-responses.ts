/**
 * Hand-written encoders for the write responses: `AppendResp`, `BatchAppendResp`,
 * `DeleteResp`, `TombstoneResp`.
 *
 * @module
 */
import type { ExpectedRevision } from '../write/commit-check.js';
import { ProtoWriter } from './proto-writer.js';

const UINT64_MAX = 18_446_744_073_709_551_615n;

/** Writes `{commit, prepare}` as a sub-message at `field`. */
function writePosition(writer: ProtoWriter, field: number, position: number): void {
  writer.message(field, (w) => w.uint(1, position).uint(2, position));
}

/** `AppendResp{success{current_revision | no_stream, position}}`. */
export function encodeAppendSuccess(currentRevision: number, position: number): Buffer {
  return new ProtoWriter(48)
    .message(1, (w) => {
      if (currentRevision < 0) w.empty(2);
      else w.uint(1, currentRevision);
      writePosition(w, 3, position);
    })
    .finish();
}

/** `AppendResp{wrong_expected_version{...}}` with both the 20.6 and the current fields. */
export function encodeAppendWrongExpectedVersion(
  currentRevision: number,
  expected: ExpectedRevision,
): Buffer {
  return new ProtoWriter(48)
    .message(2, (w) => {
      if (currentRevision < 0) w.empty(2);
      else w.uint(1, currentRevision);
      if (expected.kind === 'exact') w.uintBig(3, expected.revision);
      else if (expected.kind === 'any') w.empty(4);
      else if (expected.kind === 'stream_exists') w.empty(5);
      else w.uintBig(3, UINT64_MAX);
      if (currentRevision < 0) w.empty(7);
      else w.uint(6, currentRevision);
      if (expected.kind === 'exact') w.uintBig(8, expected.revision);
      else if (expected.kind === 'any') w.empty(9);
      else if (expected.kind === 'stream_exists') w.empty(10);
      else w.empty(11);
    })
    .finish();
}

/** `DeleteResp` / `TombstoneResp{position}` (same layout). */
export function encodeDeleteResponse(position: number | undefined): Buffer {
  const writer = new ProtoWriter(32);
  if (position === undefined) writer.empty(2);
  else writePosition(writer, 1, position);
  return writer.finish();
}

/** A `google.protobuf.Any` detail of a `google.rpc.Status`. */
export interface StatusDetail {
  /** Full type name, e.g. `event_store.client.WrongExpectedVersion`. */
  readonly typeName: string;
  readonly value: Uint8Array;
}

/** The BatchAppend result of one request. */
export type BatchAppendResult =
  | { readonly kind: 'success'; readonly currentRevision: number; readonly position: number }
  | {
      readonly kind: 'error';
      readonly code: number;
      readonly message: string;
      readonly detail: StatusDetail;
    };

/** `BatchAppendResp{correlation_id, success | error, stream_identifier, expected_stream_position}`. */
export function encodeBatchAppendResponse(
  correlationId: string,
  stream: string | undefined,
  expected: ExpectedRevision | undefined,
  result: BatchAppendResult,
): Buffer {
  const writer = new ProtoWriter(96);
  writer.message(1, (w) => w.string(2, correlationId));
  if (result.kind === 'success') {
    writer.message(3, (w) => {
      if (result.currentRevision < 0) w.empty(2);
      else w.uint(1, result.currentRevision);
      writePosition(w, 3, result.position);
    });
  } else {
    writer.message(2, (w) => {
      w.uint(1, result.code);
      w.string(2, result.message);
      w.message(3, (any) => {
        any.string(1, `type.googleapis.com/${result.detail.typeName}`);
        any.bytes(2, result.detail.value);
      });
    });
  }
  if (stream !== undefined) writer.message(4, (w) => w.string(3, stream));
  if (expected !== undefined) {
    if (expected.kind === 'exact') writer.uintBig(5, expected.revision);
    else if (expected.kind === 'no_stream') writer.empty(6);
    else if (expected.kind === 'any') writer.empty(7);
    else writer.empty(8);
  }
  return writer.finish();
}

/** `event_store.client.WrongExpectedVersion` detail. */
export function wrongExpectedVersionDetail(
  currentRevision: number,
  expected: ExpectedRevision,
): StatusDetail {
  const writer = new ProtoWriter(32);
  if (currentRevision < 0) writer.empty(2);
  else writer.uint(1, currentRevision);
  if (expected.kind === 'exact') writer.uintBig(3, expected.revision);
  else if (expected.kind === 'any') writer.empty(4);
  else if (expected.kind === 'stream_exists') writer.empty(5);
  else writer.empty(6);
  return { typeName: 'event_store.client.WrongExpectedVersion', value: writer.finish() };
}

/** `event_store.client.StreamDeleted` detail. */
export function streamDeletedDetail(stream: string): StatusDetail {
  const writer = new ProtoWriter(32).message(1, (w) => w.string(3, stream));
  return { typeName: 'event_store.client.StreamDeleted', value: writer.finish() };
}

/** `event_store.client.MaximumAppendSizeExceeded` detail. */
export function maximumAppendSizeExceededDetail(maxAppendSize: number): StatusDetail {
  return {
    typeName: 'event_store.client.MaximumAppendSizeExceeded',
    value: new ProtoWriter(16).uint(1, maxAppendSize).finish(),
  };
}

/** `event_store.client.MaximumAppendEventSizeExceeded` detail. */
export function maximumAppendEventSizeExceededDetail(
  eventId: string,
  proposedSize: number,
  maxSize: number,
): StatusDetail {
  return {
    typeName: 'event_store.client.MaximumAppendEventSizeExceeded',
    value: new ProtoWriter(64).string(1, eventId).uint(2, proposedSize).uint(3, maxSize).finish(),
  };
}

/** An empty-bodied detail such as `event_store.client.Timeout` or `AccessDenied`. */
export function emptyDetail(typeName: string): StatusDetail {
  return { typeName, value: new Uint8Array(0) };
}

/** `event_store.client.BadRequest{message}` detail. */
export function badRequestDetail(message: string): StatusDetail {
  return {
    typeName: 'event_store.client.BadRequest',
    value: new ProtoWriter(64).string(1, message).finish(),
  };
}
