/**
 * The contract of tracking recorders (python-anchor §2.7), run against every adapter (memory,
 * SQLite, PostgreSQL): ids only increase per application, `wait` resolves, times out and is
 * interrupted as specified, a view's update commits with its tracking record or not at all,
 * `committed$` (and `afterCommit`) report commits only after they happened, and batches commit
 * many updates at once or none of them. Adapter differences are named
 * {@link TrackingRecorderCapabilities}.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { afterCommit } from '../../core/after-commit.js';
import {
  isIntegrityError,
  ProgrammingError,
  TimeoutError,
  WaitInterruptedError,
} from '../../core/errors.js';
import {
  type BatchingTrackingRecorder,
  inBatch,
  isBatchingTrackingRecorder,
  type Tracking,
  type TrackingRecorder,
} from '../../core/tracking-recorder.js';
import { rejectionOf } from './fixtures.js';
import { useRecorders } from './lifecycle.js';

/** How an adapter's tracking recorders differ. */
export interface TrackingRecorderCapabilities {
  /**
   * Two recorders from separate `create()` calls share one store and see each other's records.
   * Memory and SQLite `:memory:`: `false`. SQLite files and PostgreSQL: `true`.
   */
  readonly sharedStore: boolean;
  /**
   * Which commits wake a pending `wait` at once, without a polling interval.
   * - `'own-commits'`: commits through the same recorder; other connections' commits are seen
   *   by polling (SQLite, which cannot announce commits).
   * - `'all-commits'`: commits of any recorder on the store (PostgreSQL LISTEN/NOTIFY; memory,
   *   whose store has one recorder).
   */
  readonly waitWithoutPolling: 'own-commits' | 'all-commits';
  /**
   * How a view applies many events.
   * - `'transactional'`: the recorder is a `BatchingTrackingRecorder`; `batch(work)` commits
   *   every tracked write of `work` in one transaction, or none (SQLite, PostgreSQL).
   * - `'per-event'`: no `batch`; each update applies on its own, at once, and an error of the
   *   work around them undoes nothing (memory, which cannot roll back).
   */
  readonly batches: 'transactional' | 'per-event';
  /**
   * Required when `batches` is `'transactional'`: what happens to work of the same recorder
   * started outside an open batch.
   * - `'wait-for-batch'`: it waits until the batch has ended (SQLite: one connection).
   * - `'concurrent'`: it runs at once on other connections and sees only committed state
   *   (PostgreSQL).
   */
  readonly writesOutsideBatch?: 'wait-for-batch' | 'concurrent';
}

/**
 * The tiny view the suite needs: one counter per name, incremented together with a tracking
 * record in one transaction (each adapter's test file supplies its own implementation).
 */
export interface CounterView extends TrackingRecorder {
  /** Adds 1 to counter `name` and records `tracking`, atomically. */
  increment(name: string, tracking: Tracking): Promise<void>;
  /**
   * Starts the same update as {@link increment} (with the same tracking check) and throws
   * `error` before it commits: nothing applies and `tracking` is not recorded.
   */
  incrementAndFail(name: string, tracking: Tracking, error: Error): Promise<never>;
  /** The value of counter `name`, `0` when never incremented (committed state only). */
  count(name: string): Promise<number>;
}

/** Options of {@link describeTrackingRecorderContract}. */
export interface TrackingRecorderContractOptions {
  /** Creates a recorder on the store under test; the suite closes every one it creates. */
  readonly create: () => Promise<TrackingRecorder>;
  /** Creates a {@link CounterView} on the store under test. */
  readonly createCounterView: () => Promise<CounterView>;
  readonly capabilities: TrackingRecorderCapabilities;
}

/** A fresh application name, so tests sharing a store never see each other's records. */
const newApplicationName = (): string => `app-${randomUUID()}`;
const tracking = (applicationName: string, notificationId: bigint): Tracking => ({
  applicationName,
  notificationId,
});
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The longest time from a commit to the wait it satisfies, when no polling interval is involved. */
const WAKE_BOUND_MS = 250;
/** The median wake-up time must stay below this: a 100 ms poll would average 50 ms. */
const WAKE_MEDIAN_MS = 40;
/** How long a wait has been pending before the commit arrives: long enough for polls to slow down. */
const PENDING_MS = 200;

/**
 * Commits through `writer` while `waiter` waits, `rounds` times, and returns how long each wait
 * took to resolve after its commit.
 */
async function wakeUpTimes(
  waiter: TrackingRecorder,
  writer: TrackingRecorder,
  rounds: number,
): Promise<number[]> {
  const app = newApplicationName();
  const times: number[] = [];
  for (let id = 1n; id <= BigInt(rounds); id++) {
    let committedAt = 0;
    const waited = waiter.wait(app, id, { timeout: 10_000 }).then(() => {
      return performance.now() - committedAt;
    });
    await sleep(PENDING_MS);
    committedAt = performance.now();
    await writer.insertTracking(tracking(app, id));
    times.push(await waited);
  }
  return times;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** True once `promise` has settled (checked after a macrotask). */
async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await sleep(0);
  return settled;
}

/** Resolves once `condition()` holds; fails the test after `ms`. */
async function until(condition: () => boolean, what: string, ms = 2_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await sleep(5);
  }
}

/** A promise and the function that resolves it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** What `committed$` of `recorder` emits from now on. */
function collectCommits(recorder: TrackingRecorder) {
  const records: Tracking[] = [];
  let completed = false;
  const subscription = recorder.committed$.subscribe({
    next: (t) => records.push(t),
    complete: () => {
      completed = true;
    },
  });
  return {
    records,
    /** The emitted ids of `applicationName`, in order. */
    ids: (applicationName: string): bigint[] =>
      records.filter((t) => t.applicationName === applicationName).map((t) => t.notificationId),
    get completed(): boolean {
      return completed;
    },
    stop: () => subscription.unsubscribe(),
  };
}

/**
 * Declares the tracking-recorder contract as a vitest `describe` block named `name`.
 *
 * @example
 * ```ts
 * describeTrackingRecorderContract('MemoryTrackingRecorder', {
 *   create: async () => new MemoryTrackingRecorder(),
 *   createCounterView: async () => new MemoryCounterView(),
 *   capabilities: { sharedStore: false, waitWithoutPolling: 'all-commits' },
 * });
 * ```
 */
export function describeTrackingRecorderContract(
  name: string,
  options: TrackingRecorderContractOptions,
): void {
  const { capabilities } = options;
  if (capabilities.batches === 'transactional' && capabilities.writesOutsideBatch === undefined) {
    throw new Error('Transactional batches need the writesOutsideBatch capability');
  }
  describe(name, () => {
    const open = useRecorders(options.create);
    const openView = useRecorders(options.createCounterView);

    describe('records', () => {
      it('has no max tracking id for an application never tracked', async () => {
        const recorder = await open();
        const app = newApplicationName();
        await expect(recorder.maxTrackingId(app)).resolves.toBeUndefined();
        await expect(recorder.hasTrackingId(app, 1n)).resolves.toBe(false);
        await expect(recorder.hasTrackingId(app, undefined)).resolves.toBe(true);
        // No notification has an id ≤ 0: an empty store's maxNotificationId() (0n) is tracked.
        await expect(recorder.hasTrackingId(app, 0n)).resolves.toBe(true);
        await expect(recorder.wait(app, 0n, { timeout: 1 })).resolves.toBeUndefined();
      });

      it('returns the inserted id as the max, and the newest after more inserts', async () => {
        const recorder = await open();
        const app = newApplicationName();
        await recorder.insertTracking(tracking(app, 1n));
        await expect(recorder.maxTrackingId(app)).resolves.toBe(1n);
        await recorder.insertTracking(tracking(app, 7n));
        await expect(recorder.maxTrackingId(app)).resolves.toBe(7n);
      });

      it('has every id up to the max: undefined, lower and equal yes; higher no', async () => {
        const recorder = await open();
        const app = newApplicationName();
        await recorder.insertTracking(tracking(app, 10n));
        await expect(recorder.hasTrackingId(app, undefined)).resolves.toBe(true);
        await expect(recorder.hasTrackingId(app, 1n)).resolves.toBe(true);
        await expect(recorder.hasTrackingId(app, 9n)).resolves.toBe(true);
        await expect(recorder.hasTrackingId(app, 10n)).resolves.toBe(true);
        await expect(recorder.hasTrackingId(app, 11n)).resolves.toBe(false);
      });

      it('rejects re-inserting the same id with IntegrityError and keeps the max', async () => {
        const recorder = await open();
        const app = newApplicationName();
        await recorder.insertTracking(tracking(app, 5n));
        const error = await rejectionOf(recorder.insertTracking(tracking(app, 5n)));
        expect(isIntegrityError(error), String(error)).toBe(true);
        await expect(recorder.maxTrackingId(app)).resolves.toBe(5n);
      });

      it('rejects an older id (24 then 23) with IntegrityError; 23 counts as tracked', async () => {
        const recorder = await open();
        const app = newApplicationName();
        await recorder.insertTracking(tracking(app, 24n));
        const error = await rejectionOf(recorder.insertTracking(tracking(app, 23n)));
        expect(isIntegrityError(error), String(error)).toBe(true);
        await expect(recorder.hasTrackingId(app, 23n)).resolves.toBe(true);
        await expect(recorder.maxTrackingId(app)).resolves.toBe(24n);
      });

      it('keeps applications apart', async () => {
        const recorder = await open();
        const a = newApplicationName();
        const b = newApplicationName();
        await recorder.insertTracking(tracking(a, 10n));
        await recorder.insertTracking(tracking(b, 3n));
        await recorder.insertTracking(tracking(b, 5n)); // lower than a's max: still fine for b
        await expect(recorder.maxTrackingId(a)).resolves.toBe(10n);
        await expect(recorder.maxTrackingId(b)).resolves.toBe(5n);
        await expect(recorder.hasTrackingId(b, 10n)).resolves.toBe(false);
        await recorder.insertTracking(tracking(b, 10n));
        await expect(recorder.maxTrackingId(b)).resolves.toBe(10n);
      });

      it('stores ids above 2^53 exactly (bigint commit positions)', async () => {
        const recorder = await open();
        const app = newApplicationName();
        const big = 2n ** 53n + 1n; // a double would round this to 2^53
        await recorder.insertTracking(tracking(app, big));
        await expect(recorder.maxTrackingId(app)).resolves.toBe(big);
        await expect(recorder.hasTrackingId(app, big + 1n)).resolves.toBe(false);
        await recorder.insertTracking(tracking(app, big + 1n));
        const huge = 2n ** 63n - 1n;
        await recorder.insertTracking(tracking(app, huge));
        await expect(recorder.maxTrackingId(app)).resolves.toBe(huge);
        await expect(recorder.hasTrackingId(app, huge - 1n)).resolves.toBe(true);
        const error = await rejectionOf(recorder.insertTracking(tracking(app, huge - 1n)));
        expect(isIntegrityError(error), String(error)).toBe(true);
      });

      it('keeps the max under concurrent inserts of increasing ids', async () => {
        const recorder = await open();
        const app = newApplicationName();
        const ids = Array.from({ length: 20 }, (_, i) => BigInt(i + 1));
        const results = await Promise.allSettled(
          ids.map((id) => recorder.insertTracking(tracking(app, id))),
        );
        for (const result of results) {
          if (result.status === 'rejected') {
            expect(isIntegrityError(result.reason), String(result.reason)).toBe(true);
          }
        }
        expect(results.at(-1)?.status).toBe('fulfilled');
        await expect(recorder.maxTrackingId(app)).resolves.toBe(20n);
      });

      if (capabilities.sharedStore) {
        it('shares the records between recorders of one store', async () => {
          const first = await open();
          const second = await open();
          const app = newApplicationName();
          await first.insertTracking(tracking(app, 3n));
          await expect(second.maxTrackingId(app)).resolves.toBe(3n);
          const error = await rejectionOf(second.insertTracking(tracking(app, 3n)));
          expect(isIntegrityError(error), String(error)).toBe(true);
          await second.insertTracking(tracking(app, 4n));
          await expect(first.maxTrackingId(app)).resolves.toBe(4n);
        });
      }
    });

    describe('wait', () => {
      it('resolves at once when the id is already tracked or undefined', async () => {
        const recorder = await open();
        const app = newApplicationName();
        await recorder.insertTracking(tracking(app, 5n));
        // A 1 ms timeout would fire before any second look: the first check must succeed.
        await expect(recorder.wait(app, 5n, { timeout: 1 })).resolves.toBeUndefined();
        await expect(recorder.wait(app, 2n, { timeout: 1 })).resolves.toBeUndefined();
        await expect(recorder.wait(app, undefined, { timeout: 1 })).resolves.toBeUndefined();
        await expect(
          recorder.wait(newApplicationName(), undefined, { timeout: 1 }),
        ).resolves.toBeUndefined();
      });

      it('resolves only when an insert reaches the id', async () => {
        const recorder = await open();
        const app = newApplicationName();
        const waited = recorder.wait(app, 5n, { timeout: 10_000 });
        await recorder.insertTracking(tracking(app, 3n));
        await sleep(150);
        expect(await hasSettled(waited)).toBe(false);
        await recorder.insertTracking(tracking(app, 6n));
        await expect(waited).resolves.toBeUndefined();
      });

      it('wakes at once on a commit through the same recorder (no polling interval)', async () => {
        const recorder = await open();
        const times = await wakeUpTimes(recorder, recorder, 5);
        for (const ms of times) expect(ms).toBeLessThan(WAKE_BOUND_MS);
        expect(median(times), `wake-up times ${times.map((t) => t.toFixed(1))}`).toBeLessThan(
          WAKE_MEDIAN_MS,
        );
      });

      if (capabilities.sharedStore) {
        if (capabilities.waitWithoutPolling === 'all-commits') {
          it('wakes at once on a commit through another recorder (no polling interval)', async () => {
            const waiter = await open();
            const writer = await open();
            const times = await wakeUpTimes(waiter, writer, 5);
            for (const ms of times) expect(ms).toBeLessThan(WAKE_BOUND_MS);
            expect(median(times), `wake-up times ${times.map((t) => t.toFixed(1))}`).toBeLessThan(
              WAKE_MEDIAN_MS,
            );
          });
        } else {
          it('sees a commit through another recorder by polling', async () => {
            const waiter = await open();
            const writer = await open();
            const times = await wakeUpTimes(waiter, writer, 2);
            for (const ms of times) expect(ms).toBeLessThan(2_000);
          });
        }
      }

      it('times out with a TimeoutError naming the application and the id', async () => {
        const recorder = await open();
        const app = newApplicationName();
        await recorder.insertTracking(tracking(app, 4n));
        const started = performance.now();
        const error = await rejectionOf(recorder.wait(app, 5n, { timeout: 150 }));
        const elapsed = performance.now() - started;
        expect(error).toBeInstanceOf(TimeoutError);
        expect((error as Error).message).toBe(
          `Timed out waiting for notification 5 from application '${app}' to be processed`,
        );
        expect(elapsed).toBeGreaterThanOrEqual(140);
        expect(elapsed).toBeLessThan(2_000);
      });

      it('times out after 1000 ms by default', async () => {
        const recorder = await open();
        const started = performance.now();
        const error = await rejectionOf(recorder.wait(newApplicationName(), 1n));
        const elapsed = performance.now() - started;
        expect(error).toBeInstanceOf(TimeoutError);
        expect(elapsed).toBeGreaterThanOrEqual(990);
        expect(elapsed).toBeLessThan(3_000);
      });

      it('ends with WaitInterruptedError when the signal aborts', async () => {
        const recorder = await open();
        const app = newApplicationName();
        const controller = new AbortController();
        const started = performance.now();
        const waited = rejectionOf(
          recorder.wait(app, 1n, { timeout: 10_000, signal: controller.signal }),
        );
        await sleep(50);
        controller.abort();
        const error = await waited;
        expect(error).toBeInstanceOf(WaitInterruptedError);
        expect((error as Error).message).toContain(`application '${app}'`);
        expect(performance.now() - started).toBeLessThan(2_000);
      });

      it('ends with WaitInterruptedError for an aborted signal, unless already tracked', async () => {
        const recorder = await open();
        const app = newApplicationName();
        const signal = AbortSignal.abort();
        const error = await rejectionOf(recorder.wait(app, 1n, { signal }));
        expect(error).toBeInstanceOf(WaitInterruptedError);
        await recorder.insertTracking(tracking(app, 1n));
        await expect(recorder.wait(app, 1n, { signal })).resolves.toBeUndefined();
      });

      it('waits without a time limit for an Infinity timeout', async () => {
        const recorder = await open();
        const app = newApplicationName();
        const waited = recorder.wait(app, 1n, { timeout: Number.POSITIVE_INFINITY });
        await sleep(50);
        expect(await hasSettled(waited)).toBe(false);
        await recorder.insertTracking(tracking(app, 1n));
        await expect(waited).resolves.toBeUndefined();
      });

      it('honours a timeout of 2^31 ms and more (no early TimeoutError)', async () => {
        const recorder = await open();
        const app = newApplicationName();
        const timeout = 2 ** 31 + 5;
        const resolved = recorder.wait(app, 1n, { timeout });
        const controller = new AbortController();
        const interrupted = rejectionOf(
          recorder.wait(app, 2n, { timeout, signal: controller.signal }),
        );
        await sleep(50);
        expect(await hasSettled(resolved)).toBe(false);
        await recorder.insertTracking(tracking(app, 1n));
        await expect(resolved).resolves.toBeUndefined();
        controller.abort();
        expect(await interrupted).toBeInstanceOf(WaitInterruptedError);
      });

      it('rejects malformed arguments with a ProgrammingError naming the value', async () => {
        const recorder = await open();
        const app = newApplicationName();
        await recorder.insertTracking(tracking(app, 3n));
        const wait = recorder.wait.bind(recorder) as (...args: unknown[]) => Promise<void>;
        const cases: [unknown[], RegExp][] = [
          [[app, 5n, { timeout: Number.NaN }], /timeout.*NaN/],
          [[app, 5n, { timeout: -1 }], /timeout.*-1/],
          [[app, 5n, { timeout: '100' }], /timeout.*"100"/],
          [[app, 5n, { timeout: null }], /timeout.*null/],
          // Checked before anything else: also for an id that is already tracked.
          [[app, 2n, { timeout: Number.NaN }], /timeout.*NaN/],
          [[app, 0n, { timeout: -5 }], /timeout.*-5/],
          [[app, 5, { timeout: 10 }], /notification id.*a number \(5\)/],
          [[app, '5'], /notification id.*"5"/],
          [[app, null], /notification id.*null/],
          [[42, 5n], /application name.*a number \(42\)/],
          [[undefined, undefined], /application name.*undefined/],
          [[app, 5n, null], /options.*null/],
          [[app, 5n, { signal: 'stop' }], /signal.*"stop"/],
        ];
        for (const [args, message] of cases) {
          const error = await rejectionOf(wait(...args));
          expect(error, String(args.map((a) => typeof a))).toBeInstanceOf(ProgrammingError);
          expect((error as Error).message).toMatch(message);
        }
        // A timeout of 0 is valid: the wait checks once, then times out.
        expect(await rejectionOf(recorder.wait(app, 5n, { timeout: 0 }))).toBeInstanceOf(
          TimeoutError,
        );
      });

      it('ends pending waits with WaitInterruptedError when the recorder closes', async () => {
        const recorder = await open();
        const waited = rejectionOf(recorder.wait(newApplicationName(), 1n, { timeout: 10_000 }));
        await sleep(50);
        await recorder.close();
        expect(await waited).toBeInstanceOf(WaitInterruptedError);
      });
    });

    describe('views', () => {
      it('commits a view update together with its tracking record', async () => {
        const view = await openView();
        const app = newApplicationName();
        const counter = `counter-${randomUUID()}`;
        await expect(view.count(counter)).resolves.toBe(0);
        await view.increment(counter, tracking(app, 1n));
        await expect(view.count(counter)).resolves.toBe(1);
        await expect(view.maxTrackingId(app)).resolves.toBe(1n);
        await view.increment(counter, tracking(app, 2n));
        await expect(view.count(counter)).resolves.toBe(2);
        await expect(view.wait(app, 2n, { timeout: 1 })).resolves.toBeUndefined();
      });

      it('leaves the view unchanged when its tracking record is rejected', async () => {
        const view = await openView();
        const app = newApplicationName();
        const counter = `counter-${randomUUID()}`;
        await view.increment(counter, tracking(app, 5n));
        for (const id of [5n, 4n]) {
          const error = await rejectionOf(view.increment(counter, tracking(app, id)));
          expect(isIntegrityError(error), `id ${id}: ${String(error)}`).toBe(true);
        }
        await expect(view.count(counter)).resolves.toBe(1);
        await expect(view.maxTrackingId(app)).resolves.toBe(5n);
      });

      it('applies exactly the accepted updates under concurrency', async () => {
        const view = await openView();
        const app = newApplicationName();
        const counter = `counter-${randomUUID()}`;
        const ids = Array.from({ length: 20 }, (_, i) => BigInt(i + 1));
        const results = await Promise.allSettled(
          ids.map((id) => view.increment(counter, tracking(app, id))),
        );
        const accepted = results.filter((r) => r.status === 'fulfilled').length;
        for (const result of results) {
          if (result.status === 'rejected') {
            expect(isIntegrityError(result.reason), String(result.reason)).toBe(true);
          }
        }
        expect(accepted).toBeGreaterThanOrEqual(1);
        await expect(view.count(counter)).resolves.toBe(accepted);
        await expect(view.maxTrackingId(app)).resolves.toBe(20n);
      });
    });

    describe('committed$', () => {
      it('emits each tracking record after its commit, in order', async () => {
        const view = await openView();
        const app = newApplicationName();
        const counter = `counter-${randomUUID()}`;
        // Read at emission time, through other connections where there are: the commit is visible.
        const observed: Promise<[bigint, number, boolean]>[] = [];
        const subscription = view.committed$.subscribe((t) => {
          observed.push(
            Promise.all([
              t.notificationId,
              view.count(counter),
              view.hasTrackingId(app, t.notificationId),
            ]),
          );
        });
        await view.increment(counter, tracking(app, 1n));
        expect(observed).toHaveLength(1); // emitted by the time the write resolves
        await expect(observed[0]).resolves.toEqual([1n, 1, true]);
        await view.increment(counter, tracking(app, 2n));
        await expect(observed[1]).resolves.toEqual([2n, 2, true]);
        await view.insertTracking(tracking(app, 3n));
        await expect(observed[2]).resolves.toEqual([3n, 2, true]);
        subscription.unsubscribe();
        await view.insertTracking(tracking(app, 4n));
        expect(observed).toHaveLength(3);
      });

      it('emits nothing for a rejected or failed tracked write', async () => {
        const view = await openView();
        const app = newApplicationName();
        const counter = `counter-${randomUUID()}`;
        const seen = collectCommits(view);
        await view.increment(counter, tracking(app, 5n));
        for (const id of [5n, 4n]) {
          expect(
            isIntegrityError(await rejectionOf(view.increment(counter, tracking(app, id)))),
          ).toBe(true);
          expect(isIntegrityError(await rejectionOf(view.insertTracking(tracking(app, id))))).toBe(
            true,
          );
        }
        const crash = new Error('view crashed');
        expect(await rejectionOf(view.incrementAndFail(counter, tracking(app, 6n), crash))).toBe(
          crash,
        );
        await expect(view.count(counter)).resolves.toBe(1);
        await view.insertTracking(tracking(app, 6n)); // 6 was not recorded
        expect(seen.ids(app)).toEqual([5n, 6n]);
      });

      it('completes on close, also for a subscriber that comes later', async () => {
        const recorder = await open();
        const app = newApplicationName();
        const seen = collectCommits(recorder);
        await recorder.insertTracking(tracking(app, 1n));
        expect(seen.completed).toBe(false);
        await recorder.close();
        expect(seen.completed).toBe(true);
        expect(seen.ids(app)).toEqual([1n]);
        expect(collectCommits(recorder).completed).toBe(true);
      });

      it('drives afterCommit: a read on subscribe and after each commit, unchanged values skipped', async () => {
        const view = await openView();
        const app = newApplicationName();
        const counter = `counter-${randomUUID()}`;
        const values: number[] = [];
        let completed = false;
        afterCommit(view, () => view.count(counter)).subscribe({
          next: (value) => values.push(value),
          complete: () => {
            completed = true;
          },
        });
        await until(() => values.length === 1, 'the first read');
        await view.increment(counter, tracking(app, 1n));
        await until(() => values.length === 2, 'the read after the first commit');
        await view.insertTracking(tracking(app, 2n)); // the count does not change
        await sleep(100);
        await view.increment(counter, tracking(app, 3n));
        await until(() => values.length === 3, 'the read after the third commit');
        expect(values).toEqual([0, 1, 2]);
        await view.close();
        await until(() => completed, 'completion after close');
        expect(values).toEqual([0, 1, 2]);
      });
    });

    if (capabilities.batches === 'per-event') {
      describe('batches (per event)', () => {
        it('has no batch: inBatch applies each update at once, and an escaping error undoes nothing', async () => {
          const view = await openView();
          expect(isBatchingTrackingRecorder(view)).toBe(false);
          const app = newApplicationName();
          const counter = `counter-${randomUUID()}`;
          const seen = collectCommits(view);
          const crash = new Error('handler crashed');
          const error = await rejectionOf(
            inBatch(view, async () => {
              await view.increment(counter, tracking(app, 1n));
              await view.increment(counter, tracking(app, 2n));
              expect(seen.ids(app)).toEqual([1n, 2n]);
              await expect(view.count(counter)).resolves.toBe(2);
              throw crash;
            }),
          );
          expect(error).toBe(crash);
          await expect(view.count(counter)).resolves.toBe(2);
          await expect(view.maxTrackingId(app)).resolves.toBe(2n);
        });
      });
    } else {
      const outside = capabilities.writesOutsideBatch;
      describe('batches (transactional)', () => {
        const openBatchingView = async (): Promise<CounterView & BatchingTrackingRecorder> => {
          const view = await openView();
          if (!isBatchingTrackingRecorder(view)) throw new Error('The view has no batch()');
          return view;
        };

        it('commits all tracked writes of a batch at once, and only then shows and emits them', async () => {
          const view = await openBatchingView();
          const observer = capabilities.sharedStore ? await openView() : undefined;
          const app = newApplicationName();
          const counter = `counter-${randomUUID()}`;
          const seen = collectCommits(view);
          const pending = view.wait(app, 3n, { timeout: 10_000 });
          // Started outside the batch's async context, released from inside it.
          const gate = deferred();
          const maxSeenOutside = gate.promise.then(() => view.maxTrackingId(app));
          const result = await view.batch(async () => {
            for (const id of [1n, 2n, 3n]) await view.increment(counter, tracking(app, id));
            gate.resolve();
            await sleep(50);
            expect(seen.records).toEqual([]);
            expect(await hasSettled(pending)).toBe(false);
            if (observer !== undefined) {
              await expect(observer.maxTrackingId(app)).resolves.toBeUndefined();
              await expect(observer.count(counter)).resolves.toBe(0);
            }
            if (outside === 'concurrent') {
              await expect(maxSeenOutside).resolves.toBeUndefined();
            } else {
              expect(await hasSettled(maxSeenOutside)).toBe(false);
            }
            return 'done';
          });
          expect(result).toBe('done');
          expect(seen.ids(app)).toEqual([1n, 2n, 3n]);
          await expect(pending).resolves.toBeUndefined();
          await expect(view.count(counter)).resolves.toBe(3);
          await expect(view.maxTrackingId(app)).resolves.toBe(3n);
          if (outside === 'wait-for-batch') await expect(maxSeenOutside).resolves.toBe(3n);
          if (observer !== undefined) await expect(observer.count(counter)).resolves.toBe(3);
        });

        it('rolls the whole batch back when an error escapes it: nothing shown, emitted or waited for', async () => {
          const view = await openBatchingView();
          const app = newApplicationName();
          const counter = `counter-${randomUUID()}`;
          await view.increment(counter, tracking(app, 1n));
          const seen = collectCommits(view);
          const pending = view.wait(app, 2n, { timeout: 10_000 });
          const crash = new Error('handler crashed');
          const error = await rejectionOf(
            view.batch(async () => {
              for (const id of [2n, 3n, 4n]) await view.increment(counter, tracking(app, id));
              throw crash;
            }),
          );
          expect(error).toBe(crash);
          await expect(view.count(counter)).resolves.toBe(1);
          await expect(view.maxTrackingId(app)).resolves.toBe(1n);
          await sleep(150);
          expect(await hasSettled(pending)).toBe(false);
          expect(seen.records).toEqual([]);
          await view.increment(counter, tracking(app, 2n)); // the ids are free again
          await expect(pending).resolves.toBeUndefined();
          expect(seen.ids(app)).toEqual([2n]);
        });

        it('rolls the batch back with IntegrityError for an equal or older tracking id in it', async () => {
          const view = await openBatchingView();
          const app = newApplicationName();
          const counter = `counter-${randomUUID()}`;
          await view.increment(counter, tracking(app, 1n));
          const seen = collectCommits(view);
          for (const ids of [
            [2n, 3n, 3n],
            [2n, 5n, 4n],
            [1n, 2n],
          ]) {
            const error = await rejectionOf(
              view.batch(async () => {
                for (const id of ids) await view.increment(counter, tracking(app, id));
              }),
            );
            expect(isIntegrityError(error), `ids ${ids}: ${String(error)}`).toBe(true);
            await expect(view.count(counter)).resolves.toBe(1);
            await expect(view.maxTrackingId(app)).resolves.toBe(1n);
          }
          expect(seen.records).toEqual([]);
        });

        it('rolls a failure the work catches back to its savepoint and keeps the rest', async () => {
          const view = await openBatchingView();
          const app = newApplicationName();
          const counter = `counter-${randomUUID()}`;
          const seen = collectCommits(view);
          const crash = new Error('view crashed');
          await view.batch(async () => {
            await view.increment(counter, tracking(app, 1n));
            expect(
              await rejectionOf(view.incrementAndFail(counter, tracking(app, 2n), crash)),
            ).toBe(crash);
            const duplicate = await rejectionOf(view.increment(counter, tracking(app, 1n)));
            expect(isIntegrityError(duplicate), String(duplicate)).toBe(true);
            await view.increment(counter, tracking(app, 2n));
            // A nested batch is a savepoint too.
            const inner = await rejectionOf(
              view.batch(async () => {
                await view.increment(counter, tracking(app, 3n));
                await view.increment(counter, tracking(app, 4n));
                throw crash;
              }),
            );
            expect(inner).toBe(crash);
            await view.batch(async () => {
              await view.increment(counter, tracking(app, 3n));
            });
          });
          await expect(view.count(counter)).resolves.toBe(3);
          await expect(view.maxTrackingId(app)).resolves.toBe(3n);
          expect(seen.ids(app)).toEqual([1n, 2n, 3n]);
        });

        it('runs tracked writes started concurrently inside a batch one at a time, in order', async () => {
          const view = await openBatchingView();
          const app = newApplicationName();
          const counter = `counter-${randomUUID()}`;
          const seen = collectCommits(view);
          const ids = Array.from({ length: 10 }, (_, i) => BigInt(i + 1));
          await view.batch(async () => {
            await Promise.all(ids.map((id) => view.increment(counter, tracking(app, id))));
          });
          await expect(view.count(counter)).resolves.toBe(10);
          expect(seen.ids(app)).toEqual(ids);
        });

        for (const outcome of ['commit', 'rollback'] as const) {
          it(`neither loses nor mixes in writes made outside a batch (batch ${outcome})`, async () => {
            const view = await openBatchingView();
            const inside = newApplicationName();
            const other = newApplicationName();
            const insideCounter = `counter-${randomUUID()}`;
            const otherCounter = `counter-${randomUUID()}`;
            const seen = collectCommits(view);
            const gate = deferred();
            const outsideWrite = gate.promise.then(() =>
              view.increment(otherCounter, tracking(other, 1n)),
            );
            const crash = new Error('handler crashed');
            const batched = view.batch(async () => {
              await view.increment(insideCounter, tracking(inside, 1n));
              gate.resolve();
              if (outside === 'concurrent') {
                await outsideWrite; // commits on its own while the batch is open
                expect(seen.ids(other)).toEqual([1n]);
              } else {
                await sleep(50);
                expect(await hasSettled(outsideWrite)).toBe(false);
              }
              await view.increment(insideCounter, tracking(inside, 2n));
              if (outcome === 'rollback') throw crash;
            });
            if (outcome === 'rollback') expect(await rejectionOf(batched)).toBe(crash);
            else await batched;
            await outsideWrite;
            await expect(view.count(otherCounter)).resolves.toBe(1);
            await expect(view.maxTrackingId(other)).resolves.toBe(1n);
            expect(seen.ids(other)).toEqual([1n]);
            const applied = outcome === 'commit' ? 2 : 0;
            await expect(view.count(insideCounter)).resolves.toBe(applied);
            await expect(view.maxTrackingId(inside)).resolves.toBe(
              outcome === 'commit' ? 2n : undefined,
            );
            expect(seen.ids(inside)).toEqual(outcome === 'commit' ? [1n, 2n] : []);
          });
        }

        it('keeps concurrent batches of separate async contexts apart', async () => {
          const view = await openBatchingView();
          const a = newApplicationName();
          const b = newApplicationName();
          const seen = collectCommits(view);
          const crash = new Error('handler crashed');
          const ids = [1n, 2n, 3n];
          const [first, second] = await Promise.allSettled([
            view.batch(async () => {
              for (const id of ids) {
                await view.increment(a, tracking(a, id));
                await sleep(1);
              }
            }),
            view.batch(async () => {
              for (const id of ids) {
                await view.increment(b, tracking(b, id));
                await sleep(1);
              }
              throw crash;
            }),
          ]);
          expect(first?.status).toBe('fulfilled');
          expect(second).toEqual({ status: 'rejected', reason: crash });
          await expect(view.count(a)).resolves.toBe(3);
          await expect(view.count(b)).resolves.toBe(0);
          expect(seen.ids(a)).toEqual(ids);
          expect(seen.ids(b)).toEqual([]);
        });
      });
    }
  });
}
