/**
 * A decision made ready to store: the emitted events encoded, then decoded again, so that the
 * live aggregate applies exactly what a replay will apply (a `Date` stays a `Date` either way,
 * `-0` is `0` either way, a schema's output is the event either way). Encoding also refuses,
 * before anything is stored, a value the transcoder can't represent.
 *
 * @module
 */
import type { AnyMachineSnapshot, EventObject } from 'xstate';
import { DecodingError, ProgrammingError } from '../../core/errors.js';
import type { EventMetadata, StoredEvent } from '../../core/stored-event.js';
import type { Transcoder } from '../../core/transcoder.js';
import { applyEmitted, type DecisionSubject } from './decide.js';
import { decodeEvent, encodeEvents } from './event-codec.js';

/** Where and how a decision's events are stored. */
export interface DecisionPlacement {
  readonly streamName: string;
  /** The version of the first event (the aggregate's version + 1). */
  readonly firstVersion: number;
  readonly eventIds: readonly string[];
  readonly metadata: EventMetadata;
}

/** A decision ready to store and apply. */
export interface RecordedDecision {
  /** What is stored. */
  readonly stored: StoredEvent[];
  /** The domain events as a replay decodes them from `stored`: what the live aggregate applies. */
  readonly events: EventObject[];
  /** The state `events` lead to from the state decided on. */
  readonly evolved: AnyMachineSnapshot;
}

/**
 * Encodes `emitted`, decodes it back and applies it to `snapshot`.
 *
 * @throws ProgrammingError when an event holds a value that can't be stored, fails its schema,
 *   or can't be applied where it lands: nothing is stored then.
 */
export function recordDecision(
  subject: DecisionSubject,
  transcoder: Transcoder,
  snapshot: AnyMachineSnapshot,
  commandType: string,
  emitted: readonly EventObject[],
  placement: DecisionPlacement,
): RecordedDecision | Promise<RecordedDecision> {
  const { definition } = subject;
  const stored = encodeEvents(
    definition,
    transcoder,
    placement.streamName,
    placement.firstVersion,
    emitted,
    placement.eventIds,
    placement.metadata,
  );
  const failed = (error: unknown): never => {
    if (!(error instanceof DecodingError)) throw error;
    throw new ProgrammingError(
      `Aggregate '${definition.name}': command '${commandType}' emitted '${error.eventType.slice(definition.name.length + 1)}', which would not read back: ${error.reason}`,
      { cause: error },
    );
  };
  const finish = (events: EventObject[]): RecordedDecision => ({
    stored,
    events,
    evolved: applyEmitted(subject, snapshot, events, commandType),
  });
  const decoded: (EventObject | Promise<EventObject>)[] = [];
  let pending = false;
  try {
    for (const record of stored) {
      const event = decodeEvent(definition, record, transcoder);
      if (event instanceof Promise) pending = true;
      decoded.push(event);
    }
  } catch (error) {
    failed(error);
  }
  return pending ? Promise.all(decoded).then(finish, failed) : finish(decoded as EventObject[]);
}
