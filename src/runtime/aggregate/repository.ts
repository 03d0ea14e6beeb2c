/**
 * The repository: gets and creates aggregate actors, keeps live ones in an LRU cache, passivates
 * idle ones to their snapshot, and de-duplicates concurrent loads of one aggregate.
 *
 * @module
 */
import type { AnyStateMachine } from 'xstate';
import { ProgrammingError } from '../../core/errors.js';
import type { AggregateActor } from './aggregate-actor.js';
import { AggregateInstance } from './aggregate-instance.js';
import type { AggregateRuntimeSettings, AppliedChange, Settles } from './aggregate-runtime.js';
import { checkAggregateId, checkDefinition, checkOptionsObject } from './check-arguments.js';
import type { AggregateDefinition } from './define-aggregate.js';

/** Options of {@link Repository.get}. */
export interface GetOptions {
  /** A past version (stream revision): gives a read-only actor rebuilt from events only. */
  readonly version?: number;
}

export class Repository {
  readonly #runtime: AggregateRuntimeSettings;
  /** Live and passivated aggregates by stream name, least recently used first. */
  readonly #cache = new Map<string, AggregateInstance>();
  readonly #loading = new Map<string, Promise<AggregateInstance>>();
  /** Every aggregate definition used with this repository, by name. */
  readonly #definitions = new Map<string, AggregateDefinition>();
  /** Aggregates with commands queued or running (cached ones, and created ones not yet stored). */
  readonly #busy = new Set<Settles>();
  /** Who watches which aggregate (by stream name), whichever instance applies its events. */
  readonly #watchers = new Map<string, Set<(change: AppliedChange) => void>>();
  #sweeper: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(runtime: AggregateRuntimeSettings) {
    this.#runtime = {
      ...runtime,
      isClosed: () => this.#closed,
      onCrash: (instance) => this.#cache.delete(instance.streamName),
      onApplied: (change) => {
        const watchers = this.#watchers.get(change.streamName);
        if (watchers !== undefined) for (const watcher of watchers) watcher(change);
      },
      onBusy: (aggregate, busy) => {
        if (busy) this.#busy.add(aggregate);
        else this.#busy.delete(aggregate);
      },
    };
    if (runtime.idleTimeoutMs > 0 && Number.isFinite(runtime.idleTimeoutMs)) {
      const every = Math.max(10, Math.min(runtime.idleTimeoutMs / 2, 10_000));
      this.#sweeper = setInterval(() => this.passivateIdle(), every);
      this.#sweeper.unref();
    }
  }

  /**
   * The aggregate's live actor: from the cache (fast-forwarded from its version unless
   * `AGGREGATE_CACHE_FASTFORWARD` is off), else loaded from its latest snapshot and events.
   * With `{ version }`, a read-only actor at that past version.
   *
   * @throws AggregateNotFoundError when the aggregate has no events (at that version).
   * @throws DecodingError when a stored event can't be decoded, upcast or applied.
   * @throws ProgrammingError for a definition that is not one, an id that is not a non-empty,
   *   well-formed string (or whose stream name starts with `$`), options that are not an object.
   */
  async get<M extends AnyStateMachine>(
    definition: AggregateDefinition<M>,
    id: string,
    options: GetOptions = {},
  ): Promise<AggregateActor<M>> {
    this.#checkOpen();
    checkDefinition(definition, 'repository.get');
    checkAggregateId(definition, id);
    checkOptionsObject(options, `repository.get(${definition.name}, '${id}')`);
    this.#definitions.set(definition.name, definition);
    if (options.version !== undefined) {
      return (await AggregateInstance.loadAt(
        this.#runtime,
        definition,
        id,
        options.version,
      )) as AggregateActor<M>;
    }
    const key = definition.streamName(id);
    const cached = this.#cache.get(key);
    if (cached !== undefined) {
      this.#checkSameDefinition(cached, definition);
      this.#touch(key, cached);
      if (this.#runtime.fastForwardOnGet || !cached.live) await cached.fastForward();
      return cached.actor() as AggregateActor<M>;
    }
    let loading = this.#loading.get(key);
    if (loading === undefined) {
      loading = AggregateInstance.load(this.#runtime, definition, id).finally(() =>
        this.#loading.delete(key),
      );
      this.#loading.set(key, loading);
      const instance = await loading;
      this.#remember(key, instance);
      return instance.actor() as AggregateActor<M>;
    }
    await loading;
    return this.get(definition, id);
  }

  /**
   * A new aggregate actor with no events. It is cached once its first command is stored; if the
   * aggregate already has events, that first append fails with `IntegrityError`.
   *
   * @throws ProgrammingError for a definition that is not one, or an id that is not a non-empty,
   *   well-formed string (or whose stream name starts with `$`).
   */
  async create<M extends AnyStateMachine>(
    definition: AggregateDefinition<M>,
    id: string,
  ): Promise<AggregateActor<M>> {
    this.#checkOpen();
    checkDefinition(definition, 'repository.create');
    checkAggregateId(definition, id);
    this.#definitions.set(definition.name, definition);
    const instance = AggregateInstance.fresh(this.#runtime, definition, id, (persisted) => {
      const key = persisted.streamName;
      const previous = this.#cache.get(key);
      if (previous !== undefined && previous !== persisted) previous.passivate();
      this.#remember(key, persisted);
    });
    return instance.actor() as AggregateActor<M>;
  }

  /**
   * Calls `watcher` each time this application applies stored events of the aggregate — a
   * command's, or a fast-forward's — through any actor of it, across passivation, eviction and
   * reload.
   *
   * @returns a function that stops the watching.
   */
  watch(
    definition: AggregateDefinition,
    id: string,
    watcher: (change: AppliedChange) => void,
  ): () => void {
    const key = checkAggregateId(definition, id);
    let watchers = this.#watchers.get(key);
    if (watchers === undefined) {
      watchers = new Set();
      this.#watchers.set(key, watchers);
    }
    watchers.add(watcher);
    return () => {
      watchers.delete(watcher);
      if (watchers.size === 0 && this.#watchers.get(key) === watchers) this.#watchers.delete(key);
    };
  }

  /** The definition last used with this repository under `name`. */
  definitionNamed(name: string): AggregateDefinition | undefined {
    return this.#definitions.get(name);
  }

  /** The cached instance of an aggregate, if any (for snapshots and tests). */
  instanceOf(definition: AggregateDefinition, id: string): AggregateInstance | undefined {
    return this.#cache.get(definition.streamName(id));
  }

  /** How many aggregates the cache holds, and how many of them are live actors. */
  get cacheStats(): { readonly size: number; readonly live: number } {
    let live = 0;
    for (const instance of this.#cache.values()) if (instance.live) live++;
    return { size: this.#cache.size, live };
  }

  /** Passivates every live aggregate idle for longer than the idle timeout (or `olderThanMs`). */
  passivateIdle(olderThanMs = this.#runtime.idleTimeoutMs): number {
    const now = performance.now();
    let passivated = 0;
    for (const instance of this.#cache.values()) {
      if (instance.live && now - instance.lastUsed >= olderThanMs && instance.passivate()) {
        passivated++;
      }
    }
    return passivated;
  }

  /** Stops every aggregate (after its queued commands) and the idle sweeper. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweeper);
    await Promise.allSettled(this.#loading.values());
    await Promise.all([...this.#busy].map((aggregate) => aggregate.settled()));
    await Promise.all([...this.#cache.values()].map((instance) => instance.stop()));
    this.#cache.clear();
  }

  #remember(key: string, instance: AggregateInstance): void {
    this.#cache.set(key, instance);
    this.#touch(key, instance);
    if (this.#cache.size <= this.#runtime.cacheMaxSize) return;
    for (const [oldKey, old] of this.#cache) {
      if (this.#cache.size <= this.#runtime.cacheMaxSize) break;
      if (old === instance || old.busy) continue;
      old.passivate();
      this.#cache.delete(oldKey);
    }
  }

  #touch(key: string, instance: AggregateInstance): void {
    this.#cache.delete(key);
    this.#cache.set(key, instance);
  }

  #checkSameDefinition(instance: AggregateInstance, definition: AggregateDefinition): void {
    if (instance.definition !== definition) {
      throw new ProgrammingError(
        instance.definition.name === definition.name
          ? `Stream '${instance.streamName}' is cached with another definition of aggregate '${definition.name}' (two defineAggregate calls for one stream in one application)`
          : `Stream '${instance.streamName}' belongs to aggregate '${instance.definition.name}', not '${definition.name}'`,
      );
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new ProgrammingError('The application is closed');
  }
}
