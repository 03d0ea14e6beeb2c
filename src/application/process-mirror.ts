/**
 * What the Stately inspector shows of a running process: one actor system with the process as
 * its root actor (`process:<Name>`), the runner's lifecycle actor as a child of it, one child per
 * live process instance (its id is the correlation id, its snapshot the process machine's state,
 * drawn from the machine's config), and under each instance the aggregates it sends commands to
 * (`fromAggregate` actors, following the aggregate's state as it changes).
 *
 * An instance actor receives what the instance received, in order — the upstream event, each
 * reply, each timer event — then the state the runner saved; it stops when the instance is done.
 * These actors mirror the runner's steps; they never act (the runner executes the commands).
 *
 * @module
 */
import type { ActorLogic, AnyActorRef, AnyMachineSnapshot, EventObject } from 'xstate';
import { createActor, fromTransition, initialTransition, transition } from 'xstate';
import type { InspectObserver } from '../runtime/aggregate/aggregate-runtime.js';
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

const SYNC = '@eventsourcing-kurrentdb.process.saved';

/** Builds the root actor of a process's actor system, inspected by `inspect`. */
export function mirrorRoot(definition: ProcessDefinition, inspect: InspectObserver): AnyActorRef {
  const logic = fromTransition((state: { readonly process: string }) => state, {
    process: definition.name,
  });
  return createActor(logic, { id: `process:${definition.name}`, inspect }).start();
}

/** Mirrors the steps of `definition` under `root`. */
export function mirrorProcess(
  app: Application,
  definition: ProcessDefinition,
  root: AnyActorRef,
): ProcessMirror {
  const instances = new Map<string, AnyActorRef>();
  const aggregates = new Map<string, Set<string>>();
  const logic = instanceLogic(definition);
  return {
    root,
    step(report) {
      let actor = instances.get(report.correlationId);
      if (actor === undefined) {
        actor = createActor(logic, {
          parent: root,
          id: report.correlationId,
          input: initialTransition(definition.machine, {
            correlationId: report.correlationId,
          })[0] as AnyMachineSnapshot,
        }).start();
        instances.set(report.correlationId, actor);
        aggregates.set(report.correlationId, new Set());
      }
      const talkedTo = aggregates.get(report.correlationId) as Set<string>;
      for (const command of report.commands) {
        const streamName = command.definition.streamName(command.id);
        if (talkedTo.has(streamName)) continue;
        talkedTo.add(streamName);
        createActor(fromAggregate(app, command.definition), {
          parent: actor,
          id: streamName,
          input: { id: command.id },
        }).start();
      }
      for (const event of report.received) actor.send(event);
      actor.send({ type: SYNC, state: report.state.snapshot });
      if (report.state.snapshot.status !== 'active') {
        actor.stop();
        instances.delete(report.correlationId);
        aggregates.delete(report.correlationId);
      }
    },
    stop() {
      for (const actor of instances.values()) actor.stop();
      instances.clear();
      aggregates.clear();
      root.stop();
    },
  };
}

/** An instance's mirror: the process machine's state, moved by pure transitions and the saved state. */
function instanceLogic(
  definition: ProcessDefinition,
): ActorLogic<AnyMachineSnapshot, EventObject, AnyMachineSnapshot> {
  const { machine } = definition;
  return {
    config: machine.config,
    getInitialSnapshot: (_scope, input) => input,
    transition: (snapshot, event) => {
      if (event.type === SYNC) return (event as unknown as { state: AnyMachineSnapshot }).state;
      if (event.type.startsWith('xstate.') && !event.type.startsWith('xstate.after.')) {
        return snapshot;
      }
      if (snapshot.status !== 'active') return snapshot;
      try {
        return transition(machine, snapshot, event)[0] as AnyMachineSnapshot;
      } catch {
        return snapshot;
      }
    },
    getPersistedSnapshot: (snapshot) => machine.getPersistedSnapshot(snapshot),
  } as ActorLogic<AnyMachineSnapshot, EventObject, AnyMachineSnapshot>;
}
