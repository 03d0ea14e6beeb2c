/**
 * The `selectEvents` filter of the in-memory recorders.
 *
 * @module
 */
import type { SelectEventsOptions } from '../../core/aggregate-recorder.js';
import type { StoredEvent } from '../../core/stored-event.js';

/**
 * The events (in ascending version order) from index `visibleFrom` on (the ones before it are
 * hidden by a soft delete; `Infinity` hides all) with `gt < version ≤ lte`, newest first when
 * `desc`, at most `limit` of them.
 */
export function selectByVersion<T extends StoredEvent>(
  events: readonly T[],
  options: SelectEventsOptions = {},
  visibleFrom = 0,
): T[] {
  const { gt, lte, desc = false, limit } = options;
  const selected: T[] = [];
  for (let index = visibleFrom; index < events.length; index++) {
    const event = events[index] as T;
    if (
      (gt === undefined || event.originatorVersion > gt) &&
      (lte === undefined || event.originatorVersion <= lte)
    ) {
      selected.push(event);
    }
  }
  if (desc) selected.reverse();
  return limit === undefined ? selected : selected.slice(0, Math.max(0, limit));
}
