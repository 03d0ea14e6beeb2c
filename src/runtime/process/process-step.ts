/**
 * One pure step of a process instance: XState's `transition()` (or `initialTransition()` for a
 * new instance), with the actions it returns sorted into what the runtime does with them —
 * commands to send, durable timers to keep or cancel, custom actions to run after the save.
 *
 * @module
 */
import type { AnyMachineSnapshot, AnyStateMachine, EventObject } from 'xstate';
import { initialTransition, transition } from 'xstate';
import { ProgrammingError } from '../../core/errors.js';
import { PROCESS_COMMAND, type ProcessCommandEvent } from './send-command.js';

/** A delayed event kept in the instance's stored state until it is due. */
export interface DurableTimer {
  /** The delayed event's id (`xstate.after.…` for `after`), used by `cancel`. */
  readonly id: string;
  readonly event: EventObject;
  /** When it is due, in ms since the epoch. */
  readonly dueAt: number;
}

/** An instance's state: the machine's snapshot and its pending timers, soonest first. */
export interface InstanceState {
  readonly snapshot: AnyMachineSnapshot;
  readonly timers: readonly DurableTimer[];
  /** Timers created so far (names those raised without an id). */
  readonly timerCount: number;
}

/** What a step leads to. */
export interface StepResult {
  readonly state: InstanceState;
  readonly commands: readonly ProcessCommandEvent[];
  /** Custom (function) actions of the step, run after its state is saved. */
  readonly effects: readonly (() => void)[];
}

/** A new instance: the machine's initial state for `correlationId`, with its entry actions. */
export function startInstance(
  processName: string,
  machine: AnyStateMachine,
  correlationId: string,
  now: number,
): StepResult {
  const [snapshot, actions] = initialTransition(machine, { correlationId });
  return sortActions(
    processName,
    { snapshot: snapshot as AnyMachineSnapshot, timers: [], timerCount: 0 },
    actions as readonly ExecutableAction[],
    now,
  );
}

/** The instance after `event`. */
export function stepInstance(
  processName: string,
  machine: AnyStateMachine,
  state: InstanceState,
  event: EventObject,
  now: number,
): StepResult {
  const [snapshot, actions] = transition(machine, state.snapshot, event);
  return sortActions(
    processName,
    { ...state, snapshot: snapshot as AnyMachineSnapshot },
    actions as readonly ExecutableAction[],
    now,
  );
}

interface ExecutableAction {
  readonly type: string;
  readonly params?: unknown;
  readonly exec?: (() => void) | undefined;
}

function sortActions(
  processName: string,
  state: InstanceState,
  actions: readonly ExecutableAction[],
  now: number,
): StepResult {
  const commands: ProcessCommandEvent[] = [];
  const effects: (() => void)[] = [];
  let timers = [...state.timers];
  let timerCount = state.timerCount;
  for (const action of actions) {
    const params = (action.params ?? {}) as Record<string, unknown>;
    switch (action.type) {
      case 'xstate.emit': {
        const emitted = params.event as EventObject | undefined;
        if (emitted?.type === PROCESS_COMMAND) commands.push(emitted as ProcessCommandEvent);
        break;
      }
      case 'xstate.raise': {
        const delay = params.delay;
        if (typeof delay !== 'number') break;
        const id = typeof params.id === 'string' ? params.id : `timer-${timerCount}`;
        timerCount++;
        timers = timers.filter((timer) => timer.id !== id);
        timers.push({ id, event: params.event as EventObject, dueAt: now + Math.max(0, delay) });
        break;
      }
      case 'xstate.cancel':
        timers = timers.filter((timer) => timer.id !== params.sendId);
        break;
      case 'xstate.sendTo':
      case 'xstate.sendParent':
      case 'xstate.spawnChild':
      case 'xstate.stopChild':
        throw new ProgrammingError(
          `Process '${processName}': '${action.type}' is not supported in a process machine (its instances are durable states, not running actors); send commands to aggregates with sendCommand`,
        );
      case 'xstate.log':
        if (action.exec !== undefined) effects.push(action.exec);
        break;
      default:
        if (!action.type.startsWith('xstate.') && action.exec !== undefined) {
          effects.push(action.exec);
        }
    }
  }
  timers.sort((a, b) => a.dueAt - b.dueAt);
  return { state: { snapshot: state.snapshot, timers, timerCount }, commands, effects };
}
