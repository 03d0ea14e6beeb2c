/**
 * Rehydration: folding stored domain events into a machine snapshot, on a short-lived actor with
 * no inspection (so a long replay doesn't flood an inspector).
 *
 * @module
 */
import type { AnyMachineSnapshot, EventObject } from 'xstate';
import { createActor } from 'xstate';
import { DecodingError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/stored-event.js';
import { hasEnabledTransition } from './decide.js';
import type { AggregateDefinition } from './define-aggregate.js';

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
  if (events.length === 0) return snapshot;
  const actor = createActor(definition.machine, { snapshot });
  actor.subscribe({ error: () => undefined }); // a throwing transition is reported below
  actor.start();
  try {
    for (let index = 0; index < events.length; index++) {
      const event = events[index] as EventObject;
      const before = actor.getSnapshot() as AnyMachineSnapshot;
      actor.send(event);
      const after = actor.getSnapshot() as AnyMachineSnapshot;
      if (after.status === 'error' || (after === before && !hasEnabledTransition(before, event))) {
        const record = stored[index] as StoredEvent;
        throw new DecodingError(
          {
            streamName: record.originatorId,
            revision: record.originatorVersion,
            eventType: record.topic,
          },
          after.status === 'error'
            ? `applying it threw: ${(after.error as Error)?.message ?? String(after.error)}`
            : `the machine has no enabled transition for it in state ${JSON.stringify(before.value)}`,
          after.status === 'error' ? { cause: after.error } : undefined,
        );
      }
    }
    return actor.getSnapshot() as AnyMachineSnapshot;
  } finally {
    actor.stop();
  }
}
