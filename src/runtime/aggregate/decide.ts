/**
 * The pure core of the command path: what a command emits in a state, and how domain events fold
 * into a state. Uses XState's pure `transition()`: no actions are executed, nothing is sent.
 *
 * @module
 */
import type { AnyMachineSnapshot, EventObject } from 'xstate';
import { CommandRejectedError, ProgrammingError } from '../../core/errors.js';
import {
  describeIssues,
  type StandardSchemaV1,
  validateWithSchema,
} from '../../core/standard-schema.js';
import type { AggregateDefinition } from './define-aggregate.js';
import { foldEvents, pureTransition, type Step } from './pure-transition.js';

/** The aggregate a decision is about, for error messages. */
export interface DecisionSubject {
  readonly definition: AggregateDefinition;
  readonly aggregateId: string;
}

/**
 * Validates a command's type and payload (by its schema, if any).
 *
 * @returns the command to decide on: the schema's output (coerced/defaulted) with its type.
 * @throws CommandRejectedError for a domain event type, an unknown type or a failing payload.
 */
export function validateCommand(
  subject: DecisionSubject,
  snapshot: AnyMachineSnapshot,
  command: EventObject,
): EventObject | Promise<EventObject> {
  const { definition } = subject;
  const type = command?.type;
  if (typeof type !== 'string') {
    throw reject(subject, snapshot, String(type), 'a command must be an object with a string type');
  }
  if (definition.eventTypes.has(type)) {
    throw reject(
      subject,
      snapshot,
      type,
      `'${type}' is a domain event; only commands can be executed (domain events are applied by the runtime)`,
    );
  }
  if (!definition.commandTypes.has(type)) {
    throw reject(
      subject,
      snapshot,
      type,
      `unknown command (known: ${[...definition.commandTypes].join(', ')})`,
    );
  }
  const schema = definition.schemas[type];
  if (schema === undefined) return command;
  const { type: _type, ...payload } = command;
  const outcome = validateWithSchema(schema, payload, (error) =>
    schemaThrew(definition, `command '${type}'`, error),
  );
  const accept = (o: Awaited<typeof outcome>): EventObject => {
    if (!o.ok) {
      throw reject(
        subject,
        snapshot,
        type,
        `payload fails its schema: ${describeIssues(o.issues)}`,
        o.issues,
      );
    }
    return { ...(o.value as object), type };
  };
  return outcome instanceof Promise ? outcome.then(accept) : accept(outcome);
}

/**
 * The domain events `command` emits in `snapshot` (not yet applied: see {@link applyEmitted}).
 *
 * @throws CommandRejectedError when no transition is enabled for the command (not handled in
 *   this state, or its guard is false).
 * @throws ProgrammingError when the command's transition changes context or state, or emits an
 *   event that is not one of the machine's domain events.
 */
export function decide(
  subject: DecisionSubject,
  snapshot: AnyMachineSnapshot,
  command: EventObject,
): EventObject[] {
  const { definition } = subject;
  let step: Step;
  try {
    step = pureTransition(definition.machine, snapshot, command);
  } catch (error) {
    throw new ProgrammingError(
      `${definition.name} '${subject.aggregateId}': deciding '${command.type}' in state ${JSON.stringify(snapshot.value)} threw: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const next = step.snapshot;
  if (next.context !== snapshot.context || !sameValue(next.value, snapshot.value)) {
    throw new ProgrammingError(
      `Aggregate '${definition.name}': command transition '${command.type}' in state ${JSON.stringify(snapshot.value)} changed ${next.context !== snapshot.context ? 'context' : `state (to ${JSON.stringify(next.value)})`}. A command must only emit domain events.`,
    );
  }
  const events: EventObject[] = [];
  for (const action of step.actions) {
    if (action.type === 'xstate.emit') events.push((action.params as { event: EventObject }).event);
  }
  if (events.length === 0 && !step.enabled) {
    throw reject(
      subject,
      snapshot,
      command.type,
      'no enabled transition in this state (not handled here, or its guard is false)',
    );
  }
  for (const event of events) {
    if (!definition.eventTypes.has(event?.type)) {
      throw new ProgrammingError(
        `Aggregate '${definition.name}': command '${command.type}' emitted '${String(event?.type)}', which is not a domain event of the machine (no transition applies it)`,
      );
    }
  }
  return events;
}

/** Folds domain events into a snapshot (pure). */
export function evolve(
  definition: AggregateDefinition,
  snapshot: AnyMachineSnapshot,
  events: readonly EventObject[],
): AnyMachineSnapshot {
  let state = snapshot;
  for (const event of events) state = pureTransition(definition.machine, state, event).snapshot;
  return state;
}

/**
 * Applies the events a command emitted (as decoded from what is stored) to the state it was
 * decided in: the state the live aggregate takes once they are stored.
 *
 * @throws ProgrammingError when one can't be applied where it lands (no enabled transition, or
 *   its transition threw): nothing is stored then.
 */
export function applyEmitted(
  subject: DecisionSubject,
  snapshot: AnyMachineSnapshot,
  events: readonly EventObject[],
  commandType: string,
): AnyMachineSnapshot {
  const { definition } = subject;
  const fold = foldEvents(definition.machine, snapshot, events);
  if (fold.ok) return fold.snapshot;
  const event = events[fold.index] as EventObject;
  const emitted = `Aggregate '${definition.name}': command '${commandType}' emitted '${event.type}'`;
  const where = `in state ${JSON.stringify(fold.state.value)}`;
  const { thrown } = fold;
  if (thrown === undefined) {
    throw new ProgrammingError(`${emitted}, which can't be applied ${where}`);
  }
  throw new ProgrammingError(
    `${emitted}, and applying it ${where} threw: ${(thrown.error as Error)?.message ?? String(thrown.error)}`,
    { cause: thrown.error },
  );
}

function schemaThrew(definition: AggregateDefinition, what: string, error: unknown): Error {
  return new ProgrammingError(
    `Aggregate '${definition.name}': the schema of ${what} threw instead of answering: ${(error as Error)?.message ?? String(error)}`,
    { cause: error },
  );
}

function reject(
  subject: DecisionSubject,
  snapshot: AnyMachineSnapshot,
  command: string,
  reason: string,
  issues?: readonly StandardSchemaV1.Issue[],
): CommandRejectedError {
  return new CommandRejectedError({
    aggregateName: subject.definition.name,
    aggregateId: subject.aggregateId,
    state: snapshot.value,
    command,
    reason,
    ...(issues === undefined ? {} : { issues }),
  });
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
