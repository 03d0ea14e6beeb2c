/**
 * What counts as plain JSON: the fast check that tells whether native `JSON.stringify` writes a
 * value exactly as the transcoder does (so the full walk can be skipped), and the tests for plain
 * arrays and plain objects (of this realm or another) that both walks share.
 *
 * @module
 */
import type { Transcoding } from './transcoding.js';

/** Deeper than this, the fast check gives up and the full walk (which reports cycles) runs. */
const MAX_FAST_DEPTH = 100;

/**
 * True when `value` is plain JSON that native `JSON.stringify` writes exactly as the transcoder
 * does: no transcoded value, nothing to refuse, no escape, no symbol key, not too deep. Reads
 * only; `false` sends the value to the full walk (which decides, and names the path).
 */
export function isPlainJson(
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

/** An array, but not an instance of a subclass of this realm's Array (one of another realm is). */
export function isPlainArray(value: object): boolean {
  if (!Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  // An array of another realm is not an instance of this realm's Array, but a subclass is.
  return proto === Array.prototype || !Object.prototype.isPrototypeOf.call(Array.prototype, value);
}

/** An object whose prototype is `Object.prototype` (of any realm) or `null`. */
export function isPlainObject(value: object): boolean {
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

/** The name of `proto`'s own constructor, if it has a named one (never throws). */
export function constructorName(proto: unknown): string | undefined {
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
