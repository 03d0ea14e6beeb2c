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
import { BUILT_IN_DECODERS, encodeBuiltIn } from './built-in-transcodings.js';
import { ConfigurationError, ProgrammingError } from './errors.js';
import { constructorName, isPlainArray, isPlainJson, isPlainObject } from './plain-json.js';
import { isTagged, type Tagged, tagged } from './tagged-value.js';
import {
  type DecodeContext,
  describe,
  type EncodeContext,
  errorMessage,
  formatPath,
  Label,
  refuse,
} from './transcode-path.js';
import {
  type AnyTranscoding,
  BUILT_IN_TRANSCODING_NAMES,
  nonFiniteNumbers,
  type Transcoding,
} from './transcoding.js';

export {
  type AnyTranscoding,
  BUILT_IN_TRANSCODING_NAMES,
  nonFiniteNumbers,
  type Transcoding,
} from './transcoding.js';

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
    const builtIn = encodeBuiltIn(value, proto, ctx, (item) => this.#convert(item, ctx));
    if (builtIn !== undefined) return builtIn;
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

/** The built-in transcodings only. Shared: registering on it throws a ProgrammingError. */
export const defaultTranscoder: Transcoder = new Transcoder();
sealed.add(defaultTranscoder);
Object.freeze(defaultTranscoder);
