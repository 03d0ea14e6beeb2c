/**
 * `ProjectionRunner`: runs a projection of an application into its view. It builds the view
 * from the environment (`<PROJECTIONNAME>_PERSISTENCE_MODULE`, else `PERSISTENCE_MODULE`),
 * subscribes to the application's notifications after the view's last tracking id with the
 * projection's topics as a server-side filter, pulls them through a bounded buffer (a slow view
 * slows the subscription; memory stays bounded), and applies them in order — in one view
 * transaction per batch where the view can (SQLite, PostgreSQL), each event with its tracking
 * record, so nothing is applied twice or skipped across restarts.
 *
 * A dropped connection resubscribes with backoff from the last committed tracking id; a failing
 * handler (or an event that can't be decoded) stops the runner with a `ProjectionError` naming
 * the event's position, type and stream. Its lifecycle (connecting, catching up, live, retrying,
 * stopped, failed) is `machines/projection-lifecycle.ts`, visible in the Stately inspector.
 *
 * @module
 */
import type { Observable } from 'rxjs';
import { BehaviorSubject, concatMap, lastValueFrom, Subject, takeUntil } from 'rxjs';
import type { Actor, AnyActorRef } from 'xstate';
import { createActor } from 'xstate';
import { projectionLifecycleMachine } from '../../machines/projection-lifecycle.js';
import { Environment, type EnvironmentValues } from '../core/environment.js';
import {
  ConfigurationError,
  EventSourcingError,
  OperationalError,
  ProgrammingError,
  ProjectionError,
} from '../core/errors.js';
import { isPromiseLike } from '../core/promise-like.js';
import { checkMilliseconds, sleepUnlessAborted } from '../core/sleep.js';
import type { Notification } from '../core/stored-event.js';
import type { Subscription } from '../core/subscription.js';
import {
  checkWaitArguments,
  inBatch,
  type Tracking,
  type TrackingRecorder,
} from '../core/tracking-recorder.js';
import { describeValue } from '../core/well-formed.js';
import type { InspectObserver } from '../runtime/aggregate/aggregate-runtime.js';
import type { AggregateDefinition } from '../runtime/aggregate/define-aggregate.js';
import { decodeNotification } from '../runtime/projection/decode-notification.js';
import type { Projection } from '../runtime/projection/projection.js';
import { pullBatches } from '../runtime/projection/pull-batches.js';
import type { Application, ApplicationOptions } from './application.js';
import { createView, type ViewModule, type ViewOption } from './create-view.js';

/** How far a projection is, published on `progress$` while it runs. */
export interface ProjectionProgress {
  readonly state: 'connecting' | 'catchingUp' | 'live' | 'retrying' | 'stopped' | 'failed';
  /** The last processed notification id (`undefined` before the first). */
  readonly position: bigint | undefined;
  /** The application's last notification id when the subscription started. */
  readonly head: bigint | undefined;
  /** Events processed since the runner started. */
  readonly processed: number;
  /** Events per second over the last second or so. */
  readonly eventsPerSecond: number;
}

export interface ProjectionRunnerOptions<
  A extends Application,
  V extends TrackingRecorder,
  P extends Projection<TrackingRecorder>,
> {
  /** The application class (constructed with `env`, closed by the runner), or an instance. */
  readonly application: (new (options?: ApplicationOptions) => A) | A;
  readonly projection: new (view: V) => P;
  /** The view class, or one class per persistence module. */
  readonly view: ViewOption<V>;
  /** Settings for the application and the view (over `process.env`). */
  readonly env?: EnvironmentValues;
  /** Most events per view transaction: a positive whole number. @defaultValue 100 */
  readonly batchSize?: number;
  /**
   * Longest wait for a batch to fill while live, in ms: a number ≥ 0, or `Infinity` for none (a
   * batch is then cut by size only); any length is honoured, 2³¹ ms (about 24.8 days) and more
   * included. @defaultValue 20
   */
  readonly batchDeadlineMs?: number;
  /**
   * Most notifications read ahead of the view: a whole number ≥ `batchSize`.
   * @defaultValue 1000, or `batchSize` when that is larger
   */
  readonly highWaterMark?: number;
  /**
   * Backoff between resubscriptions after a connection failure, in ms: numbers ≥ 0 (any length),
   * `Infinity` for a pause that only `stop()` ends. @defaultValue `{ initialDelayMs: 100, maxDelayMs: 5000 }`
   */
  readonly retry?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number };
  /** Start at once. @defaultValue true */
  readonly start?: boolean;
  /**
   * Print a progress line while catching up: `true`, `false`, or `'auto'` (when stderr is a
   * terminal). @defaultValue 'auto'
   */
  readonly progressLine?: boolean | 'auto';
  /** An XState inspection observer for the runner's lifecycle actor. */
  readonly inspect?: InspectObserver;
  /**
   * Aggregate definitions to decode events with, before the application's (`aggregates` of its
   * class, then those its repository has met): name them when the runner starts in a process
   * that has not used them yet.
   */
  readonly aggregates?: readonly AggregateDefinition[];
  /**
   * An actor the runner's lifecycle actor is made a child of (so it joins that actor's system and
   * its inspection); `inspect` is then ignored.
   */
  readonly parent?: AnyActorRef;
}

/** Options of {@link ProjectionRunner.wait}. */
export interface RunnerWaitOptions {
  /**
   * How long to wait, in milliseconds: a number ≥ 0 (also 2³¹ ms and more), or `Infinity` to
   * wait without a time limit (until the id is processed, the runner stops or fails).
   * @defaultValue 1000
   */
  readonly timeout?: number;
}

export class ProjectionRunner<
  A extends Application = Application,
  V extends TrackingRecorder = TrackingRecorder,
  P extends Projection<TrackingRecorder> = Projection<V>,
> implements AsyncDisposable
{
  readonly application: A;
  readonly projection: P;
  readonly view: V;
  /** Which module the view lives in. */
  readonly viewModule: ViewModule;
  /** The runner's lifecycle actor (`machines/projection-lifecycle.ts`). */
  readonly lifecycle: Actor<typeof projectionLifecycleMachine>;
  readonly #ownsApplication: boolean;
  readonly #options: ProjectionRunnerOptions<A, V, P>;
  readonly #progress: BehaviorSubject<ProjectionProgress>;
  readonly #stop$ = new Subject<void>();
  #interrupt = new AbortController();
  #loop: Promise<void> | undefined;
  #subscription: Subscription<Notification> | undefined;
  #error: ProjectionError | undefined;
  #stopped = false;
  #closed: Promise<void> | undefined;
  #ticker: NodeJS.Timeout | undefined;
  readonly #rate = { at: performance.now(), processed: 0, perSecond: 0 };
  #processed = 0;
  /** The batch being applied, so stopping waits for it to commit or roll back whole. */
  #current: Promise<void> | undefined;

  /**
   * Builds the application (when given its class), the view (from the environment) and the
   * projection, and starts unless `start: false`.
   *
   * @throws ProgrammingError for malformed options (checked before anything is opened).
   * @throws ConfigurationError when the view can't be built (see `createView`: an unknown module,
   *   a missing setting, a view constructor that throws — naming the view, with its error as the
   *   `cause`) or the projection's constructor throws (likewise). The application the runner
   *   built is closed first (its closing has begun when this throws: the constructor cannot wait
   *   for it), and so is a view it built; an application instance passed in is left open.
   */
  constructor(options: ProjectionRunnerOptions<A, V, P>) {
    checkRunnerOptions(options);
    this.#options = options;
    const { application } = options;
    this.#ownsApplication = typeof application === 'function';
    this.application =
      typeof application === 'function'
        ? new application(options.env === undefined ? {} : { env: options.env })
        : application;
    let view: V | undefined;
    try {
      const name =
        (options.projection as unknown as typeof Projection).projectionName ??
        options.projection.name;
      const env = new Environment(name, process.env, options.env ?? {});
      const created = createView(options.view, env);
      view = created.view;
      this.view = created.view;
      this.viewModule = created.module;
      this.projection = constructProjection(options.projection, created.view);
    } catch (error) {
      // Close what was opened, in the background: a constructor cannot wait.
      if (view !== undefined) closeInBackground(view);
      if (this.#ownsApplication) closeInBackground(this.application);
      throw error;
    }
    this.lifecycle = createActor(projectionLifecycleMachine, {
      id: `projection:${this.projection.name}`,
      input: { projection: this.projection.name, application: this.application.name },
      ...(options.parent !== undefined
        ? { parent: options.parent }
        : options.inspect === undefined
          ? {}
          : { inspect: options.inspect }),
    }).start();
    this.#progress = new BehaviorSubject<ProjectionProgress>({
      state: 'connecting',
      position: undefined,
      head: undefined,
      processed: 0,
      eventsPerSecond: 0,
    });
    if (options.start !== false) this.start();
  }

  /** Progress while running: state, position vs head, events/s. Completes when the runner ends. */
  get progress$(): Observable<ProjectionProgress> {
    return this.#progress.asObservable();
  }

  /** The error that stopped the runner, if any. */
  get error(): ProjectionError | undefined {
    return this.#error;
  }

  /** Starts processing (again, after `stop()`). */
  start(): void {
    if (this.#loop !== undefined || this.#error !== undefined) return;
    this.#stopped = false;
    this.#interrupt = new AbortController();
    this.#loop = this.#run().finally(() => {
      this.#loop = undefined;
    });
    this.#startProgressLine();
  }

  /**
   * Stops after the batch in progress (which commits or rolls back whole). Never throws; the
   * error that stopped a failed runner stays in {@link error} and is rethrown by `wait` and
   * dispose.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stop$.next();
    this.#subscription?.stop();
    await this.#current?.catch(() => undefined);
    await this.#loop;
    this.#stopProgressLine();
    if (this.#error === undefined && this.lifecycle.getSnapshot().status === 'active') {
      this.lifecycle.send({ type: 'stop' });
      this.#publish({ state: 'stopped' });
    }
    this.#interrupt.abort();
  }

  /**
   * Resolves when the view has processed `notificationId` of the application.
   *
   * @throws ProjectionError when the runner failed (also while waiting).
   * @throws TimeoutError after `timeout`; WaitInterruptedError when the runner is stopped.
   * @throws ProgrammingError (before anything else) for a `notificationId` that is not a bigint,
   *   or a `timeout` that is `NaN`, negative or not a number.
   */
  async wait(notificationId: bigint, options: RunnerWaitOptions = {}): Promise<void> {
    const timeout = checkWaitArguments(this.application.name, notificationId, options);
    if (this.#error !== undefined) throw this.#error;
    try {
      await this.view.wait(this.application.name, notificationId, {
        timeout,
        signal: this.#interrupt.signal,
      });
    } catch (error) {
      if (this.#error !== undefined) throw this.#error;
      throw error;
    }
  }

  /** Stops, closes the view (and the application it built), and rethrows a failure. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#closed ??= (async () => {
      await this.stop();
      await this.view.close();
      if (this.#ownsApplication) await this.application.close();
      this.#progress.complete();
    })();
    await this.#closed;
    if (this.#error !== undefined) throw this.#error;
  }

  async #run(): Promise<void> {
    const { initialDelayMs = 100, maxDelayMs = 5_000 } = this.#options.retry ?? {};
    let delay = initialDelayMs;
    while (!this.#stopped) {
      try {
        await this.#subscribeAndProcess(() => {
          delay = initialDelayMs;
        });
        return;
      } catch (error) {
        this.#subscription?.stop();
        if (this.#stopped) return;
        if (error instanceof ProjectionError) {
          this.#fail(error);
          return;
        }
        const message = (error as Error)?.message ?? String(error);
        this.lifecycle.send({ type: 'disconnected', error: message });
        this.#publish({ state: 'retrying' });
        await sleepUnlessAborted(delay * (0.5 + Math.random()), this.#interrupt.signal);
        delay = Math.min(delay * 2, maxDelayMs);
        this.lifecycle.send({ type: 'retry' });
        this.#publish({ state: 'connecting' });
      }
    }
  }

  async #subscribeAndProcess(onConfirmed: () => void): Promise<void> {
    const { application, view, projection } = this;
    const after = await view.maxTrackingId(application.name);
    const head = await application.recorder.maxNotificationId();
    if (this.#stopped) return;
    const subscription = application.recorder.subscribe({
      ...(after === undefined ? {} : { gt: after }),
      topics: projection.topics,
    });
    this.#subscription = subscription;
    this.lifecycle.send({ type: 'subscribed', position: String(after ?? ''), head: String(head) });
    const caughtUp = head === 0n || (after !== undefined && after >= head);
    this.#publish({ state: caughtUp ? 'live' : 'catchingUp', position: after, head });
    if (caughtUp) this.lifecycle.send({ type: 'caughtUp', position: String(after ?? '') });
    let live = caughtUp;
    const batches = pullBatches(subscription, {
      batchSize: this.#options.batchSize ?? 100,
      batchDeadlineMs: this.#options.batchDeadlineMs ?? 20,
      highWaterMark: this.#options.highWaterMark ?? Math.max(1000, this.#options.batchSize ?? 100),
    });
    await lastValueFrom(
      batches.pipe(
        concatMap(async (batch) => {
          try {
            onConfirmed();
            this.#current = this.#apply(batch.items);
            await this.#current;
            const position = batch.items.at(-1)?.id;
            if (!live && (position === undefined || position >= head)) {
              live = true;
              this.lifecycle.send({ type: 'caughtUp', position: String(position ?? '') });
            }
            this.#publish({ state: live ? 'live' : 'catchingUp', position });
          } finally {
            this.#current = undefined;
            batch.done();
          }
        }),
        takeUntil(this.#stop$),
      ),
      { defaultValue: undefined },
    );
  }

  /** Applies one batch: in one view transaction where the view can batch. */
  async #apply(items: readonly Notification[]): Promise<void> {
    if (items.length === 0) return;
    const view = this.view;
    const each = async () => {
      for (const notification of items) {
        const handled = this.#processOne(notification);
        if (handled !== undefined) await handled;
      }
    };
    if (items.length === 1) await each();
    else {
      try {
        await inBatch(view, each);
      } catch (error) {
        // A lost connection (or anything not the library's) resubscribes; any other failure —
        // an event's handler, or the batch's commit (where queued statements run, as with
        // `trackedStatement`) — rolled the batch back whole (where the view can). Apply its
        // events one by one, so everything before the failing event is kept and the runner
        // stops exactly at it.
        if (error instanceof OperationalError || !(error instanceof EventSourcingError)) {
          throw error;
        }
        for (const notification of items) {
          if (await view.hasTrackingId(this.application.name, notification.id)) continue;
          const handled = this.#processOne(notification);
          if (handled !== undefined) await handled;
        }
      }
    }
    this.#rate.processed += items.length;
    this.#processed += items.length;
  }

  /** Decodes and handles one notification; synchronous when decoding and the handler are. */
  #processOne(notification: Notification): void | Promise<void> {
    const tracking: Tracking = {
      applicationName: this.application.name,
      notificationId: notification.id,
    };
    try {
      const decoded = decodeNotification(
        this.#definitionOf,
        notification,
        this.application.name,
        this.application.transcoder,
      );
      const handled =
        decoded instanceof Promise
          ? decoded.then((d) => this.projection.processEvent(d.event, tracking, d.context))
          : this.projection.processEvent(decoded.event, tracking, decoded.context);
      if (isPromiseLike(handled)) {
        return Promise.resolve(handled).catch((error: unknown) => {
          throw this.#failure(notification, error);
        });
      }
    } catch (error) {
      throw this.#failure(notification, error);
    }
  }

  /** Aggregate definitions by name, found once per runner. */
  readonly #definitions = new Map<string, AggregateDefinition>();
  readonly #definitionOf = (name: string): AggregateDefinition | undefined => {
    let definition = this.#definitions.get(name);
    if (definition === undefined) {
      definition =
        this.#options.aggregates?.find((d) => d.name === name) ??
        this.application.aggregateDefinition(name);
      if (definition !== undefined) this.#definitions.set(name, definition);
    }
    return definition;
  };

  #failure(notification: Notification, error: unknown): ProjectionError {
    return new ProjectionError(
      `${this.projection.name} failed on notification ${notification.id} ('${notification.topic}' at revision ${notification.originatorVersion} of stream '${notification.originatorId}'): ${(error as Error)?.message ?? String(error)}`,
      {
        cause: error,
        position: notification.id,
        eventType: notification.topic,
        streamName: notification.originatorId,
      },
    );
  }

  #fail(error: ProjectionError): void {
    this.#error = error;
    this.lifecycle.send({ type: 'fail', error: error.message });
    this.#publish({ state: 'failed' });
    this.#interrupt.abort();
    this.#stopProgressLine();
  }

  #publish(change: Partial<ProjectionProgress>): void {
    const previous = this.#progress.value;
    const now = performance.now();
    const rate = this.#rate;
    // The rate over the current window (at least 200 ms of it), a new window each second.
    const elapsed = now - rate.at;
    if (elapsed >= 200) rate.perSecond = Math.round((rate.processed * 1000) / elapsed);
    if (elapsed >= 1_000) {
      rate.at = now;
      rate.processed = 0;
    }
    this.#progress.next({
      ...previous,
      ...change,
      position: 'position' in change ? (change.position ?? previous.position) : previous.position,
      processed: this.#processed,
      eventsPerSecond: rate.perSecond,
    });
  }

  #startProgressLine(): void {
    const setting = this.#options.progressLine ?? 'auto';
    const show = setting === 'auto' ? process.stderr.isTTY === true : setting;
    if (!show || this.#ticker !== undefined) return;
    this.#ticker = setInterval(() => {
      const p = this.#progress.value;
      if (p.state !== 'catchingUp') return;
      process.stderr.write(
        `\r[${this.projection.name}] catching up: position ${p.position ?? '-'} of ${p.head ?? '-'}, ${p.eventsPerSecond} events/s   `,
      );
    }, 500);
    this.#ticker.unref();
  }

  #stopProgressLine(): void {
    if (this.#ticker === undefined) return;
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }
}

/**
 * Checks the options a caller may get wrong without TypeScript, before the runner opens
 * anything.
 *
 * @throws ProgrammingError naming the option and its value.
 */
function checkRunnerOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) {
    throw new ProgrammingError(
      `The options of a ProjectionRunner are ${describeValue(options)}, not an object`,
    );
  }
  const o = options as Partial<Record<keyof ProjectionRunnerOptions<never, never, never>, unknown>>;
  if (
    typeof o.application !== 'function' &&
    (typeof o.application !== 'object' || o.application === null)
  ) {
    throw new ProgrammingError(
      `The application of a ProjectionRunner is ${describeValue(o.application)}: expected an Application class or instance`,
    );
  }
  if (typeof o.projection !== 'function') {
    throw new ProgrammingError(
      `The projection of a ProjectionRunner is ${describeValue(o.projection)}: expected a Projection class`,
    );
  }
  const batchSize = o.batchSize ?? 100;
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1) {
    throw new ProgrammingError(
      `Invalid batchSize: ${describeValue(o.batchSize)}; expected a whole number ≥ 1`,
    );
  }
  const highWaterMark = o.highWaterMark ?? Math.max(1000, batchSize);
  if (
    typeof highWaterMark !== 'number' ||
    !Number.isInteger(highWaterMark) ||
    highWaterMark < batchSize
  ) {
    throw new ProgrammingError(
      `Invalid highWaterMark: ${describeValue(o.highWaterMark)}; expected a whole number ≥ batchSize (${batchSize})`,
    );
  }
  if (o.batchDeadlineMs !== undefined) checkMilliseconds(o.batchDeadlineMs, 'batchDeadlineMs');
  if (o.retry !== undefined) {
    if (typeof o.retry !== 'object' || o.retry === null) {
      throw new ProgrammingError(
        `Invalid retry: ${describeValue(o.retry)}; expected { initialDelayMs?, maxDelayMs? }`,
      );
    }
    const { initialDelayMs, maxDelayMs } = o.retry as Record<string, unknown>;
    if (initialDelayMs !== undefined) checkMilliseconds(initialDelayMs, 'retry.initialDelayMs');
    if (maxDelayMs !== undefined) checkMilliseconds(maxDelayMs, 'retry.maxDelayMs');
  }
}

/** Starts closing `closable`, ignoring how that ends (also a synchronous throw). */
function closeInBackground(closable: { close(): Promise<void> }): void {
  try {
    closable.close().catch(() => undefined);
  } catch {
    // A close that throws at once: nothing more to do.
  }
}

/**
 * `new Projection(view)`.
 *
 * @throws ConfigurationError naming the projection, with the constructor's error as the `cause`
 *   (an error of this library is rethrown as it is).
 */
function constructProjection<V extends TrackingRecorder, P>(
  projection: new (view: V) => P,
  view: V,
): P {
  try {
    return new projection(view);
  } catch (error) {
    if (error instanceof EventSourcingError) throw error;
    throw new ConfigurationError(
      `Projection '${projection.name}' could not be constructed: ${(error as Error)?.message ?? String(error)}`,
      { cause: error },
    );
  }
}
