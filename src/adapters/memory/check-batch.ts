/**
 * How the in-memory recorders keep an aggregate's events: as KurrentDB keeps a stream, with its
 * expected-revision rules, its idempotent repeats and its soft delete (protocol doc §4.1, §4.2,
 * §4.5). The batch itself is checked first by `checkStoredEvents`.
 *
 * @module
 */
import { IntegrityError } from '../../core/errors.js';
import type { EventMetadata, StoredEvent } from '../../core/stored-event.js';

/** An aggregate's events in memory. */
export interface MemoryStream<T extends StoredEvent> {
  /**
   * Every event appended, `events[v]` at version `v`, soft-deleted ones included: as in
   * KurrentDB their ids still make a repeated batch idempotent, and the numbering goes on.
   */
  readonly events: T[];
  /**
   * Versions below this are hidden by a soft delete (KurrentDB's `$tb`): 0 when never deleted,
   * `Infinity` while deleted, the first version written after the delete once written again.
   */
  visibleFrom: number;
}

/** A new, empty stream. */
export const newStream = <T extends StoredEvent>(): MemoryStream<T> => ({
  events: [],
  visibleFrom: 0,
});

/** How a checked batch relates to its stream: the versions it gets, or already has. */
export interface AppendDecision {
  /** `'append'`: store the batch; `'repeat'`: the same events (ids) are stored already. */
  readonly kind: 'append' | 'repeat';
  /**
   * The version of the batch's first event in the stream. The batch's own, except when a batch
   * starting at 0 continues a soft-deleted stream after its last version.
   */
  readonly from: number;
}

/**
 * Decides what happens to a checked, non-empty batch, as KurrentDB does for the expected
 * revision `first version − 1` (`no_stream` for version 0), `current` being the stream's last
 * version (-1 for none):
 *
 * - expected = current: append (also on a soft-deleted stream, which it undeletes);
 * - expected < current: a repeat if every event has the id of the stored event at its version;
 *   otherwise, for version 0 on a soft-deleted stream, append after the last version;
 * - anything else: `IntegrityError`.
 *
 * @throws IntegrityError for a version taken by another event, a partial repeat, or a gap after
 *   the end.
 */
export function decideAppend(
  stream: MemoryStream<StoredEvent> | undefined,
  events: readonly StoredEvent[],
): AppendDecision {
  const stored = stream?.events ?? [];
  const current = stored.length - 1;
  const firstVersion = events[0]?.originatorVersion ?? stored.length;
  const expected = firstVersion - 1;
  if (expected === current) return { kind: 'append', from: stored.length };
  if (expected < current) {
    if (events.every((event, i) => stored[firstVersion + i]?.eventId === event.eventId)) {
      return { kind: 'repeat', from: firstVersion };
    }
    const firstRepeats = stored[firstVersion]?.eventId === events[0]?.eventId;
    if (!firstRepeats && firstVersion === 0 && isDeleted(stream)) {
      return { kind: 'append', from: stored.length };
    }
  }
  const originatorId = events[0]?.originatorId ?? '';
  throw new IntegrityError(
    `Wrong current version of '${originatorId}': the batch starts at version ${firstVersion}, the next version is ${stored.length}`,
  );
}

/**
 * Stores `copies` (the batch's events at their decided versions) and undeletes the stream when
 * it was soft-deleted: the versions before the new ones stay hidden.
 */
export function appendTo<T extends StoredEvent>(
  stream: MemoryStream<T>,
  copies: readonly T[],
): void {
  if (isDeleted(stream)) stream.visibleFrom = stream.events.length;
  for (const copy of copies) stream.events.push(copy); // no spread: batches may be huge
}

/**
 * Soft-deletes the stream's events, as KurrentDB's `deleteStream` (expected revision any) does:
 * reads show none of them; the numbering goes on. Deleting again is allowed.
 *
 * @throws IntegrityError when the stream never had an event (KurrentDB: wrong expected version).
 */
export function softDelete(
  stream: MemoryStream<StoredEvent> | undefined,
  originatorId: string,
): void {
  if (stream === undefined || stream.events.length === 0) {
    throw new IntegrityError(
      `Can't delete the events of '${originatorId}': it has none (KurrentDB: wrong expected version, the stream does not exist)`,
    );
  }
  stream.visibleFrom = Number.POSITIVE_INFINITY;
}

function isDeleted(stream: MemoryStream<StoredEvent> | undefined): boolean {
  return stream?.visibleFrom === Number.POSITIVE_INFINITY;
}

/**
 * A defensive copy at `version`, so later changes to the caller's objects don't alter what is
 * stored. The metadata is copied as JSON would copy it: `undefined` properties are dropped.
 */
export function copyEvent(event: StoredEvent, version = event.originatorVersion): StoredEvent {
  return {
    originatorId: event.originatorId,
    originatorVersion: version,
    topic: event.topic,
    state: new Uint8Array(event.state),
    metadata: copyJson(event.metadata) as EventMetadata,
    eventId: event.eventId,
  };
}

/** A deep copy of a value that `checkStoredEvents` found to be plain JSON. */
function copyJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const copy: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    if (item === undefined) continue;
    // An own "__proto__" key (JSON.parse makes them) must stay a key, not set the prototype.
    if (key === '__proto__') {
      Object.defineProperty(copy, key, {
        value: copyJson(item),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else copy[key] = copyJson(item);
  }
  return copy;
}
