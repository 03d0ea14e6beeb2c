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
import { pureTransition } from './pure-transition.js';

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
  let state = snapshot;
  for (let index = 0; index < events.length; index++) {
    const event = events[index] as EventObject;
    let next = state;
    let enabled = false;
    let failure: unknown;
    try {
      ({ snapshot: next, enabled } = pureTransition(definition.machine, state, event));
      if (next.status === 'error') failure = next.error;
    } catch (error) {
      failure = error ?? new Error('the transition threw');
    }
    if (failure !== undefined || !enabled) {
      const record = stored[index] as StoredEvent;
      throw new DecodingError(
        {
          streamName: record.originatorId,
          revision: record.originatorVersion,
          eventType: record.topic,
        },
        failure !== undefined
          ? `applying it threw: ${(failure as Error)?.message ?? String(failure)}`
          : `the machine has no enabled transition for it in state ${JSON.stringify(state.value)}`,
        failure !== undefined ? { cause: failure } : undefined,
      );
    }
    state = next;
  }
  return state;
}
