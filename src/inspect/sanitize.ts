/**
 * Redaction of named fields in everything the inspector sends, done in this process before a
 * message reaches the inspector's socket, without touching the objects the actors hold.
 *
 * The rule: every configured path is hidden **wherever it occurs in the data of a message**, at
 * any depth — in snapshot contexts (and the rest of a snapshot's data, such as a custom actor's
 * state or an output), in every event sent to an actor (commands, domain events, replies, and the
 * events nested in them, such as the command inside the aggregate lifecycle's `execute` event or
 * the domain events of an `aggregate.executed` reply) and in the initial `context` of the machine
 * definitions. A domain event carries the same fields as the context it builds, and a command the
 * same fields as the event it emits, so a field hidden in one place and shown in another would
 * not be hidden at all.
 *
 * A path is a field name (`name`) or a dotted path (`owner.email`: the `email` of an object held
 * under an `owner` field, wherever that object is). A segment that meets an array applies the
 * rest of the path to each element. The message's own bookkeeping (type, session ids, the actor's
 * name, timestamps) and a snapshot's state value, status, tags, children and history are never
 * redacted: they are what the inspector draws.
 *
 * @module
 */

import type { StatelyInspectionEvent } from '@statelyai/inspect';

/** The value that replaces every redacted field. */
export const REDACTED = '[redacted]';

/**
 * Which fields to hide from the inspector; each entry is a field name or a dotted path. All three
 * lists are one set of paths, hidden everywhere the inspector could show them (contexts, events
 * sent to actors and the events nested in them, machine definitions' initial context).
 */
export interface InspectorSanitizeOptions {
  /** Paths hidden everywhere, e.g. `['name', 'owner.email']`. */
  readonly fields?: readonly string[];
  /**
   * Paths hidden everywhere, as {@link fields}: a field of the context travels in the events
   * that set it, so it is hidden there too. Kept for the code written for the earlier option.
   */
  readonly contextFields?: readonly string[];
  /** Paths hidden everywhere, as {@link fields}. Kept for earlier code. */
  readonly eventFields?: readonly string[];
}

/** The paths of all three lists of `options`, without duplicates and empty entries. */
export function sanitizedFields(options: InspectorSanitizeOptions | undefined): string[] {
  const all = [
    ...(options?.fields ?? []),
    ...(options?.contextFields ?? []),
    ...(options?.eventFields ?? []),
  ];
  return [...new Set(all.filter((path) => path.length > 0))];
}

/** Keys of an inspection message that describe it rather than carry the actors' data. */
const MESSAGE_KEYS = new Set([
  'type',
  '_version',
  'createdAt',
  'id',
  'name',
  'sessionId',
  'rootId',
  'parentId',
  'sourceId',
]);

/** Keys of a snapshot that are its structure (what the inspector draws), not data. */
const SNAPSHOT_STRUCTURE_KEYS = new Set(['value', 'status', 'tags', 'children', 'historyValue']);

type Json = Record<string, unknown>;

/**
 * Returns a function that turns an inspection message into plain JSON data (what the socket
 * would carry: `toJSON` applied, functions as `{ type: name }`, cycles and anything deeper than
 * `depthLimit` cut, as the package does) with `fields` replaced by {@link REDACTED} everywhere
 * in its data (see the module's rule). The input is never mutated. Idempotent, as the package
 * applies it twice to an event it had deferred.
 */
export function createMessageRedactor(
  fields: readonly string[],
  depthLimit: number,
): (message: StatelyInspectionEvent) => StatelyInspectionEvent {
  const paths = fields.filter((path) => path.length > 0).map((path) => path.split('.'));
  return (message) => {
    const plain = toPlain(message, depthLimit, 0, new Set());
    if (!isRecord(plain)) return message;
    for (const key of Object.keys(plain)) {
      if (MESSAGE_KEYS.has(key)) continue;
      if (key === 'definition') {
        const definition = redactDefinition(plain.definition, paths);
        if (definition === undefined) delete plain.definition;
        else plain.definition = definition;
      } else if (key === 'snapshot' && isRecord(plain.snapshot)) {
        const snapshot = plain.snapshot;
        for (const field of Object.keys(snapshot)) {
          if (!SNAPSHOT_STRUCTURE_KEYS.has(field)) {
            snapshot[field] = redactEverywhere(snapshot[field], paths);
          }
        }
      } else {
        plain[key] = redactEverywhere(plain[key], paths);
      }
    }
    return plain as unknown as StatelyInspectionEvent;
  };
}

/**
 * The machine definition of an `@xstate.actor` message (the machine config as a JSON string)
 * with the paths redacted in its initial `context`; `undefined` when it is not JSON, as it could
 * not be checked.
 */
function redactDefinition(definition: unknown, paths: readonly string[][]): string | undefined {
  if (definition === undefined) return undefined;
  if (typeof definition !== 'string') return undefined;
  let config: unknown;
  try {
    config = JSON.parse(definition);
  } catch {
    return undefined;
  }
  if (!isRecord(config) || !Object.hasOwn(config, 'context')) return definition;
  config.context = redactEverywhere(config.context, paths);
  return JSON.stringify(config);
}

/** Redacts the paths starting at every object within `value` (plain data, changed in place). */
function redactEverywhere(value: unknown, paths: readonly string[][]): unknown {
  if (paths.length === 0) return value;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      value[index] = redactEverywhere(value[index], paths);
    }
    return value;
  }
  if (!isRecord(value)) return value;
  for (const key of Object.keys(value)) value[key] = redactEverywhere(value[key], paths);
  for (const segments of paths) redactAt(value, segments, 0);
  return value;
}

/** Redacts one path starting at `value` (plain data, changed in place). */
function redactAt(value: unknown, segments: readonly string[], from: number): void {
  if (Array.isArray(value)) {
    for (const item of value) redactAt(item, segments, from);
    return;
  }
  const head = segments[from];
  if (head === undefined || !isRecord(value) || !Object.hasOwn(value, head)) return;
  if (from === segments.length - 1) value[head] = REDACTED;
  else redactAt(value[head], segments, from + 1);
}

/**
 * A fresh plain copy of `value` as JSON would carry it: `toJSON` applied (a snapshot drops its
 * machine), functions as `{ type: name }` (as the package shows them), `undefined` and symbols
 * left out of objects (`null` in arrays), a cycle as `'[Circular]'`, and anything deeper than
 * `depthLimit` as `'[Object]'` / `'[Array]'`. Other primitives (bigints too) are kept, for the
 * package's serializer to write as it always does.
 */
function toPlain(
  value: unknown,
  depthLimit: number,
  depth: number,
  ancestors: Set<object>,
): unknown {
  let current = value;
  if (
    typeof current === 'object' &&
    current !== null &&
    typeof (current as { toJSON?: unknown }).toJSON === 'function'
  ) {
    current = (current as { toJSON: () => unknown }).toJSON();
  }
  if (typeof current === 'function') return { type: current.name };
  if (typeof current !== 'object' || current === null) return current;
  if (ancestors.has(current)) return '[Circular]';
  // One level more than the package keeps: its own serializer makes the cut it always makes.
  if (depth > depthLimit) return Array.isArray(current) ? '[Array]' : '[Object]';
  ancestors.add(current);
  try {
    if (Array.isArray(current)) {
      return current.map((item) => {
        const plain = toPlain(item, depthLimit, depth + 1, ancestors);
        return plain === undefined || typeof plain === 'symbol' ? null : plain;
      });
    }
    const entries: [string, unknown][] = [];
    for (const key of Object.keys(current)) {
      const plain = toPlain(
        (current as Record<string, unknown>)[key],
        depthLimit,
        depth + 1,
        ancestors,
      );
      if (plain !== undefined && typeof plain !== 'symbol') entries.push([key, plain]);
    }
    return Object.fromEntries(entries);
  } finally {
    ancestors.delete(current);
  }
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
