/**
 * `ProcessRunner`: runs a process manager (`defineProcess`) over an application's events.
 *
 * It is a projection runner whose view is a process store (`MemoryProcessStore` by default;
 * `SQLiteProcessStore` for durable processes, chosen like a view by
 * `<PROCESSNAME>_PERSISTENCE_MODULE`, else `PERSISTENCE_MODULE`), so it has the projection
 * runner's guarantees: it resumes after the store's last tracking id, resubscribes with backoff
 * when the connection drops, and a failing step (a machine that throws, a state that can't be
 * stored) stops it with a `ProjectionError` naming the upstream event. Each upstream event is one
 * step of the instance it correlates to (see `ProcessEngine`), saved with its tracking in one
 * store transaction; delayed transitions are durable timers kept in the instance's state and
 * armed again on start. Its lifecycle actor (`machines/projection-lifecycle.ts`) and, with an
 * inspector, one actor per process instance appear in the Stately inspector.
 *
 * @module
 */
import type { Observable } from 'rxjs';
import { Subject } from 'rxjs';
import type { AnyMachineSnapshot } from 'xstate';
import { MemoryProcessStore } from '../adapters/memory/process-store.js';
import type { EnvironmentValues } from '../core/environment.js';
import { ProgrammingError, ProjectionError } from '../core/errors.js';
import type { ProcessStore } from '../core/process-store.js';
import { describeValue } from '../core/well-formed.js';
import type { InspectObserver } from '../runtime/aggregate/aggregate-runtime.js';
import {
  checkProcessDefinition,
  type ProcessDefinition,
} from '../runtime/process/define-process.js';
import { decodeInstance } from '../runtime/process/instance-record.js';
import { ProcessEngine, type ProcessStepReport } from '../runtime/process/process-engine.js';
import type { DurableTimer } from '../runtime/process/process-step.js';
import { Projection } from '../runtime/projection/projection.js';
import type { Application, ApplicationOptions } from './application.js';
import type { ViewModule, ViewOption } from './create-view.js';
import { mirrorProcess, type ProcessMirror } from './process-mirror.js';
import {
  type ProjectionProgress,
  ProjectionRunner,
  type RunnerWaitOptions,
} from './projection-runner.js';

export interface ProcessRunnerOptions<A extends Application> {
  /** The application whose events it processes and whose aggregates it commands. */
  readonly application: (new (options?: ApplicationOptions) => A) | A;
  readonly process: ProcessDefinition;
  /** The store class, or one per persistence module. @defaultValue MemoryProcessStore */
  readonly store?: ViewOption<ProcessStore>;
  /** Settings for the application and the store (over `process.env`). */
  readonly env?: EnvironmentValues;
  /** Backoff between resubscriptions, as the projection runner's. */
  readonly retry?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number };
  /** Start at once. @defaultValue true */
  readonly start?: boolean;
  /**
   * An XState inspection observer: the runner's lifecycle and one actor per process instance
   * (its machine's current state), and the aggregates each instance commands.
   * @defaultValue the application's inspectors when the runner is built (`app.inspector()`)
   */
  readonly inspect?: InspectObserver;
  /** Print a progress line while catching up (as the projection runner). @defaultValue false */
  readonly progressLine?: boolean | 'auto';
}

/** A process instance as stored. */
export interface ProcessInstanceState {
  readonly correlationId: string;
  /** The machine's snapshot (`value`, `context`, `status`, `matches`…). */
  readonly snapshot: AnyMachineSnapshot;
  /** True once it reached a final state. */
  readonly done: boolean;
  /** Its pending durable timers, soonest first. */
  readonly timers: readonly DurableTimer[];
}

export class ProcessRunner<A extends Application = Application> implements AsyncDisposable {
  readonly application: A;
  readonly process: ProcessDefinition;
  readonly store: ProcessStore;
  readonly viewModule: ViewModule;
  readonly #runner: ProjectionRunner<A, ProcessStore, Projection<ProcessStore>>;
  readonly #engine: ProcessEngine;
  readonly #ownsApplication: boolean;
  readonly #steps = new Subject<ProcessStepReport>();
  readonly #mirror: ProcessMirror | undefined;
  #timerError: ProjectionError | undefined;
  #closed: Promise<void> | undefined;

  /**
   * @throws ProgrammingError for options that are not an object or a process that is not a
   *   process definition (checked before anything is opened).
   * @throws ConfigurationError when the store can't be built (as a projection runner's view).
   */
  constructor(options: ProcessRunnerOptions<A>) {
    if (typeof options !== 'object' || options === null) {
      throw new ProgrammingError(
        `The options of a ProcessRunner are ${describeValue(options)}, not an object`,
      );
    }
    const definition = checkProcessDefinition(options.process, 'ProcessRunner');
    this.process = definition;
    const { application } = options;
    this.#ownsApplication = typeof application === 'function';
    this.application =
      typeof application === 'function'
        ? new application(options.env === undefined ? {} : { env: options.env })
        : application;
    const inspect = options.inspect ?? this.application.inspector();
    const mirror =
      inspect === undefined ? undefined : mirrorProcess(this.application, definition, inspect);
    const root = mirror?.root;
    let engine: ProcessEngine | undefined;
    const runner = this;
    const app = this.application;
    class ProcessProjection extends Projection<ProcessStore> {
      static override projectionName = definition.name;
      static override topics = definition.topics;
      constructor(store: ProcessStore) {
        super(store);
        engine = new ProcessEngine({
          definition,
          repository: app.repository,
          store,
          transcoder: app.transcoder,
          applicationName: app.name,
          onTimerFailure: (error) => runner.#timerFailed(error),
          onStep: (report) => runner.#steps.next(report),
        });
      }
      override processEvent(
        ...args: Parameters<Projection<ProcessStore>['processEvent']>
      ): Promise<void> {
        return (engine as ProcessEngine).handle(...args);
      }
    }
    try {
      this.#runner = new ProjectionRunner({
        application: this.application,
        projection: ProcessProjection,
        view: options.store ?? MemoryProcessStore,
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.retry === undefined ? {} : { retry: options.retry }),
        ...(root === undefined ? {} : { parent: root }),
        aggregates: definition.aggregates,
        progressLine: options.progressLine ?? false,
        batchSize: 1,
        start: false,
      });
    } catch (error) {
      root?.stop();
      if (this.#ownsApplication) this.application.close().catch(() => undefined);
      throw error;
    }
    this.#engine = engine as unknown as ProcessEngine;
    this.store = this.#runner.view;
    this.viewModule = this.#runner.viewModule;
    this.#mirror = mirror;
    if (mirror !== undefined) this.#steps.subscribe((report) => mirror.step(report));
    if (options.start !== false) this.start();
  }

  /** Each step once its state is saved: the events the instance received, the commands it sent. */
  get steps$(): Observable<ProcessStepReport> {
    return this.#steps.asObservable();
  }

  /** Progress while running (as the projection runner's). */
  get progress$(): Observable<ProjectionProgress> {
    return this.#runner.progress$;
  }

  /** The runner's lifecycle actor. */
  get lifecycle(): ProjectionRunner['lifecycle'] {
    return this.#runner.lifecycle;
  }

  /** The error that stopped the runner, if any. */
  get error(): ProjectionError | undefined {
    return this.#runner.error ?? this.#timerError;
  }

  /** Starts processing (again, after `stop()`): arms the stored timers and subscribes. */
  start(): void {
    if (this.error !== undefined) return;
    this.#runner.start();
    this.#engine.startTimers().catch((error: unknown) => this.#timerFailed(error));
  }

  /** Stops after the step in progress; timers are disarmed (and armed again on `start`). */
  async stop(): Promise<void> {
    this.#engine.stopTimers();
    await this.#runner.stop();
    await this.#engine.settled();
  }

  /**
   * Resolves when the upstream event `notificationId` of the application was processed (its step
   * saved).
   *
   * @throws ProjectionError when the runner failed; TimeoutError after `timeout` (default 1000).
   */
  async wait(notificationId: bigint, options: RunnerWaitOptions = {}): Promise<void> {
    if (this.#timerError !== undefined) throw this.#timerError;
    await this.#runner.wait(notificationId, options);
  }

  /** The stored state of the instance `correlationId`, or `undefined` when it has none. */
  async instance(correlationId: string): Promise<ProcessInstanceState | undefined> {
    const record = await this.store.loadInstance(this.process.name, correlationId);
    if (record === undefined) return undefined;
    const state = decodeInstance(this.process.machine, record, this.application.transcoder);
    return {
      correlationId,
      snapshot: state.snapshot,
      done: record.done,
      timers: state.timers,
    };
  }

  /** Stops, closes the store (and the application it built), and rethrows a failure. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#closed ??= (async () => {
      await this.stop();
      this.#mirror?.stop();
      this.#steps.complete();
      const error = this.#runner.error;
      try {
        await this.#runner[Symbol.asyncDispose]();
      } catch (thrown) {
        if (thrown !== error) throw thrown;
      }
      if (this.#ownsApplication) await this.application.close();
    })();
    await this.#closed;
    const error = this.error;
    if (error !== undefined) throw error;
  }

  #timerFailed(error: unknown): void {
    if (this.#timerError !== undefined || this.#runner.error !== undefined) return;
    this.#timerError = new ProjectionError(
      `Process '${this.process.name}' failed on a durable timer: ${(error as Error)?.message ?? String(error)}`,
      { cause: error },
    );
    this.#engine.stopTimers();
    this.#runner.stop().catch(() => undefined);
  }
}

export type { ProcessStepReport };
