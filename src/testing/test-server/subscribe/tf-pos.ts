/**
 * A node's `TFPos`: a `(commit, prepare)` pair compared commit first. Subscriptions keep their
 * checkpoints in this form; `(-1, -1)` is "before the start of the log".
 *
 * @module
 */

/** A transaction-file position. */
export interface TfPos {
  readonly commit: number;
  readonly prepare: number;
}

/** `TFPos.HeadOfTf`: nothing delivered yet. */
export const HEAD_OF_TF: TfPos = { commit: -1, prepare: -1 };

/** `TFPos.FirstRecordOfTf`. */
export const FIRST_RECORD_OF_TF: TfPos = { commit: 0, prepare: 0 };

/** The position of an event record (`commit == prepare`). */
export function eventTfPos(position: number): TfPos {
  return { commit: position, prepare: position };
}

/** Negative, zero or positive as `a` is before, at or after `b`. */
export function compareTfPos(a: TfPos, b: TfPos): number {
  return a.commit !== b.commit ? a.commit - b.commit : a.prepare - b.prepare;
}

/** True for the head-of-log marker. */
export function isHeadOfTf(pos: TfPos): boolean {
  return pos.commit === -1 && pos.prepare === -1;
}
