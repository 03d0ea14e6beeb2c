/**
 * Reads an XState machine's transitions to tell commands from domain events, and refuses command
 * transitions that would change the aggregate. Runs once, when an aggregate is defined.
 *
 * - A **command** transition decides: its actions `emit` domain events (directly, through
 *   `enqueueActions`, or through a named action that resolves to one of them) and it neither
 *   targets a state nor assigns context.
 * - A **domain event** transition evolves: it assigns context and/or targets a state, and emits
 *   nothing.
 *
 * @module
 */
import type { AnyStateMachine } from 'xstate';
import { ProgrammingError } from '../../core/errors.js';

/** What the analysis found. */
export interface MachineAnalysis {
  /** Event types whose transitions decide (emit). */
  readonly commandTypes: ReadonlySet<string>;
  /** Event types whose transitions evolve (update context/state). */
  readonly eventTypes: ReadonlySet<string>;
}

interface StateNodeLike {
  readonly id: string;
  readonly states: Readonly<Record<string, StateNodeLike>>;
  readonly transitions: ReadonlyMap<string, readonly TransitionLike[]>;
}

interface TransitionLike {
  readonly target: readonly unknown[] | undefined;
  readonly actions: readonly unknown[];
}

type ActionKind = 'emit' | 'maybe-emit' | 'assign' | 'other';

/**
 * Classifies every transition of `machine`.
 *
 * @param declaredEvents domain event types given explicitly (`events` of `defineAggregate`);
 *   when given they win over the inference from actions.
 * @throws ProgrammingError naming the aggregate, state and transition when a command transition
 *   also targets a state or assigns context, or an event type is a command in one state and a
 *   domain event in another.
 */
export function analyseMachine(
  aggregateName: string,
  machine: AnyStateMachine,
  declaredEvents?: readonly string[],
): MachineAnalysis {
  const declared = declaredEvents === undefined ? undefined : new Set(declaredEvents);
  const commandTypes = new Set<string>();
  const eventTypes = new Set<string>();
  const implementations = (machine.implementations?.actions ?? {}) as Record<string, unknown>;
  const kindOf = (action: unknown): ActionKind => actionKind(action, implementations);

  for (const node of walk(machine.root as unknown as StateNodeLike)) {
    for (const [eventType, transitions] of node.transitions) {
      if (eventType.startsWith('xstate.') || eventType === '*') continue;
      for (const transition of transitions) {
        const kinds = transition.actions.map(kindOf);
        const emits = kinds.includes('emit') || kinds.includes('maybe-emit');
        const isCommand = declared === undefined ? emits : !declared.has(eventType);
        const where = `transition '${eventType}' of state '${node.id}'`;
        if (isCommand) {
          const changes: string[] = [];
          if (transition.target !== undefined && transition.target.length > 0) {
            changes.push('targets another state');
          }
          if (kinds.includes('assign')) changes.push('assigns context');
          if (changes.length > 0) {
            throw new ProgrammingError(
              `Aggregate '${aggregateName}': command ${where} ${changes.join(' and ')}. A command must only emit domain events; change state and context in the transitions of those events.`,
            );
          }
          if (eventTypes.has(eventType)) throw ambiguous(aggregateName, eventType);
          commandTypes.add(eventType);
        } else {
          if (kinds.includes('emit')) {
            throw new ProgrammingError(
              `Aggregate '${aggregateName}': domain event ${where} emits events. Domain events must only update context and state (emits would repeat on every replay).`,
            );
          }
          if (commandTypes.has(eventType)) throw ambiguous(aggregateName, eventType);
          eventTypes.add(eventType);
        }
      }
    }
  }
  for (const type of declared ?? []) eventTypes.add(type);
  return { commandTypes, eventTypes };
}

function ambiguous(aggregateName: string, eventType: string): ProgrammingError {
  return new ProgrammingError(
    `Aggregate '${aggregateName}': '${eventType}' is a command in one state and a domain event in another. Give commands and domain events distinct types.`,
  );
}

function* walk(node: StateNodeLike): Generator<StateNodeLike> {
  yield node;
  for (const child of Object.values(node.states ?? {})) yield* walk(child);
}

function actionKind(action: unknown, implementations: Record<string, unknown>): ActionKind {
  const type =
    typeof action === 'function'
      ? (action as { type?: unknown }).type
      : typeof action === 'string'
        ? action
        : typeof action === 'object' && action !== null
          ? (action as { type?: unknown }).type
          : undefined;
  switch (type) {
    case 'xstate.emit':
      return 'emit';
    case 'xstate.enqueueActions':
      return 'maybe-emit';
    case 'xstate.assign':
      return 'assign';
    default:
      break;
  }
  if (typeof action !== 'function' && typeof type === 'string' && type in implementations) {
    return actionKind(implementations[type], {});
  }
  return 'other';
}
