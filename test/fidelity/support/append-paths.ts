/**
 * The two wire paths of `appendToStream`: BatchAppend (default when the server advertises
 * it) and Append (forced by per-call credentials).
 *
 * @module
 */
import type { AppendToStreamOptions } from '@kurrent/kurrentdb-client';
import { APPEND_CREDENTIALS } from './client.js';

/** One append path and the options that select it. */
export interface AppendPath {
  readonly name: 'BatchAppend' | 'Append';
  readonly options: AppendToStreamOptions;
}

/** Both append paths, for `describe.each`. */
export const APPEND_PATHS: readonly AppendPath[] = [
  { name: 'BatchAppend', options: {} },
  { name: 'Append', options: { credentials: APPEND_CREDENTIALS } },
];
