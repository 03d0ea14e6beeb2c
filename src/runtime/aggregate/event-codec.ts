/**
 * Domain events ⇄ stored events. A domain event `{ type: 'Registered', name: 'Fido' }` of the
 * aggregate `Dog` is stored with the type `Dog.Registered`, its payload (everything but `type`) as
 * UTF-8 JSON written by the application's {@link Transcoder} (so a `Date`, `Map`, `Set`, bigint,
 * `Uint8Array`, `URL` or registered type comes back as itself), and metadata carrying
 * `schemaVersion` plus the command's ids. Reading upcasts old schema versions and validates
 * against the event's schema, if any.
 *
 * @module
 */
import type { EventObject } from 'xstate';
import { DecodingError } from '../../core/errors.js';
import { describeIssues, validateWithSchema } from '../../core/standard-schema.js';
import type { EventMetadata, StoredEvent } from '../../core/stored-event.js';
import { defaultTranscoder, type Transcoder } from '../../core/transcoder.js';
import { describeValue } from '../../core/well-formed.js';
import type { AggregateDefinition } from './define-aggregate.js';

/** Metadata key of an event's schema version (absent = 1). */
export const SCHEMA_VERSION = 'schemaVersion';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Encodes the events of one decision as the stored events at versions `firstVersion`, …
 *
 * @throws ProgrammingError naming the event and the path of a value the transcoder can't store
 *   (a function, a symbol, a cycle, a class instance with no transcoding, `NaN`, …).
 */
export function encodeEvents(
  definition: AggregateDefinition,
  transcoder: Transcoder,
  streamName: string,
  firstVersion: number,
  events: readonly EventObject[],
  eventIds: readonly string[],
  metadata: EventMetadata,
): StoredEvent[] {
  return events.map((event, index) => {
    const { type, ...payload } = event;
    return {
      originatorId: streamName,
      originatorVersion: firstVersion + index,
      topic: definition.topicOf(type),
      state: encoder.encode(transcoder.encode(payload, `the payload of event '${type}'`)),
      metadata: { ...metadata, [SCHEMA_VERSION]: definition.schemaVersionOf(type) },
      eventId: eventIds[index] as string,
    };
  });
}

/**
 * Decodes a stored event into the domain event the machine takes, upcast to the current schema
 * version and validated by its schema.
 *
 * @throws DecodingError naming the stream, revision and type for an event of another aggregate
 *   or an unknown type, undecodable JSON, a schema version newer than the code, a throwing
 *   upcaster or a payload failing the event's schema.
 */
export function decodeEvent(
  definition: AggregateDefinition,
  stored: StoredEvent,
  transcoder: Transcoder = defaultTranscoder,
): EventObject | Promise<EventObject> {
  const prefix = `${definition.name}.`;
  const type = stored.topic.startsWith(prefix) ? stored.topic.slice(prefix.length) : undefined;
  if (type === undefined || !definition.eventTypes.has(type)) {
    throw new DecodingError(
      whereOf(stored),
      `not a domain event of aggregate '${definition.name}'`,
    );
  }
  let data: Record<string, unknown>;
  try {
    const parsed: unknown = transcoder.decode(decoder.decode(stored.state));
    if (!isPlainObject(parsed)) throw new TypeError('the payload is not a JSON object');
    data = parsed as Record<string, unknown>;
  } catch (error) {
    throw new DecodingError(whereOf(stored), `invalid JSON payload (${(error as Error).message})`, {
      cause: error,
    });
  }
  const version = schemaVersionOf(stored.metadata);
  const current = definition.schemaVersionOf(type);
  if (version === undefined || version > current) {
    throw new DecodingError(
      whereOf(stored),
      `schema version ${String(stored.metadata[SCHEMA_VERSION])} is not one this code knows (current: ${current}; upgrade the code or add upcasters)`,
    );
  }
  const upcasters = definition.upcasters[type] ?? [];
  for (let v = version; v < current; v++) {
    let upcast: unknown;
    try {
      upcast = (upcasters[v - 1] as (d: Record<string, unknown>) => unknown)(data);
    } catch (error) {
      throw new DecodingError(whereOf(stored), `upcaster from version ${v} to ${v + 1} failed`, {
        cause: error,
      });
    }
    if (!isPlainObject(upcast)) {
      throw new DecodingError(
        whereOf(stored),
        `upcaster from version ${v} to ${v + 1} returned ${describeValue(upcast)}; an upcaster must synchronously return the payload object`,
      );
    }
    data = upcast;
  }
  const schema = definition.schemas[type];
  if (schema === undefined) return withType(type, data);
  const outcome = validateWithSchema(
    schema,
    data,
    (error) =>
      new DecodingError(
        whereOf(stored),
        `its schema threw instead of answering: ${(error as Error)?.message ?? String(error)}`,
        { cause: error },
      ),
  );
  const accept = (o: Awaited<typeof outcome>): EventObject => {
    if (!o.ok)
      throw new DecodingError(
        whereOf(stored),
        `payload fails its schema: ${describeIssues(o.issues)}`,
      );
    if (!isPlainObject(o.value)) {
      throw new DecodingError(
        whereOf(stored),
        `its schema's output is ${describeValue(o.value)}, not a payload object`,
      );
    }
    return withType(type, o.value);
  };
  return outcome instanceof Promise ? outcome.then(accept) : accept(outcome);
}

/** Where an event that fails to decode or apply is: for its `DecodingError`. */
export const whereOf = (stored: StoredEvent) => ({
  streamName: stored.originatorId,
  revision: stored.originatorVersion,
  eventType: stored.topic,
});

/** The domain event: `type` first (as users write events), then the payload's own fields. */
function withType(type: string, payload: Record<string, unknown>): EventObject {
  const event: Record<string, unknown> = { type };
  Object.assign(event, payload);
  event.type = type;
  return event as EventObject;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function schemaVersionOf(metadata: EventMetadata): number | undefined {
  const value = metadata[SCHEMA_VERSION];
  if (value === undefined) return 1;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}
