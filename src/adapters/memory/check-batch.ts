/**
 * Validation of an `insertEvents` batch shared by the in-memory recorders, with the same errors
 * the KurrentDB adapter raises.
 *
 * @module
 */
import { IntegrityError, ProgrammingError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/stored-event.js';

/**
 * Checks that a non-empty batch belongs to one originator and that its versions are contiguous.
 *
 * @returns the batch's originator id
 * @throws ProgrammingError when the events belong to more than one originator
 * @throws IntegrityError when the versions have a gap or a duplicate
 */
export function checkBatch(events: readonly StoredEvent[]): string {
  const first = events[0];
  if (first === undefined) throw new ProgrammingError('Expected at least one event');
  for (const [i, event] of events.entries()) {
    if (event.originatorId !== first.originatorId) {
      throw new ProgrammingError(
        `Can't atomically store events of more than one aggregate in one call: ` +
          `'${first.originatorId}' and '${event.originatorId}'`,
      );
    }
    if (event.originatorVersion !== first.originatorVersion + i) {
      throw new IntegrityError(
        `Gap detected in originator versions of '${first.originatorId}': ` +
          `expected ${first.originatorVersion + i} at index ${i}, got ${event.originatorVersion}`,
      );
    }
  }
  return first.originatorId;
}

/** How a checked batch relates to the events already stored for its originator. */
export type AppendDecision = 'append' | 'duplicate';

/**
 * Decides whether a checked batch extends `stored` (the originator's events, `stored[v]` at
 * version `v`) or repeats events already there. A repeat is recognised, as in KurrentDB, by the
 * event ids: every event of the batch must have the id of the stored event at its version.
 *
 * @throws IntegrityError when the batch neither follows the last stored version nor repeats
 *   stored events exactly (a taken version with another event id, a gap after the end).
 */
export function decideAppend(
  stored: readonly StoredEvent[],
  events: readonly StoredEvent[],
): AppendDecision {
  const firstVersion = events[0]?.originatorVersion ?? stored.length;
  if (firstVersion === stored.length) return 'append';
  const repeats =
    Number.isInteger(firstVersion) &&
    firstVersion >= 0 &&
    firstVersion + events.length <= stored.length &&
    events.every((event, i) => stored[firstVersion + i]?.eventId === event.eventId);
  if (repeats) return 'duplicate';
  const originatorId = events[0]?.originatorId ?? '';
  throw new IntegrityError(
    `Wrong current version of '${originatorId}': the batch starts at version ${firstVersion}, ` +
      `the next version is ${stored.length}`,
  );
}

/** A defensive copy, so later changes to the caller's objects don't alter what is stored. */
export function copyEvent(event: StoredEvent): StoredEvent {
  return {
    originatorId: event.originatorId,
    originatorVersion: event.originatorVersion,
    topic: event.topic,
    state: new Uint8Array(event.state),
    metadata: structuredClone(event.metadata),
    eventId: event.eventId,
  };
}
