/**
 * The built-in transcodings: the encoders of the built-in classes, `Date` (`"datetime_iso"`),
 * `Map` (`"map"`), `Set` (`"set"`), `Uint8Array` (`"bytes_base64"`) and `URL` (`"url"`), and the
 * decoders of every built-in name but `"object"`, each as the format in `transcoder.ts` describes.
 * (The transcoder itself writes a `bigint` as `"bigint_str"` and reads and writes the `"object"`
 * escape.)
 *
 * @module
 */
import { Buffer } from 'node:buffer';
import { type Tagged, tagged } from './tagged-value.js';
import {
  describe,
  type EncodeContext,
  MAP_KEY,
  MAP_VALUE,
  refuse,
  SET_VALUE,
} from './transcode-path.js';

/**
 * The tagged form of `value` (whose prototype is `proto`) when it is of a built-in class, or
 * `undefined`. `convert` encodes a member (a Map's keys and values, a Set's members) at the path
 * that `ctx` holds. @throws ProgrammingError for an invalid Date
 */
export function encodeBuiltIn(
  value: object,
  proto: unknown,
  ctx: EncodeContext,
  convert: (item: unknown) => unknown,
): Tagged | undefined {
  if (proto === Date.prototype) {
    const date = value as Date;
    if (Number.isNaN(date.getTime())) refuse(ctx, 'an invalid Date', '');
    return tagged('datetime_iso', date.toISOString());
  }
  if (proto === Map.prototype) {
    const out: unknown[] = [];
    for (const [key, item] of value as ReadonlyMap<unknown, unknown>) {
      ctx.path.push(MAP_KEY);
      const k = convert(key);
      ctx.path.pop();
      ctx.path.push(MAP_VALUE);
      const v = convert(item);
      ctx.path.pop();
      out.push([k, v]);
    }
    return tagged('map', out);
  }
  if (proto === Set.prototype) {
    const out: unknown[] = [];
    ctx.path.push(SET_VALUE);
    for (const item of value as ReadonlySet<unknown>) out.push(convert(item));
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
  return undefined;
}

const ISO_DATE_TIME =
  /^(?:\d{4}|[+-]\d{6})-\d{2}-\d{2}(?:(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:\d{2})?)?$/;
const DECIMAL = /^-?\d+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The decoder of each built-in name but `"object"`: from the decoded `_data_` to the value. */
export const BUILT_IN_DECODERS: ReadonlyMap<string, (data: unknown) => unknown> = new Map<
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
