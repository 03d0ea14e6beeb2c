/**
 * The signed 64-bit range of the wire's revisions and positions (a node's `long`), and their
 * conversion to the numbers the in-memory log uses.
 *
 * @module
 */

/** `long.MaxValue`: the largest revision or position a node can represent. */
export const INT64_MAX = 9_223_372_036_854_775_807n;

/** Whether any of `values` (a revision, or a position's commit and prepare) exceeds {@link INT64_MAX}. */
export function exceedsInt64(...values: readonly bigint[]): boolean {
  return values.some((value) => value > INT64_MAX);
}

/** `value` as a number, saturated at `Number.MAX_SAFE_INTEGER` (beyond any revision or position of the log). */
export function saturatedNumber(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}
