/**
 * `fromAggregate(app, Dog)`: an aggregate as XState actor logic, so a machine can `spawnChild`,
 * `spawn` or `invoke` it (and `createActor` can run it at the top level) like any other logic.
 *
 * - `input` names the aggregate: `{ id }` loads it, `{ id, create: true }` starts a new one.
 * - The actor's snapshot carries the aggregate machine's snapshot (`state`, and its `value` and
 *   `context`), the aggregate's `version`, and a `phase` (`loading`, then `ready`).
 * - Commands sent to it (`sendTo`, `system.get(id).send`, `send`) run through the application's
 *   command path, one at a time per aggregate. Each gets a reply sent to its sender: the parent
 *   actor, or the `replyTo` ref the command carries: `aggregate.executed` with the stored domain
 *   events and their commit position, or `aggregate.rejected` with the typed error.
 * - Each stored domain event is emitted on the actor (`actor.on(type)` / `on('*')`), once, after
 *   it is stored, in stream order; never for a rejected or failed command. That holds for the
 *   events stored through any actor of the aggregate in the same application (another spawned
 *   one, the repository's), and the snapshot follows them: a ref is an identity, kept across
 *   passivation, eviction and reload.
 * - Domain events can't be sent in: they are refused with an `aggregate.rejected` reply.
 *
 * Built on XState's public custom-logic interface (`transition`, `getInitialSnapshot`, `start`,
 * `getPersistedSnapshot`, `restoreSnapshot`); outcomes of the asynchronous command path come
 * back to the actor as events (as `fromPromise` does), which only this module can make.
 *
 * @module
 */
import type {
  ActorLogic,
  ActorRefLike,
  AnyActorRef,
  AnyMachineSnapshot,
  AnyStateMachine,
  ContextFrom,
  EventObject,
  Snapshot,
  SnapshotFrom,
  StateValue,
} from 'xstate';
import { EventSourcingError, ProgrammingError } from '../core/errors.js';
import type { AggregateActor } from '../runtime/aggregate/aggregate-actor.js';
import type { AppliedChange } from '../runtime/aggregate/aggregate-runtime.js';
import type {
  AggregateDefinition,
  CommandOf,
  DomainEventOf,
} from '../runtime/aggregate/define-aggregate.js';
import type { Application } from './application.js';

/** What a spawned or invoked aggregate takes as `input`. */
export interface AggregateLogicInput {
  /** The aggregate id. */
  readonly id: string;
  /** Start a new aggregate with no events (its first command creates its stream). */
  readonly create?: boolean;
}

/** The snapshot of an aggregate actor made with {@link fromAggregate}. */
export type AggregateLogicSnapshot<M extends AnyStateMachine = AnyStateMachine> =
  Snapshot<undefined> & AggregateLogicState<M>;

/** What an aggregate actor's snapshot says of the aggregate. */
export interface AggregateLogicState<M extends AnyStateMachine = AnyStateMachine> {
  /** `loading` until the aggregate is loaded (or created), then `ready`. */
  readonly phase: 'loading' | 'ready';
  readonly aggregateId: string;
  /** The stream revision of the last applied event; -1 before the first. */
  readonly version: number;
  /** The aggregate machine's snapshot (`matches`, `hasTag`, `can` work on it). */
  readonly state: SnapshotFrom<M>;
  readonly value: StateValue;
  readonly context: ContextFrom<M>;
}

/** The reply to a command that was executed (its events are stored and applied). */
export interface AggregateExecutedEvent<M extends AnyStateMachine = AnyStateMachine> {
  readonly type: 'aggregate.executed';
  readonly aggregate: string;
  readonly aggregateId: string;
  readonly command: CommandOf<M>;
  /** The domain events stored, in order (none when the command emitted none). */
  readonly events: DomainEventOf<M>[];
  /** The aggregate's version after them. */
  readonly version: number;
  /** The commit position of the last event (`undefined` when none was stored). */
  readonly position: bigint | undefined;
}

/** The reply to a command that was not executed: nothing was stored. */
export interface AggregateRejectedEvent<M extends AnyStateMachine = AnyStateMachine> {
  readonly type: 'aggregate.rejected';
  readonly aggregate: string;
  readonly aggregateId: string;
  readonly command: CommandOf<M>;
  /** `CommandRejectedError`, `IntegrityError` after retries, `PersistenceError`, … */
  readonly error: EventSourcingError;
}

/** The replies an aggregate actor sends to the sender of a command. */
export type AggregateReplyEvent<M extends AnyStateMachine = AnyStateMachine> =
  | AggregateExecutedEvent<M>
  | AggregateRejectedEvent<M>;

/** A command as sent to an aggregate actor: optionally with who gets the reply. */
export type AggregateCommandEvent<M extends AnyStateMachine> = CommandOf<M> & {
  /** Gets the reply instead of the parent. */
  readonly replyTo?: ActorRefLike;
  /** Makes the command idempotent (see `execute`'s options). */
  readonly commandId?: string;
};

/** The actor logic of {@link fromAggregate}. */
export type AggregateLogic<M extends AnyStateMachine> = ActorLogic<
  AggregateLogicSnapshot<M>,
  AggregateCommandEvent<M>,
  AggregateLogicInput,
  // biome-ignore lint/suspicious/noExplicitAny: XState's own logic types use any for the system
  any,
  DomainEventOf<M>
>;

/** Events only this module makes: they carry a token nobody else holds. */
const TOKEN: unique symbol = Symbol('eventsourcing-kurrentdb aggregate logic');

type InternalEvent =
  | {
      readonly type: '@eventsourcing-kurrentdb.loaded';
      readonly [TOKEN]: true;
      readonly state: AnyMachineSnapshot;
      readonly version: number;
    }
  | {
      readonly type: '@eventsourcing-kurrentdb.applied';
      readonly [TOKEN]: true;
      readonly change: AppliedChange;
    }
  | {
      readonly type: '@eventsourcing-kurrentdb.failed';
      readonly [TOKEN]: true;
      readonly error: unknown;
    };

const isInternal = (event: EventObject): event is InternalEvent =>
  (event as { [TOKEN]?: unknown })[TOKEN] === true;

/** What one running aggregate actor holds besides its snapshot. */
interface Running {
  handle: AggregateActor | undefined;
  /** Commands that arrived while loading, with their senders. */
  readonly queued: { command: EventObject; replyTo: ActorRefLike | undefined }[];
  unsubscribe: (() => void) | undefined;
  stopped: boolean;
  /** Whether `input` asked for a new aggregate. */
  create: boolean;
}

/**
 * XState actor logic for `definition`, bound to `app`.
 *
 * @example
 * ```ts
 * const school = setup({ actors: { dog: fromAggregate(app, Dog) } }).createMachine({
 *   entry: spawnChild('dog', { id: 'fido', systemId: 'fido', input: { id: 'fido', create: true } }),
 *   on: { 'aggregate.executed': { actions: … }, 'aggregate.rejected': { actions: … } },
 * });
 * ```
 */
export function fromAggregate<M extends AnyStateMachine>(
  app: Application,
  definition: AggregateDefinition<M>,
): AggregateLogic<M> {
  const running = new WeakMap<AnyActorRef, Running>();
  const runningOf = (self: AnyActorRef): Running => {
    let state = running.get(self);
    if (state === undefined) {
      state = {
        handle: undefined,
        queued: [],
        unsubscribe: undefined,
        stopped: false,
        create: false,
      };
      running.set(self, state);
    }
    return state;
  };

  const snapshotOf = (
    aggregateId: string,
    phase: 'loading' | 'ready',
    state: AnyMachineSnapshot,
    version: number,
  ): AggregateLogicSnapshot<M> => ({
    status: 'active',
    output: undefined,
    error: undefined,
    phase,
    aggregateId,
    version,
    state: state as SnapshotFrom<M>,
    value: state.value,
    context: state.context as ContextFrom<M>,
  });

  const reply = (
    self: AnyActorRef,
    replyTo: ActorRefLike | undefined,
    event: AggregateReplyEvent<M>,
  ): void => {
    const target = replyTo ?? (self as { _parent?: AnyActorRef })._parent;
    target?.send(event);
  };

  const dispatch = (self: AnyActorRef, command: EventObject, replyTo: ActorRefLike | undefined) => {
    const run = runningOf(self);
    const handle = run.handle as AggregateActor;
    const {
      replyTo: _replyTo,
      commandId,
      ...plain
    } = command as EventObject & {
      replyTo?: unknown;
      commandId?: unknown;
    };
    const aggregateId = handle.aggregateId;
    // The aggregate's current instance (the handle's may have been evicted and reloaded since).
    const target = app.repository.instanceOf(definition, aggregateId) ?? handle;
    target
      .execute(plain as never, commandId === undefined ? {} : { commandId: commandId as string })
      .then(
        (recordings) => {
          const last = recordings.at(-1);
          reply(self, replyTo, {
            type: 'aggregate.executed',
            aggregate: definition.name,
            aggregateId,
            command: plain as CommandOf<M>,
            events: recordings.map((r) => r.event) as DomainEventOf<M>[],
            version:
              last?.notification.originatorVersion ??
              app.repository.instanceOf(definition, aggregateId)?.version ??
              handle.version,
            position: last?.notification.id,
          });
        },
        (error: unknown) => {
          reply(self, replyTo, {
            type: 'aggregate.rejected',
            aggregate: definition.name,
            aggregateId,
            command: plain as CommandOf<M>,
            error: asTyped(error),
          });
        },
      );
  };

  return {
    // The machine's config: what the Stately inspector draws for an actor (`logic.config`).
    config: definition.machine.config,
    getInitialSnapshot: (scope, input) => {
      if (typeof input !== 'object' || input === null || typeof input.id !== 'string') {
        throw new ProgrammingError(
          `fromAggregate(${definition.name}): input must be { id: string, create?: boolean }`,
        );
      }
      runningOf(scope.self).create = input.create === true;
      return snapshotOf(input.id, 'loading', definition.initialSnapshot(), -1);
    },
    start: (snapshot, scope) => {
      if (snapshot.phase === 'ready' || snapshot.status !== 'active') return;
      const { self } = scope;
      const loading = runningOf(self).create
        ? app.repository.create(definition, snapshot.aggregateId)
        : app.repository.get(definition, snapshot.aggregateId);
      loading.then(
        (handle) => {
          const run = runningOf(self);
          if (run.stopped) return;
          run.handle = handle as AggregateActor;
          run.unsubscribe = app.repository.watch(definition, snapshot.aggregateId, (change) => {
            if (run.stopped) return;
            self.send({
              type: '@eventsourcing-kurrentdb.applied',
              [TOKEN]: true,
              change,
            } satisfies InternalEvent as never);
          });
          self.send({
            type: '@eventsourcing-kurrentdb.loaded',
            [TOKEN]: true,
            state: handle.getSnapshot() as AnyMachineSnapshot,
            version: handle.version,
          } satisfies InternalEvent as never);
        },
        (error: unknown) => {
          self.send({
            type: '@eventsourcing-kurrentdb.failed',
            [TOKEN]: true,
            error,
          } satisfies InternalEvent as never);
        },
      );
    },
    transition: (snapshot, received, scope) => {
      const { self } = scope;
      const event = received as EventObject;
      if (event.type === 'xstate.stop') {
        const run = runningOf(self);
        run.stopped = true;
        run.unsubscribe?.();
        return { ...snapshot, status: 'stopped' } as AggregateLogicSnapshot<M>;
      }
      if (snapshot.status !== 'active') return snapshot;
      if (isInternal(event)) {
        switch (event.type) {
          case '@eventsourcing-kurrentdb.failed':
            return {
              ...snapshot,
              status: 'error',
              error: asTyped(event.error),
            } as AggregateLogicSnapshot<M>;
          case '@eventsourcing-kurrentdb.loaded': {
            const run = runningOf(self);
            const queued = run.queued.splice(0);
            for (const { command, replyTo } of queued) dispatch(self, command, replyTo);
            return snapshotOf(snapshot.aggregateId, 'ready', event.state, event.version);
          }
          case '@eventsourcing-kurrentdb.applied': {
            const { change } = event;
            if (change.version <= snapshot.version) return snapshot;
            // Each stored event once, in stream order, whichever actor of it stored it.
            change.events.forEach((domainEvent, index) => {
              if (change.firstVersion + index > snapshot.version) {
                scope.emit(domainEvent as DomainEventOf<M>);
              }
            });
            return snapshotOf(snapshot.aggregateId, 'ready', change.snapshot, change.version);
          }
        }
      }
      if (event.type.startsWith('xstate.')) return snapshot;
      const replyTo = (event as { replyTo?: ActorRefLike }).replyTo;
      if (definition.eventTypes.has(event.type)) {
        reply(self, replyTo, {
          type: 'aggregate.rejected',
          aggregate: definition.name,
          aggregateId: snapshot.aggregateId,
          command: event as CommandOf<M>,
          error: new ProgrammingError(
            `Domain event '${event.type}' can't be sent to ${definition.name} '${snapshot.aggregateId}': domain events are applied only after they are stored; send a command`,
          ),
        });
        return snapshot;
      }
      if (snapshot.phase === 'loading') {
        runningOf(self).queued.push({ command: event, replyTo });
        return snapshot;
      }
      dispatch(self, event, replyTo);
      return snapshot;
    },
    getPersistedSnapshot: (snapshot) => ({
      status: snapshot.status,
      output: undefined,
      error: undefined,
      phase: 'loading',
      aggregateId: snapshot.aggregateId,
      version: snapshot.version,
    }),
    restoreSnapshot: (persisted) => {
      const { aggregateId } = persisted as { aggregateId?: unknown };
      if (typeof aggregateId !== 'string') {
        throw new ProgrammingError(
          `fromAggregate(${definition.name}): a persisted snapshot without an aggregateId`,
        );
      }
      return snapshotOf(aggregateId, 'loading', definition.initialSnapshot(), -1);
    },
  } as AggregateLogic<M>;
}

function asTyped(error: unknown): EventSourcingError {
  return error instanceof EventSourcingError
    ? error
    : new ProgrammingError(`${(error as Error)?.message ?? String(error)}`, { cause: error });
}
