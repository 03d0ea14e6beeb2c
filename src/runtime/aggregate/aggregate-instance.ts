/**
 * One aggregate in the runtime: its version, its state (a live actor, or only its snapshot when
 * passivated), its mailbox (commands run one at a time in arrival order), its lifecycle actor, and
 * the command path: validate → decide → encode → append with the expected revision → apply.
 *
 * @module
 */
import type { Actor, AnyMachineSnapshot, EventObject } from 'xstate';
import { createActor } from 'xstate';
import { aggregateLifecycleMachine } from '../../../machines/aggregate-lifecycle.js';
import type { AppendedEvents } from '../../core/aggregate-recorder.js';
import { type ConflictMessage, conflictChannel } from '../../core/diagnostics.js';
import {
  AggregateNotFoundError,
  CommandRejectedError,
  DecodingError,
  IntegrityError,
  isIntegrityError,
  ProgrammingError,
} from '../../core/errors.js';
import type { Notification, StoredEvent } from '../../core/stored-event.js';
import { AggregateActor, type ExecuteOptions, type Recording } from './aggregate-actor.js';
import type { AggregateRuntimeSettings, Settles } from './aggregate-runtime.js';
import { checkExecuteOptions } from './check-arguments.js';
import { CommandIdIndex, commandMetadata, eventIdsFor } from './command-ids.js';
import { decide, validateCommand } from './decide.js';
import type { AggregateDefinition } from './define-aggregate.js';
import { decodeEvent } from './event-codec.js';
import { recordDecision } from './record-decision.js';
import { replay } from './replay.js';
import type { LoadedSnapshot } from './snapshot-store.js';

type Lifecycle = Actor<typeof aggregateLifecycleMachine>;

/** Starts the lifecycle actor of one aggregate (in `loading`), inspected like the aggregate. */
function startLifecycle(
  runtime: AggregateRuntimeSettings,
  definition: AggregateDefinition,
  aggregateId: string,
): Lifecycle {
  const inspect = runtime.inspect();
  const lifecycle = createActor(aggregateLifecycleMachine, {
    input: { aggregate: definition.name, id: aggregateId },
    id: `lifecycle:${definition.streamName(aggregateId)}`,
    ...(inspect === undefined ? {} : { inspect }),
  });
  return lifecycle.start();
}

/** Called when an instance's first append succeeded (so the repository can cache it). */
export type OnPersisted = (instance: AggregateInstance) => void;

export class AggregateInstance implements Settles {
  readonly definition: AggregateDefinition;
  readonly aggregateId: string;
  readonly streamName: string;
  readonly #runtime: AggregateRuntimeSettings;
  #version: number;
  #snapshot: AnyMachineSnapshot;
  #commandIds: CommandIdIndex | undefined;
  #actor: AggregateActor | undefined;
  #lifecycle: Lifecycle | undefined;
  /** Whether the lifecycle actor was created with an inspector watching. */
  #lifecycleInspected = false;
  #isNew: boolean;
  #onPersisted: OnPersisted | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;
  #stopped = false;
  /** `performance.now()` of the last use, for idle passivation. */
  lastUsed = performance.now();

  private constructor(
    runtime: AggregateRuntimeSettings,
    definition: AggregateDefinition,
    aggregateId: string,
    state: { version: number; snapshot: AnyMachineSnapshot; commandIds?: CommandIdIndex },
    isNew: boolean,
  ) {
    this.#runtime = runtime;
    this.definition = definition;
    this.aggregateId = aggregateId;
    this.streamName = definition.streamName(aggregateId);
    this.#version = state.version;
    this.#snapshot = state.snapshot;
    this.#commandIds = state.commandIds;
    this.#isNew = isNew;
  }

  /** A new aggregate with no events: the first append must create its stream. */
  static fresh(
    runtime: AggregateRuntimeSettings,
    definition: AggregateDefinition,
    aggregateId: string,
    onPersisted: OnPersisted,
  ): AggregateInstance {
    const instance = new AggregateInstance(
      runtime,
      definition,
      aggregateId,
      { version: -1, snapshot: definition.initialSnapshot() },
      true,
    );
    instance.#onPersisted = onPersisted;
    return instance;
  }

  /**
   * Loads an aggregate: the latest snapshot (when enabled) plus the events after it.
   *
   * @throws AggregateNotFoundError when the stream has no events.
   * @throws DecodingError for an event that can't be decoded, upcast or applied.
   */
  static async load(
    runtime: AggregateRuntimeSettings,
    definition: AggregateDefinition,
    aggregateId: string,
  ): Promise<AggregateInstance> {
    const streamName = definition.streamName(aggregateId);
    const lifecycle = startLifecycle(runtime, definition, aggregateId);
    try {
      const latest = await runtime.snapshots?.latest(definition, streamName);
      let state: Awaited<ReturnType<typeof loadState>>;
      try {
        state = await loadState(runtime, definition, streamName, latest);
      } catch (error) {
        // A snapshot can never brick an aggregate: if the events after it don't apply to it (a
        // snapshot of an older machine, or written before the transcoder kept a Set a Set),
        // replay the whole stream instead.
        if (latest === undefined || !(error instanceof DecodingError)) throw error;
        runtime.warn(
          `Ignoring the snapshot of '${streamName}' at version ${latest.version}: the events after it don't apply to it (${error.message}); replaying the stream instead`,
          error,
        );
        state = await loadState(runtime, definition, streamName, undefined);
      }
      if (state === undefined) {
        throw new AggregateNotFoundError(
          definition.name,
          aggregateId,
          `${definition.name} '${aggregateId}' not found (stream '${streamName}' has no events)`,
        );
      }
      const instance = new AggregateInstance(runtime, definition, aggregateId, state, false);
      instance.#lifecycle = lifecycle;
      return instance;
    } catch (error) {
      lifecycle.send({ type: 'loadFailed', error: (error as Error)?.message ?? String(error) });
      lifecycle.stop();
      throw error;
    }
  }

  /**
   * A read-only actor at `version` (events only, never a snapshot).
   *
   * @throws AggregateNotFoundError when the stream has no event at that version.
   */
  static async loadAt(
    runtime: AggregateRuntimeSettings,
    definition: AggregateDefinition,
    aggregateId: string,
    version: number,
  ): Promise<AggregateActor> {
    const streamName = definition.streamName(aggregateId);
    if (!Number.isSafeInteger(version) || version < 0) {
      throw new ProgrammingError(`Version ${version} is not a stream revision (0, 1, 2, …)`);
    }
    const stored = await runtime.recorder.selectEvents(streamName, { lte: version });
    if (stored.at(-1)?.originatorVersion !== version) {
      throw new AggregateNotFoundError(
        definition.name,
        aggregateId,
        `${definition.name} '${aggregateId}' version ${version} not found (stream '${streamName}' has ${stored.length} event(s) up to it)`,
      );
    }
    const events = await decodeAll(runtime, definition, stored);
    const inspect = runtime.inspect();
    return new AggregateActor({
      definition,
      aggregateId,
      snapshot: replay(definition, definition.initialSnapshot(), events, stored),
      version,
      ...(inspect === undefined ? {} : { inspect }),
    });
  }

  get version(): number {
    return this.#version;
  }

  /** True while a command or fast-forward is queued or running. */
  get busy(): boolean {
    return this.#pending > 0;
  }

  /** True when it has a live actor (not passivated). */
  get live(): boolean {
    return this.#actor !== undefined;
  }

  /** The live actor, created from the snapshot if the aggregate was passivated. */
  actor(): AggregateActor {
    if (this.#stopped) throw this.#closedError();
    this.lastUsed = performance.now();
    if (this.#actor !== undefined) return this.#actor;
    const inspect = this.#runtime.inspect();
    const lifecycle =
      this.#lifecycle ?? startLifecycle(this.#runtime, this.definition, this.aggregateId);
    this.#lifecycleInspected = inspect !== undefined;
    this.#actor = new AggregateActor({
      definition: this.definition,
      aggregateId: this.aggregateId,
      snapshot: this.#snapshot,
      version: this.#version,
      executor: {
        execute: (command, options) => this.execute(command, options),
        reportSendFailure: (command, error) => this.#runtime.onSendFailure(command, error),
      },
      ...(inspect === undefined ? {} : { inspect }),
    });
    lifecycle.send({ type: 'loaded', version: this.#version });
    this.#lifecycle = lifecycle;
    return this.#actor;
  }

  #closedError(): ProgrammingError {
    return new ProgrammingError(
      `${this.definition.name} '${this.aggregateId}' belongs to a closed application`,
    );
  }

  /**
   * The lifecycle actor while live (for inspection and tests). Without an inspector, a command
   * that succeeds at once skips the ready → executing → ready round trip, which changes nothing.
   */
  get lifecycle(): Lifecycle | undefined {
    return this.#lifecycle;
  }

  /** Queues a command; commands of one aggregate run one at a time, in arrival order. */
  execute(command: EventObject, options: ExecuteOptions): Promise<Recording[]> {
    if (this.#stopped || this.#runtime.isClosed?.() === true) {
      return Promise.reject(this.#closedError());
    }
    try {
      checkExecuteOptions(options, `${this.definition.name} '${this.aggregateId}'.execute`);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#enqueue(() => this.#run(command, options));
  }

  /** Queues a read of the events stored after the current version, and applies them. */
  fastForward(): Promise<void> {
    return this.#enqueue(() => this.#fastForward());
  }

  /**
   * Drops the live actor and keeps only the snapshot (when idle). The next use recreates it.
   *
   * @returns false if it is busy (nothing done).
   */
  passivate(): boolean {
    if (this.#pending > 0) return false;
    this.#dropActor('passivate');
    return true;
  }

  /** Stops the live actor for good (the application closes); queued work finishes first. */
  async stop(): Promise<void> {
    await this.settled();
    this.#dropActor('stop');
    this.#stopped = true;
  }

  #dropActor(event: 'passivate' | 'stop' | 'crash'): void {
    const actor = this.#actor;
    if (actor === undefined) return;
    this.#snapshot = actor.getSnapshot() as AnyMachineSnapshot;
    this.#actor = undefined;
    actor.stop();
    this.#lifecycle?.send(
      event === 'crash'
        ? { type: 'crashed', error: 'the machine failed to apply stored events' }
        : { type: event },
    );
    this.#lifecycle?.stop();
    this.#lifecycle = undefined;
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    // An idle mailbox starts the work at once (one promise hop less); otherwise it queues.
    const idle = this.#pending === 0;
    this.#pending++;
    if (idle) this.#runtime.onBusy?.(this, true);
    const result = idle ? work() : this.#tail.then(work);
    this.#tail = result.then(this.#dequeued, this.#dequeued);
    return result;
  }

  readonly #dequeued = (): void => {
    if (--this.#pending === 0) this.#runtime.onBusy?.(this, false);
  };

  /** Resolves once the commands queued so far have settled. */
  settled(): Promise<void> {
    return this.#tail.then(ignore, ignore);
  }

  async #run(command: EventObject, options: ExecuteOptions): Promise<Recording[]> {
    const actor = this.actor();
    const lifecycle = this.#lifecycle as Lifecycle;
    // ready → executing → ready changes nothing in the lifecycle's state or context, so without
    // an inspector to show it the round trip is taken only when something else happens on the way
    // (a conflict, a rejection, a failure).
    let executing = false;
    const enterExecuting = () => {
      if (executing) return;
      executing = true;
      lifecycle.send({ type: 'execute', command });
    };
    if (this.#lifecycleInspected) enterExecuting();
    const leave = (version: number) => {
      if (executing) lifecycle.send({ type: 'executed', version });
    };
    try {
      const validated = validateCommand(this, actor.getSnapshot(), command);
      const checked = validated instanceof Promise ? await validated : validated;
      const metadata = commandMetadata(options, this.#runtime.transcoder);
      const { commandId } = options;
      for (let attempt = 0; ; attempt++) {
        const span = commandId === undefined ? undefined : this.#commandIds?.get(commandId);
        if (span !== undefined) {
          const recordings = await this.#recordingsOf(span.from, span.count);
          leave(this.#version);
          return recordings;
        }
        const decidedOn = actor.getSnapshot() as AnyMachineSnapshot;
        const emitted = decide(this, decidedOn, checked);
        if (emitted.length === 0) {
          leave(this.#version);
          return [];
        }
        const recorded = recordDecision(
          this,
          this.#runtime.transcoder,
          decidedOn,
          checked.type,
          emitted,
          {
            streamName: this.streamName,
            firstVersion: this.#version + 1,
            eventIds: eventIdsFor(this.streamName, commandId, emitted.length),
            metadata,
          },
        );
        const { stored, events, evolved } = recorded instanceof Promise ? await recorded : recorded;
        let appended: AppendedEvents;
        try {
          appended = await this.#runtime.recorder.appendEvents(stored);
        } catch (error) {
          if (!isIntegrityError(error)) throw error;
          if (this.#isNew) {
            throw new IntegrityError(
              `${this.definition.name} '${this.aggregateId}' already exists (stream '${this.streamName}' has events): get it instead of creating it`,
              { cause: error },
            );
          }
          if (attempt >= this.#runtime.retries) {
            throw new IntegrityError(
              `${this.definition.name} '${this.aggregateId}': command '${checked.type}' still conflicted after ${attempt} retries (another writer keeps appending to '${this.streamName}')`,
              { cause: error },
            );
          }
          enterExecuting();
          lifecycle.send({ type: 'conflict', attempt: attempt + 1 });
          if (conflictChannel.hasSubscribers) {
            const message: ConflictMessage = {
              aggregate: this.definition.name,
              aggregateId: this.aggregateId,
              command: checked.type,
              attempt: attempt + 1,
            };
            conflictChannel.publish(message);
          }
          await delay(this.#runtime.retryDelayMs * 2 ** attempt * (0.5 + Math.random()));
          await this.#fastForward();
          lifecycle.send({ type: 'retry' });
          continue;
        }
        // The versions are the store's: a soft-deleted stream continues its numbering.
        const last = appended.lastVersion;
        const first = last - events.length + 1;
        if (!actor.applyStored(events, last, { from: decidedOn, to: evolved })) {
          this.#dropActor('crash');
          this.#runtime.onCrash?.(this);
          throw new ProgrammingError(
            `${this.definition.name} '${this.aggregateId}': the machine failed to apply the events of '${checked.type}' after they were stored (version ${last}); the aggregate will be reloaded from the store`,
          );
        }
        this.#version = last;
        const { ids } = appended;
        const recordings: Recording[] = [];
        for (let index = 0; index < events.length; index++) {
          const record = stored[index] as StoredEvent;
          const notification: Notification = {
            originatorId: record.originatorId,
            originatorVersion: first + index,
            topic: record.topic,
            state: record.state,
            metadata: record.metadata,
            eventId: record.eventId,
            id: ids[index] as bigint,
          };
          this.#noteCommandId(notification);
          recordings.push({ event: events[index] as EventObject, notification });
        }
        if (this.#isNew) {
          this.#isNew = false;
          this.#onPersisted?.(this);
          this.#onPersisted = undefined;
        }
        this.#runtime.onApplied?.({
          streamName: this.streamName,
          events,
          firstVersion: first,
          version: last,
          snapshot: this.#currentSnapshot(),
        });
        if (this.#runtime.snapshots !== undefined) await this.#maybeSnapshot(first, last);
        leave(last);
        return recordings;
      }
    } catch (error) {
      const kind = error instanceof CommandRejectedError ? 'rejected' : 'failed';
      if (this.#lifecycle === lifecycle) enterExecuting();
      this.#lifecycle?.send({ type: kind, error: (error as Error)?.message ?? String(error) });
      throw error;
    } finally {
      this.lastUsed = performance.now();
    }
  }

  async #fastForward(): Promise<void> {
    const stored = await this.#runtime.recorder.selectEvents(
      this.streamName,
      this.#version < 0 ? {} : { gt: this.#version },
    );
    if (stored.length === 0) return;
    const events = await decodeAll(this.#runtime, this.definition, stored);
    const last = (stored.at(-1) as StoredEvent).originatorVersion;
    const actor = this.#actor;
    // Fold the whole batch first, so the live one never half-applies; unwatched, it takes that.
    const current = this.#currentSnapshot();
    const next = replay(this.definition, current, events, stored);
    if (actor === undefined) this.#snapshot = next;
    else actor.applyStored(events, last, { from: current, to: next });
    this.#version = last;
    this.#isNew = false;
    for (const record of stored) this.#noteCommandId(record);
    this.#lifecycle?.send({ type: 'fastForwarded', version: last });
    this.#runtime.onApplied?.({
      streamName: this.streamName,
      events,
      firstVersion: (stored[0] as StoredEvent).originatorVersion,
      version: last,
      snapshot: next,
    });
  }

  /** The recordings of events already stored, with their original notification ids. */
  async #recordingsOf(from: number, count: number): Promise<Recording[]> {
    const stored = await this.#runtime.recorder.selectEvents(this.streamName, {
      gt: from - 1,
      lte: from + count - 1,
    });
    // Re-appending the same events (same ids, same versions) is idempotent: nothing is written
    // and the store answers with the original positions.
    const ids = await this.#runtime.recorder.insertEvents(stored);
    const events = await decodeAll(this.#runtime, this.definition, stored);
    return events.map((event, index) => ({
      event,
      notification: { ...(stored[index] as StoredEvent), id: ids[index] as bigint },
    }));
  }

  async #maybeSnapshot(first: number, last: number): Promise<void> {
    const store = this.#runtime.snapshots;
    const interval = this.#runtime.snapshotInterval(this.definition);
    if (store === undefined || interval === undefined) return;
    if (Math.floor((last + 1) / interval) === Math.floor(first / interval)) return;
    try {
      await store.save(
        this.definition,
        this.streamName,
        last,
        this.#currentSnapshot(),
        this.#commandIds,
      );
    } catch (error) {
      this.#runtime.warn(
        `Snapshot of '${this.streamName}' at version ${last} failed; the command succeeded`,
        error,
      );
    }
  }

  #currentSnapshot(): AnyMachineSnapshot {
    return (this.#actor?.getSnapshot() as AnyMachineSnapshot | undefined) ?? this.#snapshot;
  }

  /** The current state and version (for snapshots). */
  current(): { version: number; snapshot: AnyMachineSnapshot; commandIds?: CommandIdIndex } {
    return {
      version: this.#version,
      snapshot: this.#currentSnapshot(),
      ...(this.#commandIds === undefined ? {} : { commandIds: this.#commandIds }),
    };
  }

  #noteCommandId(record: StoredEvent): void {
    if (record.metadata.commandId === undefined) return;
    this.#commandIds ??= new CommandIdIndex();
    this.#commandIds.noteEvent(record.metadata, record.originatorVersion);
  }
}

/**
 * The state of an aggregate from its latest snapshot (if any) and the events after it;
 * `undefined` when there is neither.
 */
async function loadState(
  runtime: AggregateRuntimeSettings,
  definition: AggregateDefinition,
  streamName: string,
  latest: LoadedSnapshot | undefined,
): Promise<
  { version: number; snapshot: AnyMachineSnapshot; commandIds?: CommandIdIndex } | undefined
> {
  const stored = await runtime.recorder.selectEvents(
    streamName,
    latest === undefined ? {} : { gt: latest.version },
  );
  if (stored.length === 0 && latest === undefined) return undefined;
  const events = await decodeAll(runtime, definition, stored);
  const commandIds = latest?.commandIds.copy() ?? new CommandIdIndex();
  for (const record of stored) commandIds.noteEvent(record.metadata, record.originatorVersion);
  const initial = latest?.snapshot ?? definition.initialSnapshot();
  return {
    version: stored.at(-1)?.originatorVersion ?? (latest?.version as number),
    snapshot: replay(definition, initial, events, stored),
    ...(commandIds.size > 0 ? { commandIds } : {}),
  };
}

/** Decodes stored events, awaiting only when an async schema is involved. */
async function decodeAll(
  runtime: AggregateRuntimeSettings,
  definition: AggregateDefinition,
  stored: readonly StoredEvent[],
): Promise<EventObject[]> {
  const decoded = stored.map((record) => decodeEvent(definition, record, runtime.transcoder));
  return decoded.some((event) => event instanceof Promise)
    ? Promise.all(decoded)
    : (decoded as EventObject[]);
}

function ignore(): void {}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
