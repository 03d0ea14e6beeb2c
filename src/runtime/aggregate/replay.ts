/**
 * Rehydration: folding stored domain events into a machine snapshot with XState's pure
 * transition — no actor, no inspection (so a long replay doesn't flood an inspector), and no
 * actions but `assign`s and targets (domain-event transitions are pure).
 *
 * @module
 */
import type { AnyMachineSnapshot, EventObject } from 'xstate';
import { DecodingError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/stored-event.js';
import type { AggregateDefinition } from './define-aggregate.js';
import { whereOf } from './event-codec.js';
import { foldEvents } from './pure-transition.js';

/**
 * Folds `events` (decoded from `stored`, same order) into `snapshot`.
 *
 * @throws DecodingError naming the stream, revision and type of the first event the machine
 *   can't apply in the state it meets (no enabled transition, or its transition threw).
 */
export function replay(
  definition: AggregateDefinition,
  snapshot: AnyMachineSnapshot,
  events: readonly EventObject[],
  stored: readonly StoredEvent[],
): AnyMachineSnapshot {
  const fold = foldEvents(definition.machine, snapshot, events);
  if (fold.ok) return fold.snapshot;
  const { thrown } = fold;
  throw new DecodingError(
    whereOf(stored[fold.index] as StoredEvent),
    thrown !== undefined
      ? `applying it threw: ${(thrown.error as Error)?.message ?? String(thrown.error)}`
      : `the machine has no enabled transition for it in state ${JSON.stringify(fold.state.value)}`,
    thrown !== undefined ? { cause: thrown.error } : undefined,
  );
}
