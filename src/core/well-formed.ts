/**
 * Checks of the strings the library turns into names: stream names, ids, event types.
 *
 * @module
 */

/** `String.prototype.isWellFormed` (Node 20+; not yet in the ES2022 lib typings). */
interface WellFormedString {
  isWellFormed(): boolean;
}

/**
 * True for a string with no lone UTF-16 surrogates (`String.prototype.isWellFormed`). Two
 * strings that differ only in lone surrogates become the same UTF-8 bytes, so they can't name two
 * different things in a store.
 */
export function isWellFormed(text: string): boolean {
  return (text as unknown as WellFormedString).isWellFormed();
}

/**
 * Why `value` is not a non-empty, well-formed string, or `undefined` when it is one. For error
 * messages: `"is a number (42)"`, `"is empty"`, `"contains a lone UTF-16 surrogate"`.
 */
export function notANameBecause(value: unknown): string | undefined {
  if (typeof value !== 'string') return `is ${describeValue(value)}, not a string`;
  if (value.length === 0) return 'is empty';
  if (!isWellFormed(value)) return 'contains a lone UTF-16 surrogate';
  return undefined;
}

/** A short description of any value for error messages: `a number (42)`, `null`, `an object`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'string':
      return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
    case 'number':
    case 'boolean':
      return `a ${typeof value} (${String(value)})`;
    case 'bigint':
      return `a bigint (${value}n)`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default: {
      if (Array.isArray(value)) return 'an array';
      const prototype = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
      const name = prototype?.constructor?.name;
      return typeof name !== 'string' || name === 'Object' ? 'an object' : `an instance of ${name}`;
    }
  }
}
