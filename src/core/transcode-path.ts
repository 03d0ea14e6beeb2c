/**
 * Where the transcoder is inside a value while it walks it (a path of property keys, array
 * indices and labels such as `<map key>`), and how its error messages name that path
 * (`.tags[2]`, `.owners<map value>`) and the values they report.
 *
 * @module
 */
import { ProgrammingError } from './errors.js';

/** A path segment: a property key, an array index, or a label such as `<map key>`. */
export type Segment = string | number | Label;

/** A segment that is not a key or an index, written as its text. */
export class Label {
  constructor(readonly text: string) {}
}

export const MAP_KEY = new Label('<map key>');
export const MAP_VALUE = new Label('<map value>');
export const SET_VALUE = new Label('<set value>');

/** Where the full encoding walk is, and what it encodes (named in errors). */
export interface EncodeContext {
  readonly what: string;
  readonly path: Segment[];
  /** The objects on the current path, each with the path length where it was entered. */
  readonly ancestors: Map<object, number>;
}

/** Where the decoding walk is. */
export interface DecodeContext {
  readonly path: Segment[];
}

/** Throws the ProgrammingError that reports `found` at the current path, then `hint`. */
export function refuse(ctx: EncodeContext, found: string, hint: string): never {
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
export function formatPath(path: readonly Segment[]): string {
  if (path.length === 0) return 'the top level';
  if (path.length <= 24) return path.map(formatSegment).join('');
  const head = path.slice(0, 12).map(formatSegment).join('');
  const tail = path.slice(-8).map(formatSegment).join('');
  return `${head}…(${path.length - 20} more)…${tail}`;
}

/** A short description of a bad value, for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/** The message of a caught error (or the thrown value as a string). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
