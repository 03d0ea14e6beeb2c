/**
 * The `selectEvents` matrix of the Python package's `test_insert_and_select`, over one aggregate
 * with three events at versions 0, 1 and 2 (Python's e1, e2, e3).
 *
 * @module
 */
import type { SelectEventsOptions } from '../../core/aggregate-recorder.js';

/** One row: the options and the versions they select, in the order returned. */
export interface SelectEventsCase {
  readonly options: SelectEventsOptions;
  readonly versions: readonly number[];
}

const row = (options: SelectEventsOptions, versions: number[]): SelectEventsCase => ({
  options,
  versions,
});

/** Every row of the matrix; the label of a row is its options as JSON. */
export const SELECT_EVENTS_CASES: readonly SelectEventsCase[] = [
  // No filter, simple orders.
  row({}, [0, 1, 2]),
  row({ desc: true }, [2, 1, 0]),
  row({ limit: 1 }, [0]),
  row({ desc: true, limit: 1 }, [2]),
  row({ gt: 0 }, [1, 2]),
  // Ascending with gt, lte, limit.
  row({ gt: 0, lte: 30, limit: 0 }, []),
  row({ gt: 0, lte: 30, limit: 1 }, [1]),
  row({ gt: 0, lte: 30, limit: 2 }, [1, 2]),
  row({ gt: 0, lte: 0, limit: 10 }, []),
  row({ gt: 0, lte: 1 }, [1]),
  row({ gt: 0, lte: 2 }, [1, 2]),
  row({ gt: 1, lte: 2 }, [2]),
  row({ gt: 2, lte: 10 }, []),
  // Ascending with lte, limit.
  row({ lte: 10, limit: 1 }, [0]),
  row({ lte: 10, limit: 2 }, [0, 1]),
  row({ lte: 0 }, [0]),
  row({ lte: 1 }, [0, 1]),
  row({ lte: 10, limit: 10 }, [0, 1, 2]),
  row({ lte: 1, limit: 1 }, [0]),
  // Descending with gt, lte.
  row({ desc: true, gt: 5, lte: 10 }, []),
  row({ desc: true, gt: 2, lte: 10 }, []),
  row({ desc: true, gt: 1, lte: 10 }, [2]),
  row({ desc: true, gt: 1, lte: 1 }, []),
  row({ desc: true, gt: 0, lte: 1 }, [1]),
  // Descending with gt, lte, limit.
  row({ desc: true, gt: 0, lte: 3, limit: 1 }, [2]),
  row({ desc: true, gt: 0, lte: 2, limit: 1 }, [2]),
  row({ desc: true, gt: 0, lte: 1, limit: 1 }, [1]),
  row({ desc: true, gt: 0, lte: 3, limit: 10 }, [2, 1]),
  row({ desc: true, gt: 0, lte: 2, limit: 10 }, [2, 1]),
  row({ desc: true, gt: 0, lte: 1, limit: 10 }, [1]),
  row({ desc: true, gt: 0, lte: 3, limit: 2 }, [2, 1]),
  row({ desc: true, gt: 0, lte: 2, limit: 2 }, [2, 1]),
  // Descending with lte, limit.
  row({ desc: true, lte: 10, limit: 1 }, [2]),
  row({ desc: true, lte: 2, limit: 1 }, [2]),
  row({ desc: true, lte: 1, limit: 1 }, [1]),
  row({ desc: true, lte: 1, limit: 10 }, [1, 0]),
  row({ desc: true, lte: 0 }, [0]),
  // Descending with gt (and limit).
  row({ desc: true, gt: 10 }, []),
  row({ desc: true, gt: 1 }, [2]),
  row({ desc: true, gt: 0 }, [2, 1]),
  row({ desc: true, gt: 10, limit: 10 }, []),
  row({ desc: true, gt: 1, limit: 10 }, [2]),
  row({ desc: true, gt: 0, limit: 10 }, [2, 1]),
  row({ desc: true, gt: 0, limit: 1 }, [2]),
  row({ desc: true, gt: 1, limit: 1 }, [2]),
  row({ desc: true, gt: 0, limit: 2 }, [2, 1]),
];

/** Options that must select nothing from an aggregate that was never written. */
export const UNKNOWN_AGGREGATE_CASES: readonly SelectEventsOptions[] = [
  {},
  { desc: true },
  { desc: true, lte: 10 },
  { desc: true, lte: 10, limit: 1 },
  { desc: true, gt: 1 },
  { desc: true, gt: 1, limit: 10 },
  { gt: 0, lte: 10 },
];
