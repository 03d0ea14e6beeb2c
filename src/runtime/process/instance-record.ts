/**
 * How a process instance's state is stored: the machine's persisted snapshot, its pending
 * durable timers and its timer counter, encoded with the application's transcoder (so a context
 * may hold dates, bigints, maps… like domain events), in a {@link ProcessInstanceRecord}.
 *
 * @module
 */
import type { AnyMachineSnapshot, AnyStateMachine, EventObject } from 'xstate';
import { PersistenceError, ProgrammingError } from '../../core/errors.js';
import type { ProcessInstanceRecord } from '../../core/process-store.js';
import type { Transcoder } from '../../core/transcoder.js';
import type { DurableTimer, InstanceState } from './process-step.js';

/** The stored layout's version. */
const FORMAT = 1;

interface StoredState {
  readonly format: number;
  readonly snapshot: unknown;
  readonly timers: readonly DurableTimer[];
  readonly timerCount: number;
}

/** The record of an instance in `state`. */
export function encodeInstance(
  processName: string,
  machine: AnyStateMachine,
  correlationId: string,
  state: InstanceState,
  transcoder: Transcoder,
): ProcessInstanceRecord {
  const done = state.snapshot.status !== 'active';
  const persisted = machine.getPersistedSnapshot(state.snapshot) as { children?: object };
  if (persisted.children !== undefined && Object.keys(persisted.children).length > 0) {
    throw new ProgrammingError(
      `Process '${processName}' instance '${correlationId}' has child actors (invoke or spawn): a process instance is a durable state, not a running actor; send commands with sendCommand`,
    );
  }
  const timers = done ? [] : state.timers;
  const stored: StoredState = {
    format: FORMAT,
    snapshot: persisted,
    timers,
    timerCount: state.timerCount,
  };
  return {
    processName,
    correlationId,
    state: transcoder.encode(
      stored,
      `the state of process '${processName}' instance '${correlationId}'`,
    ),
    done,
    nextTimerAt: timers[0]?.dueAt,
  };
}

/**
 * The state a record holds.
 *
 * @throws PersistenceError when it can't be decoded or restored.
 */
export function decodeInstance(
  machine: AnyStateMachine,
  record: ProcessInstanceRecord,
  transcoder: Transcoder,
): InstanceState {
  const where = `process '${record.processName}' instance '${record.correlationId}'`;
  let stored: StoredState;
  try {
    stored = transcoder.decode(record.state) as StoredState;
  } catch (error) {
    throw new PersistenceError(`Can't decode the state of ${where}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (stored?.format !== FORMAT || !Array.isArray(stored.timers)) {
    throw new PersistenceError(
      `Can't decode the state of ${where}: not a process state of format ${FORMAT}`,
    );
  }
  let snapshot: AnyMachineSnapshot;
  try {
    snapshot = machine.resolveState(stored.snapshot as never) as AnyMachineSnapshot;
  } catch (error) {
    throw new PersistenceError(
      `Can't restore the state of ${where} (the machine changed?): ${(error as Error).message}`,
      { cause: error },
    );
  }
  return {
    snapshot,
    timers: stored.timers.map((timer) => ({
      id: timer.id,
      event: timer.event as EventObject,
      dueAt: timer.dueAt,
    })),
    timerCount: stored.timerCount,
  };
}
