/**
 * Reads an XState v5 machine (or an aggregate definition's machine) into a small, format-neutral
 * graph: its states as a tree and its transitions in document order, each with its trigger, guard
 * and role (command, domain event, or plain transition). Diagram formats render this graph.
 *
 * @module
 */
import type { AnyStateMachine } from 'xstate';
import type { AggregateDefinition } from '../runtime/aggregate/define-aggregate.js';
import { emittedTypes } from './emitted-types.js';

/** What can be drawn: an aggregate definition or a plain XState v5 machine. */
export type DiagramSource = AggregateDefinition | AnyStateMachine;

/** The kinds of XState state nodes. */
export type StateKind = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

/** One state node. */
export interface GraphState {
  /** The key in its parent's `states`; the machine's id for the root. */
  readonly key: string;
  /** The keys from the root's child down to this state (`[]` for the root). */
  readonly path: readonly string[];
  readonly kind: StateKind;
  /** For a history state, whether it is deep. */
  readonly deep: boolean;
  readonly parent: GraphState | undefined;
  readonly children: readonly GraphState[];
  /** The states its `initial` enters (compound states only). */
  readonly initial: readonly GraphState[];
}

/** What fires a transition. */
export type Trigger =
  | { readonly kind: 'event'; readonly type: string }
  | { readonly kind: 'always' }
  | { readonly kind: 'after'; readonly delay: string | number }
  /** `onDone` of a compound or parallel state. */
  | { readonly kind: 'done' }
  | {
      readonly kind: 'invoke';
      readonly outcome: 'done' | 'error' | 'snapshot';
      readonly id: string;
    };

/**
 * - `command`: decides by emitting domain events, changes nothing (in an aggregate definition,
 *   one of its `commandTypes`; in a plain machine, any transition that emits).
 * - `domain-event`: one of an aggregate definition's `eventTypes`: evolves context and state.
 * - `transition`: anything else.
 */
export type TransitionRole = 'command' | 'domain-event' | 'transition';

/** One transition (a guarded alternative is a transition of its own). */
export interface GraphTransition {
  readonly source: GraphState;
  /** Empty for a targetless transition (it stays in `source`). */
  readonly targets: readonly GraphState[];
  readonly trigger: Trigger;
  /** The guard's name, when guarded; `guard` for an anonymous inline guard. */
  readonly guard: string | undefined;
  readonly role: TransitionRole;
  /** For an emitting transition, the emitted types found (empty when they can't be told). */
  readonly emits: readonly string[];
}

/** A machine as a graph. */
export interface MachineGraph {
  /** The aggregate's name, or the machine's id. */
  readonly name: string;
  readonly root: GraphState;
  /** Every state, root first, depth-first in document order. */
  readonly states: readonly GraphState[];
  /** Every transition, by source state in `states` order, then in the source's own order. */
  readonly transitions: readonly GraphTransition[];
}

interface StateNodeLike {
  readonly key: string;
  readonly id: string;
  readonly type: StateKind;
  readonly history?: 'shallow' | 'deep' | false | undefined;
  readonly states: Readonly<Record<string, StateNodeLike>>;
  readonly initial?: { readonly target?: readonly StateNodeLike[] } | undefined;
  readonly transitions: ReadonlyMap<string, readonly TransitionLike[]>;
  readonly always?: readonly TransitionLike[] | undefined;
  readonly after?: readonly { readonly delay: string | number; readonly eventType: string }[];
  readonly invoke?: readonly { readonly id: string }[];
}

interface TransitionLike {
  readonly target?: readonly StateNodeLike[] | undefined;
  readonly guard?: unknown;
  readonly actions: readonly unknown[];
}

/** True for an aggregate definition (`defineAggregate`). */
export function isAggregateDefinition(value: unknown): value is AggregateDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<AggregateDefinition>;
  return (
    typeof candidate.name === 'string' &&
    candidate.commandTypes instanceof Set &&
    candidate.eventTypes instanceof Set &&
    isStateMachine(candidate.machine)
  );
}

/** True for an XState v5 machine (`createMachine`, `setup(…).createMachine`). */
export function isStateMachine(value: unknown): value is AnyStateMachine {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as {
    root?: Partial<StateNodeLike>;
    getInitialSnapshot?: unknown;
    transition?: unknown;
  };
  const root = candidate.root;
  return (
    typeof candidate.getInitialSnapshot === 'function' &&
    typeof candidate.transition === 'function' &&
    typeof root === 'object' &&
    root !== null &&
    typeof root.states === 'object' &&
    root.transitions instanceof Map
  );
}

/** True for what `toMermaid` draws: an aggregate definition or an XState v5 machine. */
export function isDiagramSource(value: unknown): value is DiagramSource {
  return isAggregateDefinition(value) || isStateMachine(value);
}

/** Reads `source` into a graph. */
export function readMachine(source: DiagramSource): MachineGraph {
  const definition = isAggregateDefinition(source) ? source : undefined;
  const machine: AnyStateMachine = definition?.machine ?? (source as AnyStateMachine);
  const implementations = (machine.implementations?.actions ?? {}) as Record<string, unknown>;
  const byId = new Map<string, GraphState>();
  const nodes: StateNodeLike[] = [];
  const states: GraphState[] = [];

  const build = (
    node: StateNodeLike,
    parent: GraphState | undefined,
    path: string[],
  ): GraphState => {
    const children: GraphState[] = [];
    const initial: GraphState[] = [];
    const state: GraphState = {
      key: parent === undefined ? machine.id : node.key,
      path,
      kind: node.type,
      deep: node.history === 'deep',
      parent,
      children,
      initial,
    };
    byId.set(node.id, state);
    nodes.push(node);
    states.push(state);
    for (const [key, child] of Object.entries(node.states ?? {})) {
      children.push(build(child, state, [...path, key]));
    }
    return state;
  };
  const root = build(machine.root as unknown as StateNodeLike, undefined, []);

  const stateOf = (node: StateNodeLike): GraphState => {
    const state = byId.get(node.id);
    if (state === undefined) throw new Error(`unknown state node '${node.id}'`);
    return state;
  };
  nodes.forEach((node, index) => {
    const state = states[index] as GraphState;
    for (const target of node.initial?.target ?? []) {
      (state.initial as GraphState[]).push(stateOf(target));
    }
  });

  const transitions: GraphTransition[] = [];
  nodes.forEach((node, index) => {
    const source = states[index] as GraphState;
    const delays = new Map((node.after ?? []).map((after) => [after.eventType, after.delay]));
    const add = (transition: TransitionLike, trigger: Trigger): void => {
      const found = emittedTypes(transition.actions, implementations);
      const eventType = trigger.kind === 'event' ? trigger.type : undefined;
      let role: TransitionRole = 'transition';
      if (definition !== undefined && eventType !== undefined) {
        if (definition.commandTypes.has(eventType)) role = 'command';
        else if (definition.eventTypes.has(eventType)) role = 'domain-event';
      } else if (found.emits) {
        role = 'command';
      }
      transitions.push({
        source,
        targets: (transition.target ?? []).map(stateOf),
        trigger,
        guard: guardName(transition.guard),
        role,
        emits: role === 'command' || found.emits ? found.types : [],
      });
    };
    for (const [eventType, candidates] of node.transitions) {
      const trigger = triggerOf(eventType, node, delays);
      for (const transition of candidates) add(transition, trigger);
    }
    for (const transition of node.always ?? []) add(transition, { kind: 'always' });
  });

  return { name: definition?.name ?? machine.id, root, states, transitions };
}

function triggerOf(
  eventType: string,
  node: StateNodeLike,
  delays: ReadonlyMap<string, string | number>,
): Trigger {
  const delay = delays.get(eventType);
  if (delay !== undefined) return { kind: 'after', delay };
  if (eventType === `xstate.done.state.${node.id}`) return { kind: 'done' };
  for (const invoke of node.invoke ?? []) {
    for (const outcome of ['done', 'error', 'snapshot'] as const) {
      if (eventType === `xstate.${outcome}.actor.${invoke.id}`) {
        return { kind: 'invoke', outcome, id: invoke.id };
      }
    }
  }
  return { kind: 'event', type: eventType };
}

/** A guard's readable name: `isOk`, `and(isOk, not(isEmpty))`, `stateIn(#m.a)`, `guard`. */
export function guardName(guard: unknown): string | undefined {
  if (guard === undefined || guard === null) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const { guards, stateValue, name } = guard as {
      guards?: unknown;
      stateValue?: unknown;
      name?: string;
    };
    if (Array.isArray(guards)) {
      return `${name || 'guard'}(${guards.map((inner) => guardName(inner) ?? 'guard').join(', ')})`;
    }
    if (stateValue !== undefined) {
      return `stateIn(${typeof stateValue === 'string' ? stateValue : JSON.stringify(stateValue)})`;
    }
    return name && name !== 'guard' ? name : 'guard';
  }
  if (typeof guard === 'object') {
    const { type } = guard as { type?: unknown };
    if (typeof type === 'string') return type;
    if (type !== undefined) return guardName(type);
  }
  return 'guard';
}
