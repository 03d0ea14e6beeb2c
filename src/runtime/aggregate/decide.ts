/**
 * The pure core of the command path: what a command emits in a state, and how domain events fold
 * into a state. Uses XState's pure `transition()`: no actions are executed, nothing is sent.
 *
 * @module
 */
import type { ActorScope, AnyMachineSnapshot, AnyStateMachine, EventObject } from 'xstate';
import { createActor } from 'xstate';
import { CommandRejectedError, ProgrammingError } from '../../core/errors.js';
import {
  describeIssues,
  type StandardSchemaV1,
  validateWithSchema,
} from '../../core/standard-schema.js';
import type { AggregateDefinition } from './define-aggregate.js';

/** An action as a pure transition reports it (`{ type, params }`; `xstate.emit` for emits). */
interface ResolvedAction {
  readonly type: string;
  readonly params?: unknown;
}

/** One inert actor scope per machine, reused by every pure transition of that machine. */
interface InertScope {
  readonly scope: ActorScope<AnyMachineSnapshot, EventObject>;
  actions: ResolvedAction[];
}
const scopes = new WeakMap<AnyStateMachine, InertScope>();

/**
 * XState's pure transition — what `transition(machine, snapshot, event)` computes, with the
 * actions it would run returned instead of executed — on an inert scope created once per machine.
 * `transition()` builds a whole actor and actor system per call, which dominated the command
 * path; aggregate machines spawn no children, so one scope can serve every call.
 */
export function pureTransition(
  machine: AnyStateMachine,
  snapshot: AnyMachineSnapshot,
  event: EventObject,
): [AnyMachineSnapshot, ResolvedAction[]] {
  let inert = scopes.get(machine);
  if (inert === undefined) {
    const self = createActor(machine);
    const created: InertScope = {
      actions: [],
      scope: {
        self,
        id: '',
        sessionId: '',
        logger: () => undefined,
        defer: () => undefined,
        emit: () => undefined,
        stopChild: () => undefined,
        system: self.system,
        actionExecutor: (action: ResolvedAction) => created.actions.push(action),
      } as unknown as ActorScope<AnyMachineSnapshot, EventObject>,
    };
    inert = created;
    scopes.set(machine, inert);
  }
  const actions: ResolvedAction[] = [];
  inert.actions = actions;
  const next = machine.transition(snapshot, event, inert.scope) as AnyMachineSnapshot;
  return [next, actions];
}

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

/**
 * The domain events `command` emits in `snapshot`, checked to be applicable in order.
 *
 * @returns the events (empty when an enabled transition emitted nothing).
 * @throws CommandRejectedError when no transition is enabled for the command (not handled in
 *   this state, or its guard is false).
 * @throws ProgrammingError when the command's transition changes context or state, emits an
 *   event the machine has no transition for, or emits one that can't be applied where it lands.
 */
export function decide(
  subject: DecisionSubject,
  snapshot: AnyMachineSnapshot,
  command: EventObject,
): EventObject[] {
  const { definition } = subject;
  let next: AnyMachineSnapshot;
  let actions: readonly ResolvedAction[];
  try {
    [next, actions] = pureTransition(definition.machine, snapshot, command);
  } catch (error) {
    throw new ProgrammingError(
      `${definition.name} '${subject.aggregateId}': deciding '${command.type}' in state ${JSON.stringify(snapshot.value)} threw: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (next.context !== snapshot.context || !sameValue(next.value, snapshot.value)) {
    throw new ProgrammingError(
      `Aggregate '${definition.name}': command transition '${command.type}' in state ${JSON.stringify(snapshot.value)} changed ${next.context !== snapshot.context ? 'context' : `state (to ${JSON.stringify(next.value)})`}. A command must only emit domain events.`,
    );
  }
  const events: EventObject[] = [];
  for (const action of actions) {
    if (action.type === 'xstate.emit') events.push((action.params as { event: EventObject }).event);
  }
  if (events.length === 0) {
    if (!hasEnabledTransition(snapshot, command)) {
      throw reject(
        subject,
        snapshot,
        command.type,
        'no enabled transition in this state (not handled here, or its guard is false)',
      );
    }
    return events;
  }
  checkApplicable(subject, snapshot, events, command.type);
  return events;
}

/**
 * True when `event` selects a transition in `snapshot` (guards evaluated), also a transition with
 * no target and no actions — which XState's `snapshot.can()` does not count.
 */
export function hasEnabledTransition(snapshot: AnyMachineSnapshot, event: EventObject): boolean {
  return (snapshot.machine.getTransitionData(snapshot, event)?.length ?? 0) > 0;
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
  for (const event of events) state = pureTransition(definition.machine, state, event)[0];
  return state;
}

function checkApplicable(
  subject: DecisionSubject,
  snapshot: AnyMachineSnapshot,
  events: readonly EventObject[],
  commandType: string,
): void {
  const { definition } = subject;
  let state = snapshot;
  events.forEach((event, index) => {
    if (!definition.eventTypes.has(event.type)) {
      throw new ProgrammingError(
        `Aggregate '${definition.name}': command '${commandType}' emitted '${event.type}', which is not a domain event of the machine (no transition applies it)`,
      );
    }
    if (!hasEnabledTransition(state, event)) {
      throw new ProgrammingError(
        `Aggregate '${definition.name}': command '${commandType}' emitted '${event.type}', which can't be applied in state ${JSON.stringify(state.value)}`,
      );
    }
    if (index < events.length - 1) state = pureTransition(definition.machine, state, event)[0];
  });
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
