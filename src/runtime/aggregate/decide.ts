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
  const outcome = validateWithSchema(schema, payload);
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

/** What a command decided: its domain events, and the state they lead to. */
export interface Decision {
  /** The emitted domain events (empty when an enabled transition emitted nothing). */
  readonly events: EventObject[];
  /** The snapshot after applying `events` to the one decided on (that one when none). */
  readonly evolved: AnyMachineSnapshot;
}

/**
 * The domain events `command` emits in `snapshot`, applied in order to check they can be (so a
 * command never stores an event its own machine can't apply).
 *
 * @throws CommandRejectedError when no transition is enabled for the command (not handled in
 *   this state, or its guard is false).
 * @throws ProgrammingError when the command's transition changes context or state, emits an
 *   event the machine has no transition for, or emits one that can't be applied where it lands.
 */
export function decide(
  subject: DecisionSubject,
  snapshot: AnyMachineSnapshot,
  command: EventObject,
): Decision {
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
  return { events, evolved: applyEmitted(subject, snapshot, events, command.type) };
}

/**
 * Emitted domain events must satisfy their schemas: a failing one is a bug in the machine.
 *
 * @throws ProgrammingError naming the command, the event and the issues.
 */
export function checkEmittedSchemas(
  definition: AggregateDefinition,
  commandType: string,
  events: readonly EventObject[],
): Promise<void> | undefined {
  if (!events.some((event) => definition.schemas[event.type] !== undefined)) return undefined;
  return checkSchemas(definition, commandType, events);
}

async function checkSchemas(
  definition: AggregateDefinition,
  commandType: string,
  events: readonly EventObject[],
): Promise<void> {
  for (const event of events) {
    const schema = definition.schemas[event.type];
    if (schema === undefined) continue;
    const { type: _type, ...payload } = event;
    const outcome = await validateWithSchema(schema, payload);
    if (!outcome.ok) {
      throw new ProgrammingError(
        `Aggregate '${definition.name}': command '${commandType}' emitted '${event.type}' failing its schema: ${describeIssues(outcome.issues)}`,
      );
    }
  }
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

function applyEmitted(
  subject: DecisionSubject,
  snapshot: AnyMachineSnapshot,
  events: readonly EventObject[],
  commandType: string,
): AnyMachineSnapshot {
  const { definition } = subject;
  const emitted = (event: EventObject) =>
    `Aggregate '${definition.name}': command '${commandType}' emitted '${event.type}'`;
  for (const event of events) {
    if (!definition.eventTypes.has(event.type)) {
      throw new ProgrammingError(
        `${emitted(event)}, which is not a domain event of the machine (no transition applies it)`,
      );
    }
  }
  const fold = foldEvents(definition.machine, snapshot, events);
  if (fold.ok) return fold.snapshot;
  const event = events[fold.index] as EventObject;
  const where = `in state ${JSON.stringify(fold.state.value)}`;
  const { thrown } = fold;
  if (thrown === undefined) {
    throw new ProgrammingError(`${emitted(event)}, which can't be applied ${where}`);
  }
  throw new ProgrammingError(
    `${emitted(event)}, and applying it ${where} threw: ${(thrown.error as Error)?.message ?? String(thrown.error)}`,
    { cause: thrown.error },
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
