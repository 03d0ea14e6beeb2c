/**
 * Decoding of request fields shared by several RPCs: stream identifiers, UUIDs (string and
 * structured, parsed like .NET `Guid.Parse`) and proposed events.
 *
 * @module
 */
import type { NewEvent } from '../log/event-log.js';
import type {
  DecodedExpected,
  DecodedProposedMessage,
  DecodedUuid,
} from '../wire/append-requests.js';
import type { StreamIdentifierMessage } from '../wire/generated.js';
import type { ExpectedRevision } from '../write/commit-check.js';
import { type RpcError, requiredMetadataPropertyMissingError } from './rpc-errors.js';

/** A request was malformed in a way the node reports as an unhandled exception. */
export class MalformedRequestError extends Error {
  override readonly name = 'MalformedRequestError';
}

/**
 * The stream name of an identifier. Like the node, an absent identifier or an empty name gives
 * `undefined` (a .NET `null`).
 */
export function streamNameOf(
  identifier: StreamIdentifierMessage | Uint8Array | undefined,
): string | undefined {
  if (identifier === undefined) return undefined;
  const bytes = identifier instanceof Uint8Array ? identifier : identifier.getStreamName_asU8();
  if (bytes.length === 0) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

const HEX32 = /^[0-9a-fA-F]{32}$/;
const DASHED = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function dashed(hex: string): string {
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Parses a GUID string in the formats .NET `Guid.Parse` accepts (`D`, `N`, `B`, `P`; surrounding
 * white space allowed) and returns the lowercase `D` form, or undefined when it is not a GUID.
 */
export function parseGuid(value: string): string | undefined {
  const text = value.trim();
  if (DASHED.test(text)) return text.toLowerCase();
  if (HEX32.test(text)) return dashed(text);
  const inner = text.slice(1, -1);
  if (
    ((text.startsWith('{') && text.endsWith('}')) ||
      (text.startsWith('(') && text.endsWith(')'))) &&
    DASHED.test(inner)
  ) {
    return inner.toLowerCase();
  }
  return undefined;
}

function int64Hex(value: bigint): string {
  return BigInt.asUintN(64, value).toString(16).padStart(16, '0');
}

/** The canonical GUID string of a UUID; throws {@link MalformedRequestError} like .NET. */
export function uuidOf(uuid: DecodedUuid | undefined): string {
  if (uuid === undefined)
    throw new MalformedRequestError("Value cannot be null. (Parameter 'dto')");
  switch (uuid.kind) {
    case 'string': {
      const parsed = parseGuid(uuid.value);
      if (parsed === undefined) throw new MalformedRequestError('Unrecognized Guid format.');
      return parsed;
    }
    case 'structured':
      return dashed(int64Hex(uuid.msb) + int64Hex(uuid.lsb));
    case 'none':
      throw new MalformedRequestError("Invalid argument: None (Parameter 'dto')");
  }
}

/** An event before its id is parsed. */
export type EventWithoutId = Omit<NewEvent, 'eventId'>;

/** Reads the required metadata of a proposed message, or gives the node's error for it. */
export function eventWithoutIdOf(message: DecodedProposedMessage): EventWithoutId | RpcError {
  const metadata = message.metadata;
  const eventType = metadata.get('type');
  if (eventType === undefined) return requiredMetadataPropertyMissingError('type');
  const contentType = metadata.get('content-type');
  if (contentType === undefined) return requiredMetadataPropertyMissingError('content-type');
  return {
    eventType,
    contentType: contentType === 'application/json' ? contentType : 'application/octet-stream',
    data: message.data,
    customMetadata: message.customMetadata,
  };
}

/**
 * Converts a proposed message (metadata first, then the id, as BatchAppend does), or gives the
 * node's error for missing required metadata. Throws {@link MalformedRequestError} for a bad id.
 */
export function newEventOf(message: DecodedProposedMessage): NewEvent | RpcError {
  const event = eventWithoutIdOf(message);
  if ('code' in event) return event;
  return { ...event, eventId: uuidOf(message.id) };
}

/** Size of an event as a node counts it for the append limits: data + metadata + 2 × type length. */
export function eventSizeOnDisk(event: EventWithoutId): number {
  return event.data.length + event.customMetadata.length + event.eventType.length * 2;
}

/** How .NET prints a protobuf `UUID` message (its JSON form), as Append's size error does. */
export function uuidMessageText(uuid: DecodedUuid | undefined): string {
  if (uuid === undefined || uuid.kind === 'none') return '{ }';
  if (uuid.kind === 'string') return `{ "string": ${JSON.stringify(uuid.value)} }`;
  const msb = BigInt.asIntN(64, uuid.msb).toString();
  const lsb = BigInt.asIntN(64, uuid.lsb).toString();
  return `{ "structured": { "mostSignificantBits": "${msb}", "leastSignificantBits": "${lsb}" } }`;
}

/** 16 MiB (`MaxLogRecordSize`): the largest event a 25.1 node accepts. */
export const MAX_APPEND_EVENT_SIZE = 16 * 1024 * 1024;

/** 256 MiB: the largest total append a 25.1 node accepts. */
export const MAX_APPEND_SIZE = 256 * 1024 * 1024;

/** The Streams service's maximum received message size (`EffectiveMaxLogRecordSize`). */
export const MAX_RECEIVE_MESSAGE_SIZE = 16 * 1024 * 1024 - 10_000;

/** The expected revision, or undefined when the oneof is not set. */
export function expectedRevisionOf(options: DecodedExpected): ExpectedRevision | undefined {
  switch (options.caseNumber) {
    case 2:
      return { kind: 'exact', revision: options.revision };
    case 3:
      return { kind: 'no_stream' };
    case 4:
      return { kind: 'any' };
    case 5:
      return { kind: 'stream_exists' };
    default:
      return undefined;
  }
}

/** The value a node puts in `expected-version` trailers: -2 any, -1 no_stream, -4 exists, n. */
export function expectedVersionText(expected: ExpectedRevision): string {
  switch (expected.kind) {
    case 'any':
      return '-2';
    case 'no_stream':
      return '-1';
    case 'stream_exists':
      return '-4';
    case 'exact':
      return BigInt.asIntN(64, expected.revision).toString();
  }
}
