/**
 * The tagged object `{"_type_": name, "_data_": data}`: how every value that is not plain JSON is
 * written, and the rule that tells one apart from a plain object when reading.
 *
 * @module
 */

export type Tagged = { _type_: string; _data_: unknown };

export const tagged = (name: string, data: unknown): Tagged => ({ _type_: name, _data_: data });

/** Exactly the two own members `_type_` and `_data_` (the caller checked `_type_` is a string). */
export function isTagged(record: Readonly<Record<string, unknown>>): boolean {
  if (!Object.hasOwn(record, '_type_') || !Object.hasOwn(record, '_data_')) return false;
  if (record._data_ === undefined) return false;
  let count = 0;
  for (const key in record) if (Object.hasOwn(record, key) && ++count > 2) return false;
  return count === 2;
}
