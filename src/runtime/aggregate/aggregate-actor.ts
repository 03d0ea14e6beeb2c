/**
 * The aggregate actor users hold: a real XState actor of the aggregate's machine (so
 * `getSnapshot`, `subscribe`, `on`, `system`, inspection and `sendTo` from other machines all
 * work), whose commands go through the command path instead of straight into the machine.
 *
 * @module
 */
import type {
  ActorOptions,
  AnyMachineSnapshot,
  AnyStateMachine,
  EventObject,
  InspectionEvent,
  Observer,
} from 'xstate';
import { Actor } from 'xstate';
import { ProgrammingError } from '../../core/errors.js';
import type { Notification } from '../../core/stored-event.js';
import { describeValue } from '../../core/well-formed.js';
import type { ExecuteMetadataOptions } from './command-ids.js';
import type { AggregateDefinition, CommandOf, DomainEventOf } from './define-aggregate.js';
import { foldEvents, hasEnabledTransition } from './pure-transition.js';

/** A domain event as it was recorded: the event and its notification (with the commit id). */
export interface Recording<E extends EventObject = EventObject> {
  readonly event: E;
  /** The stored event with `id`: the `$all` commit position of its append (a `bigint`). */
  readonly notification: Notification;
}

/** A state computed ahead by a pure fold: `to` is what the events make of `from`. */
export interface EvolvedState {
  readonly from: AnyMachineSnapshot;
  readonly to: AnyMachineSnapshot;
}

/** Options of {@link AggregateActor.execute}. */
export interface ExecuteOptions extends ExecuteMetadataOptions {}

/** What executes an actor's commands: the runtime's per-aggregate mailbox. */
export interface CommandExecutor {
  execute(command: EventObject, options: ExecuteOptions): Promise<Recording[]>;
  /** Reports the failure of a command that was `send`-ed (fire and forget). */
  reportSendFailure(command: EventObject, error: unknown): void;
}

/** How an {@link AggregateActor} is built (by the repository). */
export interface AggregateActorOptions {
  readonly definition: AggregateDefinition;
  readonly aggregateId: string;
  readonly snapshot: AnyMachineSnapshot;
  readonly version: number;
  /** Absent for a read-only actor (a past version). */
  readonly executor?: CommandExecutor;
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
}

type BaseSend = (this: unknown, event: EventObject) => void;
const baseSend = (Actor.prototype as unknown as { _send: BaseSend })._send;

/**
 * An aggregate instance as an XState actor.
 *
 * - `execute(command)` decides, persists and applies (see the repository); resolves with the
 *   recordings, or rejects with `CommandRejectedError`, `IntegrityError`, `PersistenceError`.
 * - `send(command)` (also `sendTo` from another machine) executes it fire-and-forget; a failure
 *   is reported to the application's `onSendFailure` (by default logged).
 * - Domain events can't be sent from outside: they are applied only after they were stored.
 * - `version` is the stream revision of the last applied event (0-based; -1 before the first).
 */
export class AggregateActor<M extends AnyStateMachine = AnyStateMachine> extends Actor<M> {
  readonly definition: AggregateDefinition<M>;
  readonly aggregateId: string;
  readonly streamName: string;
  #version: number;
  readonly #executor: CommandExecutor | undefined;
  #applying = false;
  readonly #inspected: boolean;

  constructor(options: AggregateActorOptions) {
    const actorOptions = {
      snapshot: options.snapshot,
      id: options.definition.streamName(options.aggregateId),
      ...(options.inspect === undefined ? {} : { inspect: options.inspect }),
    } as ActorOptions<M>;
    super(options.definition.machine as M, actorOptions);
    this.definition = options.definition as AggregateDefinition<M>;
    this.aggregateId = options.aggregateId;
    this.streamName = options.definition.streamName(options.aggregateId);
    this.#version = options.version;
    this.#executor = options.executor;
    this.#inspected = options.inspect !== undefined;
    // A transition that throws puts the actor in 'error'; the runtime reports it (see applyStored).
    this.subscribe({ error: () => undefined });
    this.start();
  }

  /** Stream revision of the last applied event; -1 for an aggregate with no events yet. */
  get version(): number {
    return this.#version;
  }

  /** True for an actor at a past version: it can be read, not commanded. */
  get readOnly(): boolean {
    return this.#executor === undefined;
  }

  /**
   * Executes a command: decide, append with the expected revision, then apply.
   *
   * @returns one recording per emitted domain event (empty when the command emitted none).
   */
  execute(
    command: CommandOf<M>,
    options: ExecuteOptions = {},
  ): Promise<Recording<DomainEventOf<M>>[]> {
    if (this.#executor === undefined) {
      return Promise.reject(
        new ProgrammingError(
          `${this.definition.name} '${this.aggregateId}' at version ${this.#version} is read-only (a past version); get the current one to execute commands`,
        ),
      );
    }
    return this.#executor.execute(command as EventObject, options) as Promise<
      Recording<DomainEventOf<M>>[]
    >;
  }

  /**
   * Applies stored domain events (runtime use only).
   *
   * @param evolved the state they lead to from the current one, when the command path already
   *   computed it (deciding checks that the events apply); unwatched, the actor takes it as is.
   * @returns false if the machine took no transition for one of them (nothing after it applied).
   * @internal
   */
  applyStored(
    events: readonly EventObject[],
    lastVersion: number,
    evolved?: EvolvedState,
  ): boolean {
    let applied: boolean;
    if (this.#observed()) applied = this.#sendAll(events);
    else if (evolved !== undefined && evolved.from === this.getSnapshot()) {
      (this as unknown as { _snapshot: AnyMachineSnapshot })._snapshot = evolved.to;
      applied = true;
    } else applied = this.#foldAll(events);
    if (applied) this.#version = lastVersion;
    return applied;
  }

  /**
   * Whether anyone sees this actor's transitions: an inspector given at creation, or
   * subscribers / emitted-event listeners (besides the actor's own error observer).
   */
  #observed(): boolean {
    if (this.#inspected) return true;
    const internals = this as unknown as {
      readonly observers?: { readonly size: number };
      readonly eventListeners?: { readonly size: number };
    };
    // Internals of XState 5's Actor; should they ever be missing, take the watched path.
    if (internals.observers === undefined || internals.eventListeners === undefined) return true;
    return internals.observers.size > 1 || internals.eventListeners.size > 0;
  }

  /** Watched: each event goes through the actor, so observers and inspectors see it. */
  #sendAll(events: readonly EventObject[]): boolean {
    this.#applying = true;
    try {
      for (const event of events) {
        const before = this.getSnapshot();
        this.send(event as never);
        const after = this.getSnapshot() as AnyMachineSnapshot;
        if (after.status === 'error') return false;
        if (after === before && !hasEnabledTransition(before as AnyMachineSnapshot, event)) {
          return false;
        }
      }
      return true;
    } finally {
      this.#applying = false;
    }
  }

  /**
   * Unwatched: the events are folded with XState's pure transition and the actor takes the
   * result — the same state without a macrostep per event through the actor's mailbox (the
   * command path's largest cost). Domain-event transitions are pure (assign and targets), so
   * nothing is lost; other actions of theirs don't run here, as they don't on replay.
   */
  #foldAll(events: readonly EventObject[]): boolean {
    const fold = foldEvents(
      this.definition.machine,
      this.getSnapshot() as AnyMachineSnapshot,
      events,
    );
    if (!fold.ok) return false;
    (this as unknown as { _snapshot: AnyMachineSnapshot })._snapshot = fold.snapshot;
    return true;
  }

  /**
   * XState delivers every event through `_send` (also `sendTo` from other actors). Domain events
   * pass only while the runtime applies stored ones; commands go to the command path.
   * @internal
   */
  _send(event: EventObject): void {
    if (this.#applying || (typeof event?.type === 'string' && event.type.startsWith('xstate.'))) {
      baseSend.call(this, event);
      return;
    }
    const executor = this.#executor;
    const failure =
      typeof event !== 'object' || event === null || typeof event.type !== 'string'
        ? new ProgrammingError(
            `${this.definition.name} '${this.aggregateId}': can't send ${describeValue(event)}${typeof event === 'object' && event !== null ? ' without a string type' : ''}; send a command object such as { type: '…' }`,
          )
        : executor === undefined
          ? new ProgrammingError(
              `${this.definition.name} '${this.aggregateId}' is read-only; '${event.type}' was not executed`,
            )
          : this.definition.eventTypes.has(event.type)
            ? new ProgrammingError(
                `Domain event '${event.type}' can't be sent to ${this.definition.name} '${this.aggregateId}': domain events are applied only after they are stored; send a command`,
              )
            : undefined;
    if (failure !== undefined) {
      (executor ?? consoleReporter).reportSendFailure(event, failure);
      return;
    }
    executor
      ?.execute(event, {})
      .catch((error: unknown) => executor.reportSendFailure(event, error));
  }
}

const consoleReporter: Pick<CommandExecutor, 'reportSendFailure'> = {
  reportSendFailure: (command, error) =>
    console.warn(`[eventsourcing-kurrentdb] command '${String(command?.type)}' failed:`, error),
};
