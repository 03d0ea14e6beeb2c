/**
 * The one check of what `insertEvents` / `appendEvents` are given, shared by every recorder and
 * run before any I/O: a bad value is a `ProgrammingError` naming the event and the problem, and
 * nothing is written. It runs on every append, so it is a plain walk (no JSON round trip).
 *
 * @module
 */
import { IntegrityError, ProgrammingError } from './errors.js';
import type { StoredEvent } from './stored-event.js';
import { describeValue, isWellFormed } from './well-formed.js';

/**
 * Checks a batch of stored events for any recorder:
 *
 * - `events` is an array of objects, all of one originator;
 * - `originatorId`: a non-empty, well-formed string (no lone UTF-16 surrogate) not starting
 *   with `$` (a KurrentDB system stream, whose events never become notifications);
 * - `originatorVersion`: a non-negative safe integer; the versions are contiguous;
 * - `topic`: a non-empty, well-formed string;
 * - `state`: a `Uint8Array` (a `Buffer` is one);
 * - `metadata`: a plain object of plain JSON values (see {@link jsonProblem});
 * - `eventId`: a UUID (8-4-4-4-12 hex digits, either case).
 *
 * Every `ProgrammingError` of the batch wins over a gap, so a malformed batch is never mistaken
 * for a conflict (which the runtime retries).
 *
 * @throws ProgrammingError for a malformed batch, naming `events[i].<field>` and the problem.
 * @throws IntegrityError for a gap or a duplicate in the versions.
 */
export function checkStoredEvents(events: unknown): asserts events is readonly StoredEvent[] {
  if (!Array.isArray(events)) {
    throw new ProgrammingError(
      `Invalid events: expected an array of stored events, got ${describeValue(events)}`,
    );
  }
  let gapAt = -1;
  let first: StoredEvent | undefined;
  for (let index = 0; index < events.length; index++) {
    const event: unknown = events[index];
    checkStoredEvent(event, index);
    if (first === undefined) {
      first = event;
      continue;
    }
    if (event.originatorId !== first.originatorId) {
      throw new ProgrammingError(
        `Invalid events[${index}].originatorId: can't atomically store events of more than one aggregate in one call ('${first.originatorId}' and '${event.originatorId}')`,
      );
    }
    if (gapAt < 0 && event.originatorVersion !== first.originatorVersion + index) gapAt = index;
  }
  if (first !== undefined && gapAt >= 0) {
    throw new IntegrityError(
      `Gap or duplicate in the originator versions of '${first.originatorId}': expected ${first.originatorVersion + gapAt} at events[${gapAt}], got ${(events[gapAt] as StoredEvent).originatorVersion}`,
    );
  }
}

/**
 * Checks an originator id given on its own (to `deleteStream`), by the rules of
 * {@link checkStoredEvents}.
 *
 * @throws ProgrammingError naming the argument and the problem.
 */
export function checkOriginatorId(originatorId: unknown): asserts originatorId is string {
  const problem = originatorIdProblem(originatorId);
  if (problem !== undefined) throw new ProgrammingError(`Invalid originatorId: ${problem}`);
}

/** Why `value` can't be an originator id; `undefined` when it can. */
function originatorIdProblem(value: unknown): string | undefined {
  const problem = nameProblem(value);
  if (problem !== undefined) return problem;
  if ((value as string).charCodeAt(0) === 0x24 /* $ */) {
    return `'${value as string}' starts with '$', which names a KurrentDB system stream (its events never become notifications)`;
  }
  return undefined;
}

/** Checks the fields of one event of a batch; `index` is its place in `events`. */
function checkStoredEvent(event: unknown, index: number): asserts event is StoredEvent {
  if (typeof event !== 'object' || event === null) {
    throw invalid(index, '', `expected a stored event object, got ${describeValue(event)}`);
  }
  const { originatorId, originatorVersion, topic, state, metadata, eventId } = event as Partial<
    Record<keyof StoredEvent, unknown>
  >;
  const idProblem = originatorIdProblem(originatorId);
  if (idProblem !== undefined) throw invalid(index, '.originatorId', idProblem);
  if (
    typeof originatorVersion !== 'number' ||
    !Number.isSafeInteger(originatorVersion) ||
    originatorVersion < 0
  ) {
    throw invalid(
      index,
      '.originatorVersion',
      `expected a non-negative safe integer (versions start at 0), got ${describeValue(originatorVersion)}`,
    );
  }
  const topicProblem = nameProblem(topic);
  if (topicProblem !== undefined) throw invalid(index, '.topic', topicProblem);
  if (!(state instanceof Uint8Array)) {
    throw invalid(index, '.state', `expected a Uint8Array, got ${describeValue(state)}`);
  }
  const problem = metadataProblem(metadata, index);
  if (problem !== undefined) {
    throw invalid(
      index,
      `.metadata${problem.path}`,
      `${problem.what}: metadata must be plain JSON (null, booleans, finite numbers, strings, arrays, plain objects)`,
    );
  }
  if (typeof eventId !== 'string' || !isUuid(eventId)) {
    throw invalid(index, '.eventId', `expected a UUID, got ${describeValue(eventId)}`);
  }
}

/** Why the metadata is not a plain object of plain JSON values; `undefined` when it is one. */
function metadataProblem(metadata: unknown, index: number): JsonProblem | undefined {
  try {
    if (!isPlainObject(metadata))
      return { path: '', what: `${describeValue(metadata)} is not a plain object` };
    return jsonProblem(metadata, []);
  } catch (error) {
    // A getter or a proxy that throws.
    throw new ProgrammingError(
      `Invalid events[${index}].metadata: reading it threw (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
}

function invalid(index: number, field: string, problem: string): ProgrammingError {
  return new ProgrammingError(`Invalid events[${index}]${field}: ${problem}`);
}

/** Why `value` is not a non-empty, well-formed string; `undefined` when it is one. */
function nameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `expected a string, got ${describeValue(value)}`;
  if (value.length === 0) return 'expected a non-empty string, got an empty one';
  if (!isWellFormed(value)) {
    return `${JSON.stringify(value)} contains a lone UTF-16 surrogate`;
  }
  return undefined;
}

/** Where in the metadata a value is not plain JSON, and what it is. */
interface JsonProblem {
  /** `.key`, `[2]`, `.a.b[0]`… from the metadata object. */
  readonly path: string;
  readonly what: string;
}

/**
 * The first value of `value` that is not plain JSON: allowed are `null`, booleans, finite
 * numbers, strings, arrays and plain objects (prototype `Object.prototype` or `null`) of these;
 * an object property may also be `undefined` (dropped when stored, as JSON drops it). Refused:
 * bigint, function (a `toJSON` method too), symbol, `undefined` in an array, NaN and ±Infinity,
 * class instances (`Date`, `Map`, …) and cycles. `ancestors` are the containers `value` is in.
 */
function jsonProblem(value: unknown, ancestors: object[]): JsonProblem | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : { path: '', what: String(value) };
    case 'object':
      return value === null ? undefined : containerProblem(value, ancestors);
    default:
      return { path: '', what: describeValue(value) };
  }
}

function containerProblem(value: object, ancestors: object[]): JsonProblem | undefined {
  if (ancestors.includes(value)) return { path: '', what: 'a cycle (an object inside itself)' };
  ancestors.push(value);
  let problem: JsonProblem | undefined;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) {
      problem = { path: '', what: describeValue(value) };
    }
    for (let i = 0; problem === undefined && i < value.length; i++) {
      const item: unknown = value[i];
      const inner =
        item === undefined
          ? { path: '', what: 'undefined in an array' }
          : jsonProblem(item, ancestors);
      if (inner !== undefined) problem = { path: `[${i}]${inner.path}`, what: inner.what };
    }
  } else if (!isPlainObject(value)) {
    problem = { path: '', what: describeValue(value) };
  } else {
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const item = record[key];
      const inner = item === undefined ? undefined : jsonProblem(item, ancestors);
      if (inner !== undefined) {
        problem = { path: `${propertyPath(key)}${inner.path}`, what: inner.what };
        break;
      }
    }
  }
  ancestors.pop();
  return problem;
}

/** `.key` for an identifier, `["some key"]` otherwise. */
function propertyPath(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** True for an object whose prototype is `Object.prototype` or `null`. */
function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * True for a UUID in its 8-4-4-4-12 hex form, either case (what
 * `/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i` matches). Written out
 * because it runs for every appended event, where the regular expression costs more.
 */
function isUuid(text: string): boolean {
  if (text.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const code = text.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 0x2d /* - */) return false;
    } else {
      const lower = code | 0x20; // 'A'-'F' → 'a'-'f'
      const hex = (code >= 0x30 && code <= 0x39) || (lower >= 0x61 && lower <= 0x66);
      if (!hex) return false;
    }
  }
  return true;
}
