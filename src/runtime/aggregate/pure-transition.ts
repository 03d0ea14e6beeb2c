/**
 * XState's pure transition — what `transition(machine, snapshot, event)` computes, with the
 * actions it would run returned instead of executed — as the command path needs it: on one inert
 * actor scope per machine, and with a shortcut for the transitions aggregates are made of.
 *
 * @module
 */
import type { ActorScope, AnyMachineSnapshot, AnyStateMachine, EventObject } from 'xstate';
import { createActor } from 'xstate';

/** An action as a pure transition reports it (`{ type, params }`; `xstate.emit` for emits). */
export interface ResolvedAction {
  readonly type: string;
  readonly params?: unknown;
}

/** The outcome of one pure transition. */
export interface Step {
  readonly snapshot: AnyMachineSnapshot;
  readonly actions: readonly ResolvedAction[];
  /**
   * Whether the event selected a transition (guards evaluated), also one with no target and no
   * actions, which leaves the snapshot as it was — and which XState's `snapshot.can()` does not
   * count.
   */
  readonly enabled: boolean;
}

/** XState's transition definition, as `getTransitionData` returns it. */
interface TransitionData {
  readonly target: readonly unknown[] | undefined;
  readonly actions: readonly unknown[];
}

/** A built-in action (assign, emit, raise, …) as XState resolves it. */
interface BuiltinAction {
  readonly type: string;
  resolve(
    scope: ActorScope<AnyMachineSnapshot, EventObject>,
    snapshot: AnyMachineSnapshot,
    args: unknown,
    params: unknown,
    action: unknown,
    extra: unknown,
  ): [AnyMachineSnapshot, unknown, unknown];
}

interface StateNodeLike {
  readonly always?: readonly unknown[];
  readonly states?: Readonly<Record<string, StateNodeLike>>;
}

/** The inert scope of a machine, and whether its transitions may take the shortcut. */
interface MachineRuntime {
  readonly scope: ActorScope<AnyMachineSnapshot, EventObject>;
  /** Actions the current full transition reported. */
  collected: ResolvedAction[];
  /** No state node has eventless (`always`) transitions. */
  readonly shortcut: boolean;
}
const runtimes = new WeakMap<AnyStateMachine, MachineRuntime>();

function runtimeOf(machine: AnyStateMachine): MachineRuntime {
  let runtime = runtimes.get(machine);
  if (runtime !== undefined) return runtime;
  // `transition()` builds a whole actor and actor system per call, which dominated the command
  // path; aggregate machines spawn no children, so one scope can serve every call.
  const self = createActor(machine);
  const created: MachineRuntime = {
    collected: [],
    shortcut: !hasEventless(machine.root as unknown as StateNodeLike),
    scope: {
      self,
      id: '',
      sessionId: '',
      logger: () => undefined,
      defer: () => undefined,
      emit: () => undefined,
      stopChild: () => undefined,
      system: self.system,
      actionExecutor: (action: ResolvedAction) => created.collected.push(action),
    } as unknown as ActorScope<AnyMachineSnapshot, EventObject>,
  };
  runtime = created;
  runtimes.set(machine, runtime);
  return runtime;
}

function hasEventless(node: StateNodeLike): boolean {
  if ((node.always?.length ?? 0) > 0) return true;
  return Object.values(node.states ?? {}).some(hasEventless);
}

/** One empty action list for every step that reports none. */
const NO_ACTIONS: readonly ResolvedAction[] = Object.freeze([]);

/**
 * The pure transition of `event` in `snapshot`.
 *
 * In a machine without eventless transitions, an event that selects one transition with no
 * target, whose actions are only `assign`s, `emit`s and custom actions, takes a shortcut: XState
 * itself selects the transition (`getTransitionData`) and resolves the emits (their own
 * `resolve`); assigns merge their update into a copy of the context, as XState's do; the
 * microstep around them — exit and entry sets, which are empty, the eventless transitions, which
 * there are none of, inspection events on the inert scope — is skipped. Every other transition
 * runs XState's full macrostep. Both give the same snapshot and actions.
 */
export function pureTransition(
  machine: AnyStateMachine,
  snapshot: AnyMachineSnapshot,
  event: EventObject,
): Step {
  const runtime = runtimeOf(machine);
  if (runtime.shortcut && snapshot.status === 'active' && !event.type.startsWith('xstate.')) {
    const transitions = machine.getTransitionData(snapshot, event) as readonly TransitionData[];
    if (transitions.length === 0) return { snapshot, actions: NO_ACTIONS, enabled: false };
    const step =
      transitions.length === 1
        ? targetless(machine, runtime, snapshot, event, transitions[0] as TransitionData)
        : undefined;
    if (step !== undefined) return step;
  }
  const collected: ResolvedAction[] = [];
  runtime.collected = collected;
  const next = machine.transition(snapshot, event, runtime.scope) as AnyMachineSnapshot;
  return {
    snapshot: next,
    actions: collected,
    enabled: next !== snapshot || hasEnabledTransition(snapshot, event),
  };
}

/**
 * The shortcut: resolves the actions of a targetless transition the way XState's
 * `resolveAndExecuteActionsWithContext` does.
 *
 * @returns undefined when the transition has a target or a built-in action other than `assign`
 *   and `emit` (raise, sendTo, enqueueActions, spawnChild…): those take the full macrostep.
 */
function targetless(
  machine: AnyStateMachine,
  runtime: MachineRuntime,
  snapshot: AnyMachineSnapshot,
  event: EventObject,
  transition: TransitionData,
): Step | undefined {
  if (transition.target !== undefined) return undefined;
  const implementations = machine.implementations.actions as Record<string, unknown>;
  let state = snapshot;
  let actions: ResolvedAction[] | undefined;
  for (const action of transition.actions) {
    const inline = typeof action === 'function';
    const type = inline
      ? undefined
      : typeof action === 'string'
        ? action
        : (action as { type: string }).type;
    const resolved = inline ? action : implementations[type as string];
    const params =
      inline || typeof action === 'string' || !('params' in (action as object))
        ? undefined
        : paramsOf(action as { params: unknown }, state, event);
    if (resolved === undefined || !('resolve' in (resolved as object))) {
      // A custom action: the full transition reports it without running it.
      actions ??= [];
      actions.push({
        type: type ?? ((resolved as { name?: string }).name || '(anonymous)'),
        params,
      });
      continue;
    }
    const builtin = resolved as BuiltinAction;
    if (builtin.type === 'xstate.assign') {
      const assigned = assign(builtin as unknown as AssignAction, state, event, params, runtime);
      if (assigned === undefined) return undefined;
      state = assigned;
    } else if (builtin.type === 'xstate.emit') {
      const args = {
        context: state.context,
        event,
        self: runtime.scope.self,
        system: runtime.scope.system,
      };
      const [, resolvedParams] = builtin.resolve(
        runtime.scope,
        state,
        args,
        params,
        builtin,
        NO_EXTRA,
      );
      actions ??= [];
      actions.push({ type: builtin.type, params: resolvedParams });
    } else {
      return undefined;
    }
  }
  return { snapshot: state, actions: actions ?? NO_ACTIONS, enabled: true };
}

/** XState's `assign(…)` action: a function of the context, or an object of property updates. */
interface AssignAction {
  readonly assignment: ((args: unknown, params: unknown) => object) | Record<string, unknown>;
}

/** Thrown by the shortcut's `spawn`: an assign that spawns takes the full macrostep. */
const SPAWNS = Symbol('spawns');
const refuseSpawn = (): never => {
  throw SPAWNS;
};

/**
 * What `assign` makes of `snapshot` (XState's semantics: the partial update merged into a copy
 * of the context). The snapshot is copied as XState clones one; value, tags and nodes stay the
 * same, as a targetless transition keeps them.
 *
 * @returns undefined when the assignment spawns an actor (or there is no context to assign to):
 *   those take the full macrostep, which handles children and reports the error.
 */
function assign(
  action: AssignAction,
  snapshot: AnyMachineSnapshot,
  event: EventObject,
  params: unknown,
  runtime: MachineRuntime,
): AnyMachineSnapshot | undefined {
  const context = snapshot.context as object | undefined;
  if (!context) return undefined;
  const { assignment } = action;
  const args = {
    context,
    event,
    spawn: refuseSpawn,
    self: runtime.scope.self,
    system: runtime.scope.system,
  };
  let partial: object;
  try {
    if (typeof assignment === 'function') partial = assignment(args, params);
    else {
      const updates: Record<string, unknown> = {};
      for (const key of Object.keys(assignment)) {
        const update = assignment[key];
        updates[key] =
          typeof update === 'function'
            ? (update as (args: unknown, params: unknown) => unknown)(args, params)
            : update;
      }
      partial = updates;
    }
  } catch (error) {
    if (error === SPAWNS) return undefined;
    throw error;
  }
  return withContext(snapshot, { ...context, ...partial });
}

/** The own keys of an XState 5 machine snapshot, in the order `createMachineSnapshot` sets them. */
const KEYS = [
  'status',
  'output',
  'error',
  'machine',
  'context',
  '_nodes',
  'value',
  'tags',
  'children',
  'historyValue',
  'matches',
  'hasTag',
  'can',
  'getMeta',
  'toJSON',
] as const;
const SNAPSHOT_KEYS = KEYS.join(',');
/** Whether snapshots have those keys (checked once, on the first snapshot copied). */
let knownShape: boolean | undefined;

/**
 * A copy of `snapshot` with another context. An object literal of the known keys is an order of
 * magnitude faster than a spread of the snapshot (V8 builds it without a generic copy); should
 * XState's snapshots ever have other keys, the spread keeps every one of them.
 */
function withContext(snapshot: AnyMachineSnapshot, context: object): AnyMachineSnapshot {
  knownShape ??= Object.keys(snapshot).join(',') === SNAPSHOT_KEYS;
  if (!knownShape) return { ...snapshot, context } as AnyMachineSnapshot;
  const s = snapshot as unknown as Record<(typeof KEYS)[number], unknown>;
  return {
    status: s.status,
    output: s.output,
    error: s.error,
    machine: s.machine,
    context,
    _nodes: s._nodes,
    value: s.value,
    tags: s.tags,
    children: s.children,
    historyValue: s.historyValue,
    matches: s.matches,
    hasTag: s.hasTag,
    can: s.can,
    getMeta: s.getMeta,
    toJSON: s.toJSON,
  } as unknown as AnyMachineSnapshot;
}

/** `emit` reads neither the internal queue nor deferred actor ids. */
const NO_EXTRA = Object.freeze({ internalQueue: Object.freeze([]), deferredActorIds: undefined });

function paramsOf(
  action: { params: unknown },
  snapshot: AnyMachineSnapshot,
  event: EventObject,
): unknown {
  return typeof action.params === 'function'
    ? (action.params as (args: unknown) => unknown)({ context: snapshot.context, event })
    : action.params;
}

/** How folding events into a snapshot ended: the last snapshot, or the event that didn't apply. */
export type Fold =
  | { readonly ok: true; readonly snapshot: AnyMachineSnapshot }
  | {
      readonly ok: false;
      /** Index of the event that didn't apply. */
      readonly index: number;
      /** The snapshot it met. */
      readonly state: AnyMachineSnapshot;
      /** What its transition threw (or the error it ended in); absent when none was enabled. */
      readonly thrown?: { readonly error: unknown };
    };

/**
 * Folds domain events into `snapshot` with {@link pureTransition}, stopping at the first event
 * that selects no transition or whose transition throws (the callers say which error that is).
 */
export function foldEvents(
  machine: AnyStateMachine,
  snapshot: AnyMachineSnapshot,
  events: readonly EventObject[],
): Fold {
  let state = snapshot;
  for (let index = 0; index < events.length; index++) {
    let step: Step;
    try {
      step = pureTransition(machine, state, events[index] as EventObject);
    } catch (error) {
      return { ok: false, index, state, thrown: { error } };
    }
    if (step.snapshot.status === 'error') {
      return { ok: false, index, state, thrown: { error: step.snapshot.error } };
    }
    if (!step.enabled) return { ok: false, index, state };
    state = step.snapshot;
  }
  return { ok: true, snapshot: state };
}

/**
 * True when `event` selects a transition in `snapshot` (guards evaluated), also a transition with
 * no target and no actions — which XState's `snapshot.can()` does not count.
 */
export function hasEnabledTransition(snapshot: AnyMachineSnapshot, event: EventObject): boolean {
  return (snapshot.machine.getTransitionData(snapshot, event)?.length ?? 0) > 0;
}
