/**
 * Conversion between the library's stored events and the client's events.
 *
 * A stored event is written as a binary event: type = topic, data = state bytes, custom metadata =
 * the metadata as JSON, id = the event id (kept, so a retried append is idempotent).
 *
 * @module
 */
import type { BinaryEventData } from '@kurrent/kurrentdb-client';
import type { EventMetadata, Notification, StoredEvent } from '../../core/stored-event.js';

/** The fields the adapter reads from a client event (from a read or a subscription). */
export interface ClientRecordedEvent {
  readonly streamId: string;
  readonly id: string;
  readonly revision: bigint;
  readonly type: string;
  readonly isJson: boolean;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position?: { readonly commit: bigint; readonly prepare: bigint } | undefined;
}

const encoder = new TextEncoder();

/** The client event for a stored event, with `metadata` in place of the stored event's. */
export function toEventData(
  event: StoredEvent,
  metadata: EventMetadata = event.metadata,
): BinaryEventData {
  // What `binaryEvent()` builds, without its byte-by-byte copy of the data (`Uint8Array.from`):
  // the client serialises data and metadata when it sends the event, and the bytes of an event
  // being stored are not changed meanwhile (the runtime never changes them once encoded).
  return {
    id: event.eventId,
    contentType: 'application/octet-stream',
    type: event.topic,
    data: event.state,
    metadata,
  };
}

/**
 * The bytes of an event's data as a plain `Uint8Array` (a `Buffer` or other subclass becomes a
 * view of the same memory).
 *
 * - A binary event (`isJson` false, as the library writes them): its bytes as they are.
 * - A JSON event (`isJson`, written by another client): the client has already parsed its data,
 *   so the bytes are the JSON text again (`JSON.stringify`), whatever the JSON was — an object,
 *   an array, a number, or a string: the JSON `"hello"` gives the 7 bytes `"hello"`, not the 5
 *   of `hello`. (Malformed JSON, which the client hands over as its text, comes back as that
 *   text quoted as a JSON string: the client leaves no way to tell it from a JSON string.)
 */
export function dataBytes(event: ClientRecordedEvent): Uint8Array {
  const { data } = event;
  if (data instanceof Uint8Array) {
    return data.constructor === Uint8Array
      ? data
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  if (typeof data === 'string' && !event.isJson) return encoder.encode(data);
  return encoder.encode(JSON.stringify(data ?? null));
}

/**
 * An event's custom metadata as an object: `{}` when absent or not a JSON object. Not copied: the
 * client parses it afresh for each event it delivers, and the adapter is its only holder.
 */
export function metadataObject(event: ClientRecordedEvent): Record<string, unknown> {
  const { metadata } = event;
  if (
    typeof metadata === 'object' &&
    metadata !== null &&
    !Array.isArray(metadata) &&
    !(metadata instanceof Uint8Array)
  ) {
    return metadata as Record<string, unknown>;
  }
  return {};
}

// The converters below build each object in one literal (no spreads): they run once per event
// read, where a spread costs more than the rest of the conversion together.

/** The stored event for a client event of the stream of `originatorId`. */
export function toStoredEvent(originatorId: string, event: ClientRecordedEvent): StoredEvent {
  return {
    originatorId,
    originatorVersion: Number(event.revision),
    topic: event.type,
    state: dataBytes(event),
    metadata: metadataObject(event),
    eventId: event.id,
  };
}

/** The notification for a client event read from `$all`: its id is the commit position. */
export function toNotification(event: ClientRecordedEvent, commitPosition: bigint): Notification {
  return {
    originatorId: event.streamId,
    originatorVersion: Number(event.revision),
    topic: event.type,
    state: dataBytes(event),
    metadata: metadataObject(event),
    eventId: event.id,
    id: commitPosition,
  };
}

/** The commit position of a resolved event from `$all`, or `undefined` if it has none. */
export function commitPositionOf(resolved: {
  readonly event?: ClientRecordedEvent | undefined;
  readonly commitPosition?: bigint | undefined;
}): bigint | undefined {
  return resolved.commitPosition ?? resolved.event?.position?.commit;
}
