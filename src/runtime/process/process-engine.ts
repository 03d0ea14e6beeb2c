/**
 * The process engine: what a process runner does with each upstream event and each durable
 * timer, one at a time per process.
 *
 * A *step* has a cause (an upstream event, or a timer that came due): load the instance (or
 * start one), take the cause through the machine, execute the commands its actions sent — one
 * after the other through the application's command path, each with a command id derived from
 * the process, the instance and the cause (or the command's key) — feed each reply back into the
 * machine (which may send more), then save the instance's new state with the cause's tracking in
 * one store transaction, and run its custom actions.
 *
 * A crash anywhere before the save repeats the step after the restart: the same cause, the same
 * state, the same command ids, so the commands already applied are not applied again (the
 * aggregates answer with the original recordings), and the step ends as it would have.
 *
 * @module
 */
import type { AnyStateMachine, EventObject } from 'xstate';
import { EventSourcingError, OperationalError, ProgrammingError } from '../../core/errors.js';
import type { ProcessInstanceRecord, ProcessStore } from '../../core/process-store.js';
import { setLongTimeout } from '../../core/sleep.js';
import type { Tracking } from '../../core/tracking-recorder.js';
import type { Transcoder } from '../../core/transcoder.js';
import { uuidV5 } from '../aggregate/command-ids.js';
import type { Repository } from '../aggregate/repository.js';
import type { ProjectedEventContext } from '../projection/projection.js';
import type { ProcessDefinition, UpstreamEvent } from './define-process.js';
import { decodeInstance, encodeInstance } from './instance-record.js';
import {
  type InstanceState,
  type StepResult,
  startInstance,
  stepInstance,
} from './process-step.js';
import type { ProcessCommandEvent } from './send-command.js';

/** Most commands one step may send (a machine that loops on its replies is a bug). */
export const MAX_COMMANDS_PER_STEP = 1000;

/** The reply a process instance gets for a command it sent. */
export type ProcessReplyEvent =
  | {
      readonly type: 'aggregate.executed';
      readonly aggregate: string;
      readonly aggregateId: string;
      readonly command: EventObject;
      readonly key: string | undefined;
      readonly events: EventObject[];
      readonly version: number;
      readonly position: bigint | undefined;
    }
  | {
      readonly type: 'aggregate.rejected';
      readonly aggregate: string;
      readonly aggregateId: string;
      readonly command: EventObject;
      readonly key: string | undefined;
      readonly error: EventSourcingError;
    };

/** What a step did, for observers (the inspector's mirror actors, tests). */
export interface ProcessStepReport {
  readonly correlationId: string;
  /** The cause and the replies, in the order the instance received them. */
  readonly received: readonly EventObject[];
  readonly commands: readonly ProcessCommandEvent[];
  readonly state: InstanceState;
}

export interface ProcessEngineOptions {
  readonly definition: ProcessDefinition;
  readonly repository: Repository;
  readonly store: ProcessStore;
  readonly transcoder: Transcoder;
  /** The upstream application's name (the tracking's). */
  readonly applicationName: string;
  /** Called when a timer's step fails (the runner stops). */
  readonly onTimerFailure: (error: unknown) => void;
  readonly onStep?: (report: ProcessStepReport) => void;
  /** Attempts of a command that fails with an `OperationalError` (same command id). @defaultValue 4 */
  readonly commandAttempts?: number;
  /** The clock (ms since the epoch). @defaultValue Date.now */
  readonly now?: () => number;
}

export class ProcessEngine {
  readonly #options: ProcessEngineOptions;
  readonly #machine: AnyStateMachine;
  readonly #now: () => number;
  /** Steps run one at a time: the tail of the queue. */
  #tail: Promise<unknown> = Promise.resolve();
  /** Armed timers by correlation id: when, and how to disarm. */
  readonly #armed = new Map<string, { at: number; cancel: () => void }>();
  #timersOn = false;

  constructor(options: ProcessEngineOptions) {
    this.#options = options;
    this.#machine = options.definition.machine;
    this.#now = options.now ?? Date.now;
  }

  /** Handles one upstream event (the process runner's projection calls it, in order). */
  handle(event: EventObject, tracking: Tracking, context: ProjectedEventContext): Promise<void> {
    return this.#serial(() => this.#handle(event, tracking, context));
  }

  /** Arms the timers of every instance with one pending (on start). */
  async startTimers(): Promise<void> {
    this.#timersOn = true;
    const records = await this.#options.store.instancesWithTimers(this.#options.definition.name);
    for (const record of records) this.#arm(record);
  }

  /** Disarms every timer (on stop); they are armed again from the store on the next start. */
  stopTimers(): void {
    this.#timersOn = false;
    for (const { cancel } of this.#armed.values()) cancel();
    this.#armed.clear();
  }

  /** Resolves once the steps queued so far have ended. */
  settled(): Promise<void> {
    return this.#tail.then(
      () => undefined,
      () => undefined,
    );
  }

  async #handle(
    domainEvent: EventObject,
    tracking: Tracking,
    context: ProjectedEventContext,
  ): Promise<void> {
    const { definition, store } = this.#options;
    const upstream: UpstreamEvent = {
      type: context.topic,
      event: domainEvent,
      aggregate: context.aggregate,
      aggregateId: aggregateIdOf(context),
      version: context.version,
      position: context.notification.id,
    };
    const correlationId = definition.correlate(upstream);
    if (correlationId === undefined) {
      await store.insertTracking(tracking);
      return;
    }
    if (typeof correlationId !== 'string' || correlationId.length === 0) {
      throw new ProgrammingError(
        `Process '${definition.name}': correlate returned ${typeof correlationId === 'string' ? 'an empty string' : String(correlationId)}; expected a non-empty string, or undefined to skip the event`,
      );
    }
    const record = await store.loadInstance(definition.name, correlationId);
    if (record?.done === true) {
      await store.insertTracking(tracking);
      return;
    }
    const now = this.#now();
    const received: EventObject[] = [];
    let first: StepResult;
    if (record === undefined) {
      const started = startInstance(definition.name, this.#machine, correlationId, now);
      received.push(upstream);
      const stepped = stepInstance(definition.name, this.#machine, started.state, upstream, now);
      first = {
        state: stepped.state,
        commands: [...started.commands, ...stepped.commands],
        effects: [...started.effects, ...stepped.effects],
      };
    } else {
      const state = decodeInstance(this.#machine, record, this.#options.transcoder);
      received.push(upstream);
      first = stepInstance(definition.name, this.#machine, state, upstream, now);
    }
    const cause = `event:${context.notification.eventId}`;
    const result = await this.#runCommands(correlationId, cause, first, received);
    const saved = encodeInstance(
      definition.name,
      this.#machine,
      correlationId,
      result.state,
      this.#options.transcoder,
    );
    await store.saveInstance(saved, tracking);
    this.#after(saved, result, received);
  }

  /** Executes a step's commands, feeding each reply back; more commands may follow. */
  async #runCommands(
    correlationId: string,
    cause: string,
    first: StepResult,
    received: EventObject[],
  ): Promise<StepResult> {
    const { definition } = this.#options;
    const queue = [...first.commands];
    const all: ProcessCommandEvent[] = [];
    const effects = [...first.effects];
    let state = first.state;
    for (let index = 0; queue.length > 0; index++) {
      if (index >= MAX_COMMANDS_PER_STEP) {
        throw new ProgrammingError(
          `Process '${definition.name}' instance '${correlationId}' sent more than ${MAX_COMMANDS_PER_STEP} commands in one step (does it answer every reply with another command?)`,
        );
      }
      const command = queue.shift() as ProcessCommandEvent;
      all.push(command);
      const reply = await this.#execute(correlationId, cause, index, command);
      received.push(reply);
      const next = stepInstance(definition.name, this.#machine, state, reply, this.#now());
      state = next.state;
      queue.push(...next.commands);
      effects.push(...next.effects);
    }
    return { state, commands: all, effects };
  }

  async #execute(
    correlationId: string,
    cause: string,
    index: number,
    request: ProcessCommandEvent,
  ): Promise<ProcessReplyEvent> {
    const { definition, repository } = this.#options;
    const aggregate = request.definition;
    const known = definition.aggregateNamed(aggregate?.name);
    if (known === undefined || known !== aggregate) {
      throw new ProgrammingError(
        `Process '${definition.name}' sent a command to aggregate '${aggregate?.name}', which is not among its aggregates (defineProcess({ aggregates }))`,
      );
    }
    const base = `${definition.name}\u0000${correlationId}\u0000`;
    const commandId = uuidV5(
      request.key === undefined
        ? `${base}${cause}\u0000${index}`
        : `${base}key\u0000${request.key}`,
    );
    const where = { aggregate: aggregate.name, aggregateId: request.id, command: request.command };
    const attempts = this.#options.commandAttempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      try {
        const actor = await repository.get(aggregate, request.id);
        const recordings = await actor.execute(request.command as never, {
          commandId,
          correlationId: `${definition.name}:${correlationId}`,
          causationId: cause,
        });
        const last = recordings.at(-1);
        return {
          type: 'aggregate.executed',
          ...where,
          key: request.key,
          events: recordings.map((recording) => recording.event),
          version: last?.notification.originatorVersion ?? actor.version,
          position: last?.notification.id,
        };
      } catch (error) {
        if (error instanceof OperationalError && attempt < attempts) {
          await new Promise((resolve) => setTimeout(resolve, 50 * 4 ** (attempt - 1)));
          continue;
        }
        if (!(error instanceof EventSourcingError) || error instanceof ProgrammingError) {
          throw error;
        }
        return { type: 'aggregate.rejected', ...where, key: request.key, error };
      }
    }
  }

  /** After a save: re-arm the instance's timer, run its custom actions, report the step. */
  #after(record: ProcessInstanceRecord, result: StepResult, received: EventObject[]): void {
    this.#arm(record);
    for (const effect of result.effects) {
      try {
        effect();
      } catch (error) {
        console.warn(
          `[eventsourcing-kurrentdb] process '${record.processName}' instance '${record.correlationId}': an action failed after its state was saved:`,
          error,
        );
      }
    }
    this.#options.onStep?.({
      correlationId: record.correlationId,
      received,
      commands: result.commands,
      state: result.state,
    });
  }

  #arm(record: ProcessInstanceRecord): void {
    const { correlationId, nextTimerAt } = record;
    const armed = this.#armed.get(correlationId);
    if (armed !== undefined && armed.at === nextTimerAt) return;
    armed?.cancel();
    this.#armed.delete(correlationId);
    if (nextTimerAt === undefined || !this.#timersOn) return;
    const cancel = setLongTimeout(
      () => {
        this.#armed.delete(correlationId);
        this.#serial(() => this.#fire(correlationId)).catch((error: unknown) =>
          this.#options.onTimerFailure(error),
        );
      },
      Math.max(0, nextTimerAt - this.#now()),
    );
    this.#armed.set(correlationId, { at: nextTimerAt, cancel });
  }

  /** Fires the instance's due timers, each a step of its own, then saves. */
  async #fire(correlationId: string): Promise<void> {
    if (!this.#timersOn) return;
    const { definition, store, transcoder } = this.#options;
    const record = await store.loadInstance(definition.name, correlationId);
    if (record === undefined || record.done) return;
    let state = decodeInstance(this.#machine, record, transcoder);
    const received: EventObject[] = [];
    const commands: ProcessCommandEvent[] = [];
    const effects: (() => void)[] = [];
    // Timers a little early count as due (timer callbacks may run a millisecond ahead).
    while (state.snapshot.status === 'active') {
      const due = state.timers[0];
      if (due === undefined || due.dueAt > this.#now() + 1) break;
      const rest = { ...state, timers: state.timers.slice(1) };
      received.push(due.event);
      const first = stepInstance(definition.name, this.#machine, rest, due.event, this.#now());
      const cause = `timer:${due.id}@${due.dueAt}`;
      const result = await this.#runCommands(correlationId, cause, first, received);
      state = result.state;
      commands.push(...result.commands);
      effects.push(...result.effects);
    }
    const saved = encodeInstance(definition.name, this.#machine, correlationId, state, transcoder);
    await store.saveInstance(saved);
    this.#after(saved, { state, commands, effects }, received);
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(work, work);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/** The aggregate id of an upstream event: its stream name without `<Aggregate>-`. */
function aggregateIdOf(context: ProjectedEventContext): string {
  const prefix = `${context.aggregate}-`;
  return context.streamName.startsWith(prefix)
    ? context.streamName.slice(prefix.length)
    : context.streamName;
}
