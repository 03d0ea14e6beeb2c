/**
 * Turns `selectEvents` options into one stream read (the Python package's algorithm, §1.6 of the
 * anchor): stream revisions are the originator versions, so `gt`, `lte` and `limit` become a start
 * revision, a direction and a count.
 *
 * @module
 */
import type { SelectEventsOptions } from '../../core/aggregate-recorder.js';

/** One stream read. */
export interface StreamReadPlan {
  /** Newest first. */
  readonly backwards: boolean;
  /**
   * First revision to read (inclusive in both directions), or `'end'` for the newest. Always
   * explicit: the client's Rust bridge picks the direction from a named start (Appendix 1).
   */
  readonly from: bigint | 'end';
  /** At most this many events. */
  readonly maxCount: number;
  /** Drop events at or below this revision (a descending read may reach below `gt`). */
  readonly above: number | undefined;
}

/**
 * The read for `options`, or `undefined` when the answer is empty without reading.
 *
 * @param lastRevision the stream's newest revision (`undefined` when it has no events); called only
 *   for a descending read with `gt` and without `lte`.
 */
export async function planStreamRead(
  options: SelectEventsOptions,
  lastRevision: () => Promise<number | undefined>,
): Promise<StreamReadPlan | undefined> {
  const gt = options.gt !== undefined && options.gt >= 0 ? options.gt : undefined;
  const { lte } = options;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (limit <= 0) return undefined;

  if (!options.desc) {
    const from = gt === undefined ? 0 : gt + 1;
    const cap = lte === undefined ? Number.POSITIVE_INFINITY : lte - from + 1;
    const count = Math.min(limit, Math.max(cap, 0));
    if (count === 0) return undefined;
    return { backwards: false, from: BigInt(from), maxCount: toMaxCount(count), above: undefined };
  }

  if (lte !== undefined && lte < 0) return undefined;
  let cap = Number.POSITIVE_INFINITY;
  if (gt !== undefined) {
    const top = lte ?? (await lastRevision());
    if (top === undefined) return undefined;
    cap = top - gt;
  }
  const count = Math.min(limit, Math.max(cap, 0));
  if (count === 0) return undefined;
  return {
    backwards: true,
    from: lte === undefined ? 'end' : BigInt(lte),
    maxCount: toMaxCount(count),
    above: gt,
  };
}

function toMaxCount(count: number): number {
  return Number.isFinite(count) ? count : Number.MAX_SAFE_INTEGER;
}
