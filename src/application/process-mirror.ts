/**
 * What the Stately inspector shows of a running process: one actor system with the process as
 * its root actor (`process:<Name>`), the runner's lifecycle actor as a child of it, one child per
 * live process instance (its id is the correlation id, its snapshot the process machine's state,
 * drawn from the machine's config), and under each instance the aggregates it sends commands to
 * (`fromAggregate` actors, following the aggregate's state as it changes).
 *
 * An instance actor receives what the instance received, in order — the upstream event, each
 * reply, each timer event — then the state the runner saved; it completes (and stops its
 * aggregates) when the instance is done. These actors mirror the runner's steps; they never act
 * (the runner executes the commands). Built on XState's public custom-logic interface: children
 * join the system with `createActor(…, { parent })` and are stopped with `scope.stopChild`.
 *
 * @module
 */
import type { ActorLogic, AnyActorRef, AnyMachineSnapshot, EventObject, Snapshot } from 'xstate';
import { createActor, initialTransition, transition } from 'xstate';
import type { InspectObserver } from '../runtime/aggregate/aggregate-runtime.js';
import type { AggregateDefinition } from '../runtime/aggregate/define-aggregate.js';
import type { ProcessDefinition } from '../runtime/process/define-process.js';
import type { ProcessStepReport } from '../runtime/process/process-engine.js';
import type { Application } from './application.js';
import { fromAggregate } from './from-aggregate.js';

/** The mirror of one process: its root actor and its instances' actors. */
export interface ProcessMirror {
  /** The root actor: the lifecycle actor and the instances are its children. */
  readonly root: AnyActorRef;
  step(report: ProcessStepReport): void;
  stop(): void;
}

/** Events only this module makes: they carry a token nobody else holds. */
const TOKEN: unique symbol = Symbol('eventsourcing-kurrentdb process mirror');

type MirrorEvent =
  | { readonly type: '@eventsourcing-kurrentdb.process.step'; readonly report: ProcessStepReport }
  | {
      readonly type: '@eventsourcing-kurrentdb.process.commands';
      readonly aggregates: readonly { definition: AggregateDefinition; id: string }[];
    }
  | { readonly type: '@eventsourcing-kurrentdb.process.saved'; readonly state: AnyMachineSnapshot };

const mine = (event: EventObject): event is MirrorEvent & EventObject =>
  (event as { [TOKEN]?: unknown })[TOKEN] === true;

const make = (event: MirrorEvent): EventObject =>
  ({ ...event, [TOKEN]: true }) as unknown as EventObject;

/** The root snapshot: the process's name and how many instances are live. */
type RootSnapshot = Snapshot<undefined> & {
  readonly process: string;
  readonly liveInstances: number;
};

/** Builds and starts the root actor of a process's actor system, inspected by `inspect`. */
export function mirrorProcess(
  app: Application,
  definition: ProcessDefinition,
  inspect: InspectObserver,
): ProcessMirror {
  const root: AnyActorRef = createActor(rootLogic(app, definition), {
    id: `process:${definition.name}`,
    inspect,
  } as never).start() as unknown as AnyActorRef;
  return {
    root,
    step: (report) => root.send(make({ type: '@eventsourcing-kurrentdb.process.step', report })),
    stop: () => root.stop(),
  };
}

function rootLogic(
  app: Application,
  definition: ProcessDefinition,
): ActorLogic<RootSnapshot, EventObject> {
  const instances = new Map<string, AnyActorRef>();
  const talkedTo = new Map<string, Set<string>>();
  const instance = instanceLogic(app, definition);
  const snapshot = (status: RootSnapshot['status']): RootSnapshot =>
    ({
      status,
      output: undefined,
      error: undefined,
      process: definition.name,
      liveInstances: instances.size,
    }) as RootSnapshot;
  const logic: ActorLogic<RootSnapshot, EventObject> = {
    getInitialSnapshot: () => snapshot('active'),
    transition: (current, event, scope) => {
      if (event.type === 'xstate.stop') {
        for (const child of instances.values()) scope.stopChild(child);
        instances.clear();
        talkedTo.clear();
        return snapshot('stopped');
      }
      if (!mine(event) || event.type !== '@eventsourcing-kurrentdb.process.step') return current;
      const { report } = event;
      const { correlationId } = report;
      let child = instances.get(correlationId);
      if (child === undefined) {
        child = createActor(instance, {
          parent: scope.self,
          id: correlationId,
          input: initialTransition(definition.machine, { correlationId })[0] as AnyMachineSnapshot,
        }).start();
        instances.set(correlationId, child);
        talkedTo.set(correlationId, new Set());
      }
      const known = talkedTo.get(correlationId) as Set<string>;
      const fresh = report.commands
        .filter((command) => {
          const streamName = command.definition.streamName(command.id);
          if (known.has(streamName)) return false;
          known.add(streamName);
          return true;
        })
        .map((command) => ({ definition: command.definition, id: command.id }));
      if (fresh.length > 0) {
        child.send(make({ type: '@eventsourcing-kurrentdb.process.commands', aggregates: fresh }));
      }
      for (const received of report.received) child.send(received);
      child.send(
        make({ type: '@eventsourcing-kurrentdb.process.saved', state: report.state.snapshot }),
      );
      if (report.state.snapshot.status !== 'active') {
        instances.delete(correlationId);
        talkedTo.delete(correlationId);
      }
      return snapshot('active');
    },
    getPersistedSnapshot: (current) => current,
  };
  return logic;
}

/**
 * An instance's mirror: the process machine's state, moved by pure transitions of what the
 * instance received and set to the state the runner saved; its aggregates are its children.
 */
function instanceLogic(
  app: Application,
  definition: ProcessDefinition,
): ActorLogic<AnyMachineSnapshot, EventObject, AnyMachineSnapshot> {
  const { machine } = definition;
  const children = new WeakMap<AnyActorRef, AnyActorRef[]>();
  const stopChildren = (self: AnyActorRef, stop: (child: AnyActorRef) => void) => {
    for (const child of children.get(self) ?? []) stop(child);
    children.delete(self);
  };
  return {
    config: machine.config,
    getInitialSnapshot: (_scope, input) => input,
    transition: (snapshot, event, scope) => {
      if (event.type === 'xstate.stop') {
        stopChildren(scope.self, (child) => scope.stopChild(child));
        return { ...snapshot, status: 'stopped' } as AnyMachineSnapshot;
      }
      if (mine(event)) {
        if (event.type === '@eventsourcing-kurrentdb.process.commands') {
          const list = children.get(scope.self) ?? [];
          for (const { definition: aggregate, id } of event.aggregates) {
            list.push(
              createActor(fromAggregate(app, aggregate), {
                parent: scope.self,
                id: aggregate.streamName(id),
                input: { id },
              }).start(),
            );
          }
          children.set(scope.self, list);
          return snapshot;
        }
        if (event.type === '@eventsourcing-kurrentdb.process.saved') {
          if (event.state.status !== 'active') {
            stopChildren(scope.self, (child) => scope.stopChild(child));
          }
          return event.state;
        }
        return snapshot;
      }
      if (snapshot.status !== 'active') return snapshot;
      if (event.type.startsWith('xstate.') && !event.type.startsWith('xstate.after.')) {
        return snapshot;
      }
      try {
        const next = transition(machine, snapshot, event)[0] as AnyMachineSnapshot;
        // The end is adopted with the saved state (which first stops the aggregates).
        return next.status === 'active' ? next : snapshot;
      } catch {
        return snapshot;
      }
    },
    getPersistedSnapshot: (snapshot) => machine.getPersistedSnapshot(snapshot),
  } as ActorLogic<AnyMachineSnapshot, EventObject, AnyMachineSnapshot>;
}
