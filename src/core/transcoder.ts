/**
 * JSON with types: turns event payloads, metadata values and snapshots into JSON text and back,
 * so that what is decoded equals what was encoded, types included, and the text stays plain JSON
 * that other languages can read. The layout is the one of Python eventsourcing's `JSONTranscoder`.
 *
 * ## The format
 *
 * The text is JSON (RFC 8259). A value is written as follows.
 *
 * - **Plain JSON values are written as themselves**: strings, finite numbers, `true`, `false`,
 *   `null`, arrays, and plain objects (prototype `Object.prototype` or `null`), exactly as
 *   `JSON.stringify` writes them. An object property whose value is `undefined` is left out (as
 *   JSON does). `-0` is written `0` and decodes as `0`. Object members keep their order.
 * - **Every other value is a tagged object**: an object with exactly the two members `"_type_"`
 *   (a string, the transcoding's name) and `"_data_"` (any value, itself written in this format,
 *   so tags nest: a Map of Dates is a `"map"` whose pairs hold `"datetime_iso"` objects). The
 *   members may come in either order. For example `new Date(0)` is
 *   `{"_type_":"datetime_iso","_data_":"1970-01-01T00:00:00.000Z"}` and
 *   `new Map([[1n, new Set(['a'])]])` is
 *   `{"_type_":"map","_data_":[[{"_type_":"bigint_str","_data_":"1"},{"_type_":"set","_data_":["a"]}]]}`.
 * - **Built-in names**, always understood:
 *   - `"datetime_iso"` — a `Date`. Data: the ISO 8601 string of `Date.prototype.toISOString()`,
 *     `YYYY-MM-DDTHH:mm:ss.sssZ` in UTC (years outside 0000–9999 as `+YYYYYY` / `-YYYYYY`).
 *     Readers also accept an offset `±HH:MM` instead of `Z`, any number of fraction digits
 *     (JavaScript keeps milliseconds), no seconds, or a date alone; a date-time without an offset
 *     is read as UTC. (Python's `datetime.fromisoformat` reads what is written, from 3.11.)
 *   - `"bigint_str"` — a `bigint`. Data: its decimal string, `-?[0-9]+`.
 *   - `"map"` — a `Map`. Data: an array of `[key, value]` two-element arrays, in insertion order.
 *   - `"set"` — a `Set`. Data: an array of its members, in insertion order.
 *   - `"bytes_base64"` — a `Uint8Array` (a subclass such as `Buffer` is written the same and
 *     decodes as a plain `Uint8Array`). Data: standard base64 (RFC 4648 §4, `+` `/`, `=` padding).
 *   - `"url"` — a `URL`. Data: its `href`.
 *   - `"object"` — the escape. A plain object whose members are exactly `_type_` and `_data_`
 *     would read as a tagged object, so it is written `{"_type_":"object","_data_":{…}}` where the
 *     data is the object itself with its member values written in this format. A reader decodes
 *     the data's member values but never treats the data object itself as tagged.
 * - **Reading**: an object with exactly the two members `_type_` (a string) and `_data_` is tagged;
 *   its data is decoded first, then handed to the transcoding of that name. An object with any
 *   other members (more, or only one of the two, or a `_type_` that is not a string) is a plain
 *   object. An unknown name is an error. So JSON written by plain `JSON.stringify` (without such
 *   two-member objects) reads exactly as `JSON.parse` reads it.
 *
 * Only the `Date`, `Map`, `Set`, `URL` classes themselves are built in: an instance of a subclass
 * would not come back as its class, so it needs its own {@link Transcoding}. So do other classes.
 * Null-prototype objects are written as plain objects and decode as ordinary ones.
 *
 * ## Registered transcodings
 *
 * A {@link Transcoding} adds a name. It matches by class (`type`, with `instanceof`; only for
 * class instances, never plain objects or arrays) and/or by predicate (`is`, tried on every value,
 * so keep it cheap). Registered transcodings are tried in registration order before the built-in
 * ones. {@link nonFiniteNumbers} (name `"float"`, data `"NaN"`, `"Infinity"` or `"-Infinity"`) is
 * one, not registered by default.
 *
 * ## Refused
 *
 * Encoding throws a {@link ProgrammingError} naming what is encoded and the path inside it (e.g.
 * `.tags[2]`, `.owners<map value>`, `.price<money>.amount`) for: functions; symbols (as values, or
 * as own enumerable keys); cyclic references (a value met again inside itself; a value shared by
 * two branches is fine and is written twice); class instances with no transcoding; typed arrays
 * other than `Uint8Array`, `DataView`, `ArrayBuffer`; `NaN` and `±Infinity` unless a transcoding
 * takes them; invalid Dates; `undefined` at the top or in an array (use `null`); nesting so deep
 * the stack overflows; a transcoding whose `encode` throws (the error is the `cause`) or returns
 * its input.
 *
 * @module
 */
import { Buffer } from 'node:buffer';
import { ConfigurationError, ProgrammingError } from './errors.js';

/** How values of one kind are written: a `_type_` name and the conversion to and from `_data_`. */
export interface Transcoding<T = unknown> {
  /** The `_type_` tag. Must not be a built-in name (ConfigurationError). */
  readonly name: string;
  /**
   * The class whose instances it encodes (matched with `instanceof`, checked before built-ins;
   * never matches plain objects or arrays), or …
   */
  readonly type?: abstract new (
    ...args: never[]
  ) => T;
  /** … a predicate (one of `type` / `is` is required; with both, both must match). */
  readonly is?: (value: unknown) => value is T;
  /** To a value the transcoder can encode (it is transcoded recursively). */
  encode(value: T): unknown;
  /** From the decoded `_data_` back to the value. */
  decode(data: unknown): T;
}

/** A transcoding of any type: what a list of transcodings of different types holds. */
// biome-ignore lint/suspicious/noExplicitAny: each element has its own value type
export type AnyTranscoding = Transcoding<any>;

/** The `_type_` names that are always registered (and can't be used by a {@link Transcoding}). */
export const BUILT_IN_TRANSCODING_NAMES: readonly string[] = Object.freeze([
  'datetime_iso',
  'bigint_str',
  'map',
  'set',
  'bytes_base64',
  'url',
  'object',
]);

/**
 * `NaN`, `Infinity` and `-Infinity` as `{"_type_":"float","_data_":"NaN" | "Infinity" | "-Infinity"}`.
 * Not registered by default (a non-finite number is usually a bug): `new Transcoder([nonFiniteNumbers])`.
 */
export const nonFiniteNumbers: Transcoding<number> = Object.freeze({
  name: 'float',
  is: (value: unknown): value is number => typeof value === 'number' && !Number.isFinite(value),
  encode: (value: number): string =>
    Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity',
  decode(data: unknown): number {
    if (data === 'NaN') return Number.NaN;
    if (data === 'Infinity') return Number.POSITIVE_INFINITY;
    if (data === '-Infinity') return Number.NEGATIVE_INFINITY;
    throw new TypeError(`expected "NaN", "Infinity" or "-Infinity", got ${describe(data)}`);
  },
});

/** A path segment: a property key, an array index, or a label such as `<map key>`. */
type Segment = string | number | Label;

class Label {
  constructor(readonly text: string) {}
}

const MAP_KEY = new Label('<map key>');
const MAP_VALUE = new Label('<map value>');
const SET_VALUE = new Label('<set value>');

interface EncodeContext {
  readonly what: string;
  readonly path: Segment[];
  /** The objects on the current path, each with the path length where it was entered. */
  readonly ancestors: Map<object, number>;
}

interface DecodeContext {
  readonly path: Segment[];
}

type Tagged = { _type_: string; _data_: unknown };

const tagged = (name: string, data: unknown): Tagged => ({ _type_: name, _data_: data });

/** Deeper than this, the fast check gives up and the full walk (which reports cycles) runs. */
const MAX_FAST_DEPTH = 100;

const sealed = new WeakSet<Transcoder>();

/** Encodes values as JSON text in the format above, and decodes it. */
export class Transcoder {
  /** Registered transcodings, in registration order. */
  readonly #transcodings: Transcoding<unknown>[] = [];
  /** Those the fast check must try: predicate-only ones (others never match plain JSON). */
  #predicates: Transcoding<unknown>[] | undefined;
  readonly #decoders = new Map<string, (data: unknown) => unknown>(BUILT_IN_DECODERS);

  /** The built-in transcodings plus `transcodings`. @throws ConfigurationError */
  constructor(transcodings: readonly AnyTranscoding[] = []) {
    for (const transcoding of transcodings) this.register(transcoding);
  }

  /**
   * Adds a transcoding (tried after those registered before it, before the built-ins).
   * @throws ConfigurationError for a built-in or taken name, or a malformed transcoding
   * @throws ProgrammingError on {@link defaultTranscoder}
   */
  register<T>(transcoding: Transcoding<T>): this {
    if (sealed.has(this)) {
      throw new ProgrammingError(
        "defaultTranscoder is shared and can't be changed: create a new Transcoder([...yourTranscodings]) instead",
      );
    }
    const t = transcoding as Transcoding<unknown>;
    const name: unknown = t?.name;
    if (typeof name !== 'string' || name === '') {
      throw new ConfigurationError(
        `A Transcoding needs a non-empty string name, got ${describe(name)}`,
      );
    }
    if (BUILT_IN_TRANSCODING_NAMES.includes(name)) {
      throw new ConfigurationError(
        `Transcoding name '${name}' is built in (${BUILT_IN_TRANSCODING_NAMES.join(', ')}): choose another name`,
      );
    }
    if (this.#decoders.has(name)) {
      throw new ConfigurationError(`A transcoding named '${name}' is already registered`);
    }
    if (t.type === undefined && t.is === undefined) {
      throw new ConfigurationError(
        `Transcoding '${name}' needs a type (a class) or is (a predicate)`,
      );
    }
    if (t.type !== undefined && typeof t.type !== 'function') {
      throw new ConfigurationError(`Transcoding '${name}': type must be a class`);
    }
    if (t.is !== undefined && typeof t.is !== 'function') {
      throw new ConfigurationError(`Transcoding '${name}': is must be a function`);
    }
    if (typeof t.encode !== 'function' || typeof t.decode !== 'function') {
      throw new ConfigurationError(`Transcoding '${name}' needs encode and decode functions`);
    }
    this.#transcodings.push(t);
    // nonFiniteNumbers only matches non-finite numbers, which the fast check refuses anyway.
    if (t.type === undefined && t !== nonFiniteNumbers) {
      if (this.#predicates === undefined) this.#predicates = [t];
      else this.#predicates.push(t);
    }
    this.#decoders.set(name, (data) => t.decode(data));
    return this;
  }

  /**
   * JSON text of `value`. `what` names it in errors (e.g. "the payload of event 'Registered'").
   * @throws ProgrammingError
   */
  encode(value: unknown, what: string): string {
    const json = this.toJSONValue(value, what);
    try {
      return JSON.stringify(json);
    } catch (error) {
      throw error instanceof RangeError
        ? new ProgrammingError(`Can't encode ${what}: it is nested too deeply`, { cause: error })
        : new ProgrammingError(`Can't encode ${what}: ${errorMessage(error)}`, { cause: error });
    }
  }

  /**
   * The plain JSON-compatible form of `value` (what {@link encode} stringifies). When `value` is
   * already plain JSON, that is `value` itself (not a copy: don't mutate it).
   * @throws ProgrammingError
   */
  toJSONValue(value: unknown, what: string): unknown {
    // Fast path: `encode` runs once per stored event. A walk that only reads (it allocates just
    // the usually empty array of an object's symbol keys) tells whether native JSON.stringify
    // writes exactly what the transcoder writes; only when it finds something else (a transcoded
    // value, an escape, something to refuse, or depth past MAX_FAST_DEPTH) does the full walk
    // run, building a converted copy and naming the path of any refusal. Measured on
    // { name: 'Fido', tricks: ['sit'] }: ~1.4x JSON.stringify (the symbol-key check is ~0.15x).
    let plain: boolean;
    try {
      plain = isPlainJson(value, 0, this.#predicates);
    } catch {
      plain = false; // a getter or predicate threw: the full walk reports it
    }
    if (plain) return value;
    const ctx: EncodeContext = { what, path: [], ancestors: new Map() };
    try {
      return this.#convert(value, ctx);
    } catch (error) {
      if (error instanceof ProgrammingError) throw error;
      if (error instanceof RangeError) {
        throw new ProgrammingError(
          `Can't encode ${what}: it is nested too deeply (the stack overflowed ${ctx.path.length} levels down, at ${formatPath(ctx.path)})`,
          { cause: error },
        );
      }
      throw new ProgrammingError(
        `Can't encode ${what}: reading ${formatPath(ctx.path)} threw: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }

  /**
   * Parses JSON text written by {@link encode} (or plain JSON).
   * @throws Error (a `TypeError`) for an unknown `_type_` or bad data, `SyntaxError` for bad JSON
   */
  decode(text: string): unknown {
    const value: unknown = JSON.parse(text);
    // Fast path: with no `_type_` in the text (and no \u escape that could spell it), there is
    // nothing to decode and JSON.parse's result is the answer. (Searching `_type_` rather than
    // `"_type_"` is ~10x faster on long text: V8's search skips on the first character.)
    if (!text.includes('_type_') && !text.includes('\\u')) return value;
    return this.fromJSONValue(value);
  }

  /**
   * The inverse of {@link toJSONValue} on an already parsed value. `value` is not mutated; parts
   * of it with nothing to decode are shared with the result (which is `value` itself when nothing
   * is tagged).
   * @throws Error (a `TypeError`) for an unknown `_type_` or bad data
   */
  fromJSONValue(value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value;
    const ctx: DecodeContext = { path: [] };
    try {
      return this.#revive(value, ctx);
    } catch (error) {
      if (error instanceof RangeError) {
        throw new TypeError(
          `Can't decode JSON: it is nested too deeply (the stack overflowed ${ctx.path.length} levels down)`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  // --- encoding (the full walk) ---

  #convert(value: unknown, ctx: EncodeContext): unknown {
    if (typeof value === 'object' && value !== null) {
      const entered = ctx.ancestors.get(value);
      if (entered !== undefined) {
        const back = entered === 0 ? 'the top-level value' : formatPath(ctx.path.slice(0, entered));
        refuse(ctx, 'a cyclic reference', `: it refers back to ${back}, which contains it`);
      }
      ctx.ancestors.set(value, ctx.path.length);
      const result = this.#convertObject(value, ctx);
      ctx.ancestors.delete(value);
      return result;
    }
    if (this.#transcodings.length > 0) {
      const transcoding = this.#match(value, false, ctx);
      if (transcoding !== undefined) return this.#apply(transcoding, value, ctx);
    }
    switch (typeof value) {
      case 'object': // null
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        if (Number.isFinite(value)) return value === 0 ? 0 : value;
        return refuse(
          ctx,
          String(value),
          ": JSON can't represent it; store null or a string instead, or register the nonFiniteNumbers transcoding",
        );
      case 'bigint':
        return tagged('bigint_str', value.toString());
      case 'undefined':
        return refuse(
          ctx,
          typeof ctx.path.at(-1) === 'number' ? 'undefined in an array' : 'undefined',
          ': use null',
        );
      case 'symbol':
        return refuse(ctx, `a symbol (${String(value)})`, ': symbols are not data');
      default:
        return refuse(
          ctx,
          `a function${(value as { name?: unknown }).name ? ` ('${(value as { name: string }).name}')` : ''}`,
          ': functions are not data',
        );
    }
  }

  #convertObject(value: object, ctx: EncodeContext): unknown {
    const array = isPlainArray(value);
    const plain = !array && isPlainObject(value);
    if (this.#transcodings.length > 0) {
      const transcoding = this.#match(value, array || plain, ctx);
      if (transcoding !== undefined) return this.#apply(transcoding, value, ctx);
    }
    if (array) {
      const items = value as readonly unknown[];
      const out: unknown[] = [];
      for (let i = 0; i < items.length; i++) {
        ctx.path.push(i);
        out.push(this.#convert(items[i], ctx));
        ctx.path.pop();
      }
      return out;
    }
    if (plain) {
      for (const symbol of Object.getOwnPropertySymbols(value)) {
        if (Object.prototype.propertyIsEnumerable.call(value, symbol)) {
          ctx.path.push(new Label(`[${String(symbol)}]`));
          refuse(ctx, 'a symbol-keyed property', ': symbol keys are not data');
        }
      }
      const record = value as Readonly<Record<string, unknown>>;
      const out: Record<string, unknown> = {};
      let defined = 0;
      for (const key of Object.keys(record)) {
        ctx.path.push(key);
        const item = record[key];
        if (item !== undefined) {
          defined++;
          setOwn(out, key, this.#convert(item, ctx));
        }
        ctx.path.pop();
      }
      if (defined === 2 && Object.hasOwn(out, '_type_') && Object.hasOwn(out, '_data_')) {
        return tagged('object', out); // the escape
      }
      return out;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Date.prototype) {
      const date = value as Date;
      if (Number.isNaN(date.getTime())) refuse(ctx, 'an invalid Date', '');
      return tagged('datetime_iso', date.toISOString());
    }
    if (proto === Map.prototype) {
      const out: unknown[] = [];
      for (const [key, item] of value as ReadonlyMap<unknown, unknown>) {
        ctx.path.push(MAP_KEY);
        const k = this.#convert(key, ctx);
        ctx.path.pop();
        ctx.path.push(MAP_VALUE);
        const v = this.#convert(item, ctx);
        ctx.path.pop();
        out.push([k, v]);
      }
      return tagged('map', out);
    }
    if (proto === Set.prototype) {
      const out: unknown[] = [];
      ctx.path.push(SET_VALUE);
      for (const item of value as ReadonlySet<unknown>) out.push(this.#convert(item, ctx));
      ctx.path.pop();
      return tagged('set', out);
    }
    if (value instanceof Uint8Array) {
      return tagged(
        'bytes_base64',
        Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'),
      );
    }
    if (proto === URL.prototype) return tagged('url', (value as URL).href);
    const name = constructorName(proto);
    if (ArrayBuffer.isView(value)) {
      return refuse(
        ctx,
        `a ${name ?? 'typed array'}`,
        ': only Uint8Array is built in (copy it into a Uint8Array, or register a Transcoding)',
      );
    }
    if (
      value instanceof ArrayBuffer ||
      (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer)
    ) {
      return refuse(ctx, `an ${name ?? 'ArrayBuffer'}`, ': store a Uint8Array of it instead');
    }
    return refuse(
      ctx,
      name === undefined
        ? 'an object with a non-plain prototype and no transcoding'
        : `an instance of class ${name} with no transcoding`,
      `: register a Transcoding${name === undefined ? '' : ` for ${name}`}, or store a plain object`,
    );
  }

  #match(value: unknown, plain: boolean, ctx: EncodeContext): Transcoding<unknown> | undefined {
    const object = typeof value === 'object' && value !== null && !plain;
    for (const t of this.#transcodings) {
      try {
        if (t.type !== undefined && !(object && value instanceof t.type)) continue;
        if (t.is !== undefined && !t.is(value)) continue;
      } catch (error) {
        throw new ProgrammingError(
          `Can't encode ${ctx.what}: transcoding '${t.name}' threw testing the value at ${formatPath(ctx.path)}: ${errorMessage(error)}`,
          { cause: error },
        );
      }
      return t;
    }
    return undefined;
  }

  #apply(t: Transcoding<unknown>, value: unknown, ctx: EncodeContext): Tagged {
    let data: unknown;
    try {
      data = t.encode(value);
    } catch (error) {
      throw new ProgrammingError(
        `Can't encode ${ctx.what}: transcoding '${t.name}' threw encoding the value at ${formatPath(ctx.path)}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    if (Object.is(data, value)) {
      refuse(
        ctx,
        `a value that transcoding '${t.name}' encodes as itself`,
        ': encode must convert it',
      );
    }
    ctx.path.push(new Label(`<${t.name}>`));
    const converted = this.#convert(data, ctx);
    ctx.path.pop();
    return tagged(t.name, converted);
  }

  // --- decoding ---

  #revive(value: unknown, ctx: DecodeContext): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item !== 'object' || item === null) continue;
        ctx.path.push(i);
        const revived = this.#revive(item, ctx);
        ctx.path.pop();
        if (revived !== item) {
          out ??= value.slice();
          out[i] = revived;
        }
      }
      return out ?? value;
    }
    if (!isPlainObject(value)) return value;
    const record = value as Readonly<Record<string, unknown>>;
    const name = record._type_;
    if (typeof name === 'string' && isTagged(record)) {
      return this.#decodeTagged(name, record._data_, ctx);
    }
    return this.#reviveEntries(record, ctx);
  }

  #reviveEntries(
    record: Readonly<Record<string, unknown>>,
    ctx: DecodeContext,
  ): Readonly<Record<string, unknown>> {
    let out: Record<string, unknown> | undefined;
    for (const key in record) {
      const item = record[key];
      if (typeof item !== 'object' || item === null) continue;
      ctx.path.push(key);
      const revived = this.#revive(item, ctx);
      ctx.path.pop();
      if (revived !== item) {
        out ??= { ...record };
        setOwn(out, key, revived);
      }
    }
    return out ?? record;
  }

  #decodeTagged(name: string, data: unknown, ctx: DecodeContext): unknown {
    if (name === 'object') {
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        throw new TypeError(
          `Can't decode JSON: the 'object' value at ${formatPath(ctx.path)} is invalid: its _data_ must be an object, got ${describe(data)}`,
        );
      }
      return this.#reviveEntries(data as Readonly<Record<string, unknown>>, ctx);
    }
    const decoder = this.#decoders.get(name);
    if (decoder === undefined) {
      throw new TypeError(
        `Can't decode JSON: unknown _type_ '${name}' at ${formatPath(ctx.path)}: register a Transcoding named '${name}' on the Transcoder`,
      );
    }
    ctx.path.push(new Label(`<${name}>`));
    const revived = this.#revive(data, ctx);
    ctx.path.pop();
    try {
      return decoder(revived);
    } catch (error) {
      throw new TypeError(
        `Can't decode JSON: the '${name}' value at ${formatPath(ctx.path)} is invalid: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }
}

// --- the fast check ---

/**
 * True when `value` is plain JSON that native `JSON.stringify` writes exactly as the transcoder
 * does: no transcoded value, nothing to refuse, no escape, no symbol key, not too deep. Reads
 * only; `false` sends the value to the full walk (which decides, and names the path).
 */
function isPlainJson(
  value: unknown,
  depth: number,
  predicates: readonly Transcoding<unknown>[] | undefined,
): boolean {
  if (predicates !== undefined) {
    for (const t of predicates) if ((t.is as (value: unknown) => boolean)(value)) return false;
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_FAST_DEPTH) return false;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined || !isPlainJson(item, depth + 1, predicates)) return false;
        }
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      const record = value as Readonly<Record<string, unknown>>;
      let defined = 0;
      for (const key in record) {
        const item = record[key];
        if (item === undefined) continue;
        defined++;
        if (!isPlainJson(item, depth + 1, predicates)) return false;
      }
      if (defined === 2 && record._type_ !== undefined && record._data_ !== undefined) {
        return false; // may need the escape
      }
      // The one allocation (an empty array, usually): JSON would drop symbol keys silently.
      return Object.getOwnPropertySymbols(record).length === 0;
    }
    default:
      return false;
  }
}

// --- built-in decoders ---

const ISO_DATE_TIME =
  /^(?:\d{4}|[+-]\d{6})-\d{2}-\d{2}(?:(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:\d{2})?)?$/;
const DECIMAL = /^-?\d+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const BUILT_IN_DECODERS: ReadonlyMap<string, (data: unknown) => unknown> = new Map<
  string,
  (data: unknown) => unknown
>([
  [
    'datetime_iso',
    (data) => {
      const match = typeof data === 'string' ? ISO_DATE_TIME.exec(data) : null;
      if (match === null) throw new TypeError(`expected an ISO 8601 string, got ${describe(data)}`);
      // A date-time without an offset is UTC (JavaScript would read it as local time).
      const date = new Date(
        match[1] !== undefined && match[2] === undefined ? `${data}Z` : match[0],
      );
      if (Number.isNaN(date.getTime())) throw new TypeError(`invalid date ${describe(data)}`);
      return date;
    },
  ],
  [
    'bigint_str',
    (data) => {
      if (typeof data !== 'string' || !DECIMAL.test(data)) {
        throw new TypeError(`expected a decimal integer string, got ${describe(data)}`);
      }
      return BigInt(data);
    },
  ],
  [
    'map',
    (data) => {
      if (!Array.isArray(data))
        throw new TypeError(`expected an array of pairs, got ${describe(data)}`);
      const map = new Map<unknown, unknown>();
      for (const pair of data) {
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw new TypeError(`expected [key, value] pairs, got ${describe(pair)}`);
        }
        map.set(pair[0], pair[1]);
      }
      return map;
    },
  ],
  [
    'set',
    (data) => {
      if (!Array.isArray(data)) throw new TypeError(`expected an array, got ${describe(data)}`);
      return new Set(data);
    },
  ],
  [
    'bytes_base64',
    (data) => {
      if (typeof data !== 'string' || data.length % 4 !== 0 || !BASE64.test(data)) {
        throw new TypeError(`expected a padded standard base64 string, got ${describe(data)}`);
      }
      return new Uint8Array(Buffer.from(data, 'base64'));
    },
  ],
  [
    'url',
    (data) => {
      if (typeof data !== 'string')
        throw new TypeError(`expected a URL string, got ${describe(data)}`);
      return new URL(data);
    },
  ],
]);

// --- helpers ---

function isPlainArray(value: object): boolean {
  if (!Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  // An array of another realm is not an instance of this realm's Array, but a subclass is.
  return proto === Array.prototype || !Object.prototype.isPrototypeOf.call(Array.prototype, value);
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return true;
  // A plain object of another realm: its prototype is that realm's Object.prototype.
  return (
    typeof proto === 'object' &&
    Object.getPrototypeOf(proto) === null &&
    constructorName(proto) === 'Object' &&
    !(value instanceof Object)
  );
}

/** Exactly the two own members `_type_` and `_data_` (the caller checked `_type_` is a string). */
function isTagged(record: Readonly<Record<string, unknown>>): boolean {
  if (!Object.hasOwn(record, '_type_') || !Object.hasOwn(record, '_data_')) return false;
  if (record._data_ === undefined) return false;
  let count = 0;
  for (const key in record) if (Object.hasOwn(record, key) && ++count > 2) return false;
  return count === 2;
}

/** `out[key] = value`, even for the key `__proto__` (which an assignment would not create). */
function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    out[key] = value;
  }
}

function constructorName(proto: unknown): string | undefined {
  try {
    if (typeof proto !== 'object' || proto === null || !Object.hasOwn(proto, 'constructor')) {
      return undefined;
    }
    const ctor: unknown = (proto as { constructor?: unknown }).constructor;
    return typeof ctor === 'function' && ctor.name !== '' ? ctor.name : undefined;
  } catch {
    return undefined;
  }
}

function refuse(ctx: EncodeContext, found: string, hint: string): never {
  throw new ProgrammingError(
    `Can't encode ${ctx.what}: found ${found} at ${formatPath(ctx.path)}${hint}`,
  );
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function formatSegment(segment: Segment): string {
  if (typeof segment === 'number') return `[${segment}]`;
  if (typeof segment === 'string') {
    return IDENTIFIER.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
  }
  return segment.text;
}

/** `.tags[2]`, `.owners<map value>`; "the top level" for the value itself; long paths cut. */
function formatPath(path: readonly Segment[]): string {
  if (path.length === 0) return 'the top level';
  if (path.length <= 24) return path.map(formatSegment).join('');
  const head = path.slice(0, 12).map(formatSegment).join('');
  const tail = path.slice(-8).map(formatSegment).join('');
  return `${head}…(${path.length - 20} more)…${tail}`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The built-in transcodings only. Shared: registering on it throws a ProgrammingError. */
export const defaultTranscoder: Transcoder = new Transcoder();
sealed.add(defaultTranscoder);
Object.freeze(defaultTranscoder);
