/**
 * What a `Transcoder` can be extended with: a {@link Transcoding} adds a `_type_` name and
 * the conversion of one kind of value to and from its `_data_`. Also the built-in names (which a
 * Transcoding can't take) and {@link nonFiniteNumbers}, the one ready-made Transcoding.
 *
 * @module
 */
import { describe } from './transcode-path.js';

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
