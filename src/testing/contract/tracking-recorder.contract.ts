/**
 * The contract of tracking recorders (python-anchor §2.7), run against every adapter (memory,
 * SQLite, PostgreSQL): ids only increase per application, `wait` resolves, times out and is
 * interrupted as specified, and a view's update commits with its tracking record or not at all.
 * Adapter differences are named {@link TrackingRecorderCapabilities}.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isIntegrityError, TimeoutError, WaitInterruptedError } from '../../core/errors.js';
import type { Tracking, TrackingRecorder } from '../../core/tracking-recorder.js';
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
}

/**
 * The tiny view the suite needs: one counter per name, incremented together with a tracking
 * record in one transaction (each adapter's test file supplies its own implementation).
 */
export interface CounterView extends TrackingRecorder {
  /** Adds 1 to counter `name` and records `tracking`, atomically. */
  increment(name: string, tracking: Tracking): Promise<void>;
  /** The value of counter `name`, `0` when never incremented. */
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
  });
}
