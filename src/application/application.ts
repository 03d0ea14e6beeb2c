/**
 * `Application`: the base class of an event-sourced application. It reads its settings from the
 * environment (with the upper-cased application name as prefix), builds the persistence module,
 * and gives a `repository` of aggregate actors.
 *
 * Settings (each looked up as `<NAME>_<KEY>` first, then `<KEY>`; class `env` < `process.env` <
 * constructor `env`):
 *
 * | key | default | meaning |
 * |---|---|---|
 * | `PERSISTENCE_MODULE`, `KURRENTDB_URI`, `KURRENTDB_ROOT_CERTIFICATES` | | see `createPersistence` |
 * | `IS_SNAPSHOTTING_ENABLED` | no (yes when `snapshottingIntervals` is set) | snapshots are stored and used |
 * | `AGGREGATE_CACHE_MAXSIZE` | 10000 | aggregates kept (LRU); ≤ 0 = no limit |
 * | `AGGREGATE_IDLE_TIMEOUT` | 60 | seconds before an idle live aggregate is passivated; 0 = never |
 * | `AGGREGATE_CACHE_FASTFORWARD` | yes | `get` reads events stored since the cached version |
 * | `AGGREGATE_COMMAND_RETRIES` | 3 | decisions retried after a concurrency conflict |
 *
 * @module
 */
import type { AnyStateMachine, EventObject } from 'xstate';
import type { ApplicationRecorder } from '../core/application-recorder.js';
import { Environment, type EnvironmentValues } from '../core/environment.js';
import { booleanSetting, numberSetting } from '../core/environment-settings.js';
import { ProgrammingError } from '../core/errors.js';
import { type AnyTranscoding, Transcoder } from '../core/transcoder.js';
import type { LocalInspector, StartInspectorOptions } from '../inspect/start-inspector.js';
import type { AggregateActor } from '../runtime/aggregate/aggregate-actor.js';
import type { InspectObserver } from '../runtime/aggregate/aggregate-runtime.js';
import type { AggregateDefinition } from '../runtime/aggregate/define-aggregate.js';
import { Repository } from '../runtime/aggregate/repository.js';
import { SnapshotStore, type Warn } from '../runtime/aggregate/snapshot-store.js';
import { createPersistence, type Persistence } from './persistence.js';

/** Environment keys read by {@link Application}. */
export const IS_SNAPSHOTTING_ENABLED = 'IS_SNAPSHOTTING_ENABLED';
export const AGGREGATE_CACHE_MAXSIZE = 'AGGREGATE_CACHE_MAXSIZE';
export const AGGREGATE_IDLE_TIMEOUT = 'AGGREGATE_IDLE_TIMEOUT';
export const AGGREGATE_CACHE_FASTFORWARD = 'AGGREGATE_CACHE_FASTFORWARD';
export const AGGREGATE_COMMAND_RETRIES = 'AGGREGATE_COMMAND_RETRIES';

export interface ApplicationOptions {
  /** The application name (prefix of its settings). @defaultValue `applicationName` or the class name */
  readonly name?: string;
  /** Settings that override `process.env` and the class `env`. */
  readonly env?: EnvironmentValues;
  /** An XState inspection observer for every aggregate and lifecycle actor. */
  readonly inspect?: InspectObserver;
  /** A command sent with `actor.send(...)` (fire and forget) failed. @defaultValue logs a warning */
  readonly onSendFailure?: (command: EventObject, error: unknown) => void;
  /** Warnings (e.g. an ignored snapshot). @defaultValue `console.warn` */
  readonly warn?: Warn;
  /**
   * More transcodings, besides the class's `transcodings` and the built-in ones (`Date`, bigint,
   * `Map`, `Set`, `Uint8Array`, `URL`).
   */
  readonly transcodings?: readonly AnyTranscoding[];
}

/**
 * Subclass it and write the application's commands and queries with `this.repository`.
 *
 * @example
 * ```ts
 * class TrainingSchool extends Application {
 *   async register(name: string) {
 *     const dog = await this.repository.create(Dog, name);
 *     return (await dog.execute({ type: 'register', name })).at(-1)!.notification.id;
 *   }
 * }
 * ```
 */
export class Application implements AsyncDisposable {
  /** Default settings of the class (lowest precedence). */
  static env: EnvironmentValues = {};
  /** The application name when it isn't the class name. */
  static applicationName: string | undefined;
  /**
   * The application's aggregate types: how projections decode its events (the repository also
   * learns every definition it is used with).
   */
  static aggregates: readonly AggregateDefinition[] = [];
  /**
   * How values that are not plain JSON are stored in events, metadata and snapshots, besides the
   * built-in `Date`, bigint, `Map`, `Set`, `Uint8Array` and `URL` (see `Transcoder`). A value with
   * no transcoding (a class instance, a function, `NaN`, …) is refused when a command emits it.
   */
  static transcodings: readonly AnyTranscoding[] = [];
  /** Events between snapshots per aggregate name; setting it enables snapshotting. */
  static snapshottingIntervals: Readonly<Record<string, number>> | undefined;

  readonly name: string;
  readonly env: Environment;
  readonly persistence: Persistence;
  /** The application's events and notifications (`maxNotificationId()`, `subscribe()`, …). */
  readonly recorder: ApplicationRecorder;
  readonly repository: Repository;
  /** Encodes and decodes the application's event payloads, metadata values and snapshots. */
  readonly transcoder: Transcoder;
  readonly #snapshots: SnapshotStore | undefined;
  readonly #inspectors: InspectObserver[] = [];
  readonly #closers: (() => Promise<void>)[] = [];
  #closed: Promise<void> | undefined;

  constructor(options: ApplicationOptions = {}) {
    const type = new.target as typeof Application;
    this.name = options.name ?? type.applicationName ?? type.name;
    const intervals = type.snapshottingIntervals;
    const defaults = {
      ...type.env,
      ...(intervals === undefined ? {} : { [IS_SNAPSHOTTING_ENABLED]: 'y' }),
    };
    this.env = new Environment(this.name, defaults, process.env, options.env ?? {});
    const settings = readSettings(this.env);
    this.transcoder = new Transcoder([...type.transcodings, ...(options.transcodings ?? [])]);
    this.persistence = createPersistence({ name: this.name, defaults, env: options.env ?? {} });
    this.recorder = this.persistence.applicationRecorder;
    const warn: Warn =
      options.warn ??
      ((message, detail) => console.warn(`[${this.name}] ${message}`, detail ?? ''));
    this.#snapshots = settings.snapshotting
      ? new SnapshotStore(this.persistence.snapshotRecorder, warn, this.transcoder)
      : undefined;
    if (options.inspect !== undefined) this.#inspectors.push(options.inspect);
    const onSendFailure =
      options.onSendFailure ??
      ((command: EventObject, error: unknown) =>
        warn(`Command '${String(command?.type)}' sent to an aggregate failed`, error));
    this.repository = new Repository({
      recorder: this.recorder,
      transcoder: this.transcoder,
      snapshots: this.#snapshots,
      snapshotInterval: (definition) => intervals?.[definition.name] ?? definition.snapshotInterval,
      retries: settings.retries,
      retryDelayMs: 5,
      cacheMaxSize: settings.cacheMaxSize,
      idleTimeoutMs: settings.idleTimeoutMs,
      fastForwardOnGet: settings.fastForward,
      inspect: () => this.#inspect(),
      warn,
      onSendFailure,
    });
  }

  /** The aggregate definition named `name`: from the class's `aggregates`, else the repository's. */
  aggregateDefinition(name: string): AggregateDefinition | undefined {
    const declared = (this.constructor as typeof Application).aggregates.find(
      (definition) => definition.name === name,
    );
    return declared ?? this.repository.definitionNamed(name);
  }

  /** True when snapshots are stored and used (`IS_SNAPSHOTTING_ENABLED`). */
  get isSnapshottingEnabled(): boolean {
    return this.#snapshots !== undefined;
  }

  /**
   * Stores a snapshot of an aggregate at its current version, or at `version` (rebuilt from
   * events). An older snapshot than the latest stored is not written.
   *
   * @throws ProgrammingError when snapshotting is not enabled.
   */
  async takeSnapshot<M extends AnyStateMachine>(
    definition: AggregateDefinition<M>,
    id: string,
    version?: number,
  ): Promise<void> {
    const store = this.#snapshots;
    if (store === undefined) {
      throw new ProgrammingError(
        `Snapshotting is not enabled for application '${this.name}': set ${this.env.createKeys(IS_SNAPSHOTTING_ENABLED).join(' or ')} to 'y', or give the class snapshottingIntervals`,
      );
    }
    const actor: AggregateActor<M> = await this.repository.get(
      definition,
      id,
      version === undefined ? {} : { version },
    );
    const commandIds =
      version === undefined
        ? this.repository.instanceOf(definition, id)?.current().commandIds
        : undefined;
    await store.save(definition, actor.streamName, actor.version, actor.getSnapshot(), commandIds);
    if (version !== undefined) actor.stop();
  }

  /**
   * Adds an XState inspection observer for the aggregates that become live from now on.
   *
   * @returns a function that removes it.
   */
  addInspector(observer: InspectObserver): () => void {
    this.#inspectors.push(observer);
    return () => {
      const index = this.#inspectors.indexOf(observer);
      if (index >= 0) this.#inspectors.splice(index, 1);
    };
  }

  /**
   * The application's inspection observers as one (those given as `inspect` and added by
   * {@link addInspector} or {@link inspect} so far), or `undefined` when there is none: a
   * `ProcessRunner` of the application uses it unless given its own.
   */
  inspector(): InspectObserver | undefined {
    return this.#inspect();
  }

  /**
   * Starts the Stately inspector for this application: a local server bound to 127.0.0.1 (never
   * a hosted relay) that shows every aggregate actor and lifecycle actor that becomes live from
   * now on — each command (as the lifecycle's `execute` event), the domain events applied, and
   * the resulting snapshots. Open `inspector.url` in a browser. Stopped by {@link close}.
   *
   * @example
   * ```ts
   * const inspector = await school.inspect({ sanitize: { contextFields: ['owner.email'] } });
   * console.log(`Open ${inspector.url}`);
   * ```
   */
  async inspect(options: StartInspectorOptions = {}): Promise<LocalInspector> {
    const { startInspector } = await import('../inspect/start-inspector.js');
    const inspector = await startInspector(options);
    const remove = this.addInspector(inspector.inspect);
    this.onClose(async () => {
      remove();
      await inspector.stop();
    });
    return inspector;
  }

  /**
   * Registers a function to run on {@link close} (before the recorders close).
   * @internal
   */
  onClose(closer: () => Promise<void>): void {
    this.#closers.push(closer);
  }

  /** Finishes queued commands, stops the aggregates, and closes the recorders. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.repository.close();
      for (const closer of this.#closers.splice(0)) await closer();
      await this.persistence.close();
    })();
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #inspect(): InspectObserver | undefined {
    const observers = this.#inspectors;
    if (observers.length === 0) return undefined;
    if (observers.length === 1) return observers[0];
    return (event) => {
      for (const observer of observers) {
        if (typeof observer === 'function') observer(event);
        else observer.next?.(event);
      }
    };
  }
}

interface Settings {
  readonly snapshotting: boolean;
  readonly cacheMaxSize: number;
  readonly idleTimeoutMs: number;
  readonly fastForward: boolean;
  readonly retries: number;
}

function readSettings(env: Environment): Settings {
  const maxSize =
    numberSetting(env, AGGREGATE_CACHE_MAXSIZE, { integer: true, min: -Infinity }) ?? 10_000;
  const idle = numberSetting(env, AGGREGATE_IDLE_TIMEOUT) ?? 60;
  const retries = numberSetting(env, AGGREGATE_COMMAND_RETRIES, { integer: true }) ?? 3;
  return {
    snapshotting: booleanSetting(env, IS_SNAPSHOTTING_ENABLED, false),
    cacheMaxSize: maxSize <= 0 ? Number.POSITIVE_INFINITY : maxSize,
    idleTimeoutMs: idle * 1000,
    fastForward: booleanSetting(env, AGGREGATE_CACHE_FASTFORWARD, true),
    retries,
  };
}
