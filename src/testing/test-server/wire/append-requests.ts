/**
 * Hand-written decoders for the write requests (`AppendReq`, `BatchAppendReq`), the server's
 * hot path. Like generated protobuf code they match fields on number and wire type, skip
 * unknown fields, and let the last member of a oneof win.
 *
 * @module
 */
import { ProtoReader } from './proto-reader.js';

const VARINT = 0;
const LENGTH = 2;

/** A decoded `event_store.client.UUID`. */
export type DecodedUuid =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'structured'; readonly msb: bigint; readonly lsb: bigint }
  | { readonly kind: 'none' };

/** A decoded `ProposedMessage` (same layout in Append and BatchAppend). */
export interface DecodedProposedMessage {
  readonly id: DecodedUuid | undefined;
  readonly metadata: Map<string, string>;
  readonly customMetadata: Uint8Array;
  readonly data: Uint8Array;
}

/** The expected-revision oneof: 2 revision, 3 no_stream, 4 any, 5 stream_exists, 0 unset. */
export interface DecodedExpected {
  readonly caseNumber: number;
  readonly revision: bigint;
}

/** `google.protobuf.Timestamp` / `Duration` as milliseconds. */
function millis(reader: ProtoReader): number {
  let seconds = 0;
  let nanos = 0;
  while (reader.more) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === VARINT) seconds = Number(BigInt.asIntN(64, reader.varintBig()));
    else if (field === 2 && wire === VARINT) nanos = Number(BigInt.asIntN(32, reader.varintBig()));
    else reader.skip(wire);
  }
  return seconds * 1000 + nanos / 1e6;
}

function uuid(reader: ProtoReader): DecodedUuid {
  let result: DecodedUuid = { kind: 'none' };
  while (reader.more) {
    const [field, wire] = reader.tag();
    if (field === 2 && wire === LENGTH) result = { kind: 'string', value: reader.stringField() };
    else if (field === 1 && wire === LENGTH) {
      const inner = reader.messageField();
      let msb = 0n;
      let lsb = 0n;
      while (inner.more) {
        const [f, w] = inner.tag();
        if (f === 1 && w === VARINT) msb = inner.varintBig();
        else if (f === 2 && w === VARINT) lsb = inner.varintBig();
        else inner.skip(w);
      }
      result = { kind: 'structured', msb, lsb };
    } else reader.skip(wire);
  }
  return result;
}

/** The stream name bytes of a `StreamIdentifier`. */
function streamIdentifier(reader: ProtoReader): Uint8Array {
  let name: Uint8Array = new Uint8Array(0);
  while (reader.more) {
    const [field, wire] = reader.tag();
    if (field === 3 && wire === LENGTH) name = reader.bytesField();
    else reader.skip(wire);
  }
  return name;
}

function mapEntry(reader: ProtoReader, into: Map<string, string>): void {
  let key = '';
  let value = '';
  while (reader.more) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === LENGTH) key = reader.stringField();
    else if (field === 2 && wire === LENGTH) value = reader.stringField();
    else reader.skip(wire);
  }
  into.set(key, value);
}

function proposedMessage(reader: ProtoReader): DecodedProposedMessage {
  let id: DecodedUuid | undefined;
  const metadata = new Map<string, string>();
  let customMetadata: Uint8Array = new Uint8Array(0);
  let data: Uint8Array = new Uint8Array(0);
  while (reader.more) {
    const [field, wire] = reader.tag();
    if (wire !== LENGTH) {
      reader.skip(wire);
      continue;
    }
    if (field === 1) id = uuid(reader.messageField());
    else if (field === 2) mapEntry(reader.messageField(), metadata);
    else if (field === 3) customMetadata = reader.bytesField();
    else if (field === 4) data = reader.bytesField();
    else reader.skip(wire);
  }
  return { id, metadata, customMetadata, data };
}

/** Reads the expected-revision oneof member at `field` (2..5) into `current`. */
function expectedMember(
  reader: ProtoReader,
  field: number,
  wire: number,
): DecodedExpected | undefined {
  if (field === 2 && wire === VARINT) return { caseNumber: 2, revision: reader.varintBig() };
  if (field >= 3 && field <= 5 && wire === LENGTH) {
    reader.messageField();
    return { caseNumber: field, revision: 0n };
  }
  return undefined;
}

/** Decoded `AppendReq.Options`. */
export interface DecodedAppendOptions {
  /** Stream name bytes; undefined when `stream_identifier` is absent. */
  readonly streamName: Uint8Array | undefined;
  readonly expected: DecodedExpected;
}

/** Decoded `BatchAppendReq.Options`. */
export interface DecodedBatchOptions extends DecodedAppendOptions {
  /** Timeout requested by the client in ms: `deadline` or `deadline_21_10_0 - now`. */
  readonly deadline:
    | { readonly kind: 'duration'; readonly ms: number }
    | { readonly kind: 'timestamp'; readonly ms: number }
    | { readonly kind: 'none' };
}

/**
 * Reads the fields `AppendReq.Options` and `BatchAppendReq.Options` share (the stream
 * identifier at 1, the expected-revision oneof at 2..5), handing any other field to `other`.
 */
function streamOptions(
  reader: ProtoReader,
  other: (field: number, wire: number) => void,
): DecodedAppendOptions {
  let streamName: Uint8Array | undefined;
  let expected: DecodedExpected = { caseNumber: 0, revision: 0n };
  while (reader.more) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === LENGTH) streamName = streamIdentifier(reader.messageField());
    else {
      const member = expectedMember(reader, field, wire);
      if (member === undefined) other(field, wire);
      else expected = member;
    }
  }
  return { streamName, expected };
}

function batchOptions(reader: ProtoReader): DecodedBatchOptions {
  let deadline: DecodedBatchOptions['deadline'] = { kind: 'none' };
  const shared = streamOptions(reader, (field, wire) => {
    if (field === 6 && wire === LENGTH)
      deadline = { kind: 'timestamp', ms: millis(reader.messageField()) };
    else if (field === 7 && wire === LENGTH)
      deadline = { kind: 'duration', ms: millis(reader.messageField()) };
    else reader.skip(wire);
  });
  return { ...shared, deadline };
}

/** Decoded `BatchAppendReq`. */
export interface DecodedBatchAppendRequest {
  readonly correlationId: DecodedUuid | undefined;
  readonly options: DecodedBatchOptions | undefined;
  readonly proposedMessages: DecodedProposedMessage[];
  readonly isFinal: boolean;
}

/** Decodes a `BatchAppendReq`. */
export function decodeBatchAppendRequest(bytes: Uint8Array): DecodedBatchAppendRequest {
  const reader = new ProtoReader(bytes);
  let correlationId: DecodedUuid | undefined;
  let options: DecodedBatchOptions | undefined;
  const proposedMessages: DecodedProposedMessage[] = [];
  let isFinal = false;
  while (reader.more) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === LENGTH) correlationId = uuid(reader.messageField());
    else if (field === 2 && wire === LENGTH) options = batchOptions(reader.messageField());
    else if (field === 3 && wire === LENGTH)
      proposedMessages.push(proposedMessage(reader.messageField()));
    else if (field === 4 && wire === VARINT) isFinal = reader.varint() !== 0;
    else reader.skip(wire);
  }
  return { correlationId, options, proposedMessages, isFinal };
}

/** Decoded `AppendReq`: its `content` oneof. */
export type DecodedAppendRequest =
  | { readonly kind: 'options'; readonly options: DecodedAppendOptions }
  | { readonly kind: 'proposed'; readonly message: DecodedProposedMessage }
  | { readonly kind: 'none' };

function appendOptions(reader: ProtoReader): DecodedAppendOptions {
  return streamOptions(reader, (_field, wire) => reader.skip(wire));
}

/** Decodes an `AppendReq`. */
export function decodeAppendRequest(bytes: Uint8Array): DecodedAppendRequest {
  const reader = new ProtoReader(bytes);
  let result: DecodedAppendRequest = { kind: 'none' };
  while (reader.more) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === LENGTH)
      result = { kind: 'options', options: appendOptions(reader.messageField()) };
    else if (field === 2 && wire === LENGTH) {
      result = { kind: 'proposed', message: proposedMessage(reader.messageField()) };
    } else reader.skip(wire);
  }
  return result;
}
