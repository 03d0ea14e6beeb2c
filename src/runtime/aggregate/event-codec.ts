/**
 * Domain events ⇄ stored events. A domain event `{ type: 'Registered', name: 'Fido' }` of the
 * aggregate `Dog` is stored with the type `Dog.Registered`, its payload (everything but `type`) as
 * UTF-8 JSON, and metadata carrying `schemaVersion` plus the command's ids. Reading upcasts old
 * schema versions and validates against the event's schema, if any.
 *
 * @module
 */
import type { EventObject } from 'xstate';
import { DecodingError } from '../../core/errors.js';
import { describeIssues, validateWithSchema } from '../../core/standard-schema.js';
import type { EventMetadata, StoredEvent } from '../../core/stored-event.js';
import type { AggregateDefinition } from './define-aggregate.js';

/** Metadata key of an event's schema version (absent = 1). */
export const SCHEMA_VERSION = 'schemaVersion';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes the events of one decision as the stored events at versions `firstVersion`, … */
export function encodeEvents(
  definition: AggregateDefinition,
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
      state: encoder.encode(JSON.stringify(payload)),
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
    const parsed: unknown = JSON.parse(decoder.decode(stored.state));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new TypeError('the payload is not a JSON object');
    }
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
    try {
      data = (upcasters[v - 1] as (d: Record<string, unknown>) => Record<string, unknown>)(data);
    } catch (error) {
      throw new DecodingError(whereOf(stored), `upcaster from version ${v} to ${v + 1} failed`, {
        cause: error,
      });
    }
  }
  const schema = definition.schemas[type];
  if (schema === undefined) {
    // Fresh from JSON.parse: no copy needed. An upcaster's result may be shared: copy it.
    if (version < current) return { ...data, type };
    data.type = type;
    return data as EventObject;
  }
  const outcome = validateWithSchema(schema, data);
  const accept = (o: Awaited<typeof outcome>): EventObject => {
    if (!o.ok)
      throw new DecodingError(
        whereOf(stored),
        `payload fails its schema: ${describeIssues(o.issues)}`,
      );
    return { ...(o.value as object), type };
  };
  return outcome instanceof Promise ? outcome.then(accept) : accept(outcome);
}

/** Where an event that fails to decode or apply is: for its `DecodingError`. */
export const whereOf = (stored: StoredEvent) => ({
  streamName: stored.originatorId,
  revision: stored.originatorVersion,
  eventType: stored.topic,
});

function schemaVersionOf(metadata: EventMetadata): number | undefined {
  const value = metadata[SCHEMA_VERSION];
  if (value === undefined) return 1;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}
