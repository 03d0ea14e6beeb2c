/**
 * The `selectEvents` filter of the in-memory recorders.
 *
 * @module
 */
import type { SelectEventsOptions } from '../../core/aggregate-recorder.js';
import type { StoredEvent } from '../../core/stored-event.js';

/**
 * The events (in ascending version order) with `gt < version ≤ lte`, newest first when `desc`,
 * at most `limit` of them.
 */
export function selectByVersion<T extends StoredEvent>(
  events: readonly T[],
  options: SelectEventsOptions = {},
): T[] {
  const { gt, lte, desc = false, limit } = options;
  const selected = events.filter(
    (e) =>
      (gt === undefined || e.originatorVersion > gt) &&
      (lte === undefined || e.originatorVersion <= lte),
  );
  if (desc) selected.reverse();
  return limit === undefined ? selected : selected.slice(0, Math.max(0, limit));
}
