/**
 * The contract of process stores, run against every adapter (memory, SQLite, PostgreSQL):
 * instances round-trip exactly and replace each other by process name and correlation id, a
 * save with tracking writes the instance and the tracking record together or neither, a save
 * without tracking writes the instance alone (also beside an open batch of another async
 * context), the queries order and filter as specified, bad arguments and use after close are
 * refused. Adapter differences are named {@link ProcessStoreCapabilities}.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isIntegrityError, PersistenceError, ProgrammingError } from '../../core/errors.js';
import type { ProcessInstanceRecord, ProcessStore } from '../../core/process-store.js';
import {
  type BatchingTrackingRecorder,
  inBatch,
  isBatchingTrackingRecorder,
  type Tracking,
} from '../../core/tracking-recorder.js';
import { rejectionOf, within } from './fixtures.js';
import { useRecorders } from './lifecycle.js';

/** How an adapter's process stores differ. */
export interface ProcessStoreCapabilities {
  /**
   * Stores from separate `create()` calls share one database, so a store opened after another
   * was closed (a restart) sees its instances and tracking records. Memory: `false`. SQLite
   * files and PostgreSQL: `true`.
   */
  readonly sharedStore: boolean;
  /**
   * How a store applies many events: `'transactional'` (a `BatchingTrackingRecorder`: SQLite,
   * PostgreSQL) or `'per-event'` (no `batch`; each save applies at once: memory).
   */
  readonly batches: 'transactional' | 'per-event';
  /**
   * Required when `batches` is `'transactional'`: what a call made outside an open batch's
   * async context does: `'wait-for-batch'` (it waits until the batch has ended: SQLite) or
   * `'concurrent'` (it runs at once on another connection, seeing committed state: PostgreSQL).
   */
  readonly writesOutsideBatch?: 'wait-for-batch' | 'concurrent';
  /**
   * The error a closed store's calls reject with (its message says "closed"), as its tracking
   * recorder's: `'ProgrammingError'` (memory, like the in-memory recorders) or
   * `'PersistenceError'` (SQLite, PostgreSQL).
   */
  readonly closedError: 'ProgrammingError' | 'PersistenceError';
}

/** Options of {@link describeProcessStoreContract}. */
export interface ProcessStoreContractOptions {
  /** Creates a store on the database under test; the suite closes every one it creates. */
  readonly create: () => Promise<ProcessStore>;
  readonly capabilities: ProcessStoreCapabilities;
}

/** Fresh names, so tests sharing a database never see each other's instances or records. */
const newProcessName = (): string => `process-${randomUUID()}`;
const newApplicationName = (): string => `app-${randomUUID()}`;
const tracking = (applicationName: string, notificationId: bigint): Tracking => ({
  applicationName,
  notificationId,
});
const instance = (
  processName: string,
  correlationId: string,
  fields: Partial<ProcessInstanceRecord> = {},
): ProcessInstanceRecord => ({
  processName,
  correlationId,
  state: JSON.stringify({ correlationId, step: 1 }),
  done: false,
  nextTimerAt: undefined,
  ...fields,
});
const ids = (records: readonly ProcessInstanceRecord[]): string[] =>
  records.map((r) => r.correlationId);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** True once `promise` has settled (checked after a macrotask). */
async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await sleep(0);
  return settled;
}

/** A promise and the function that resolves it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** The ids of `applicationName` that `committed$` of `store` emits from now on. */
function collectCommits(store: ProcessStore, applicationName: string): bigint[] {
  const seen: bigint[] = [];
  store.committed$.subscribe((t) => {
    if (t.applicationName === applicationName) seen.push(t.notificationId);
  });
  return seen;
}

/** Expects `call` to reject (not throw) with `type`, its message matching `message`. */
async function expectRejection(
  call: () => Promise<unknown>,
  type: typeof ProgrammingError | typeof PersistenceError,
  message: RegExp,
  what: string,
): Promise<void> {
  let promise: Promise<unknown> | undefined;
  expect(() => {
    promise = call();
  }, `${what} throws synchronously`).not.toThrow();
  const error = await within(5_000, what, rejectionOf(promise as Promise<unknown>));
  expect(error, what).toBeInstanceOf(type);
  expect((error as Error).message, what).toMatch(message);
}

/**
 * Declares the process-store contract as a vitest `describe` block named `name`.
 *
 * @example
 * ```ts
 * describeProcessStoreContract('MemoryProcessStore', {
 *   create: async () => new MemoryProcessStore(),
 *   capabilities: { sharedStore: false, batches: 'per-event', closedError: 'ProgrammingError' },
 * });
 * ```
 */
export function describeProcessStoreContract(
  name: string,
  options: ProcessStoreContractOptions,
): void {
  const { capabilities } = options;
  if (capabilities.batches === 'transactional' && capabilities.writesOutsideBatch === undefined) {
    throw new Error('Transactional batches need the writesOutsideBatch capability');
  }
  describe(name, () => {
    const open = useRecorders(options.create);

    describe('instances', () => {
      it('round-trips every field of a saved instance', async () => {
        const store = await open();
        const p = newProcessName();
        const records = [
          instance(p, 'order-1', {
            state: JSON.stringify({ text: 'Grüße, 世界 😀 \u{10FFFF}', escapes: '"\\\n\t' }),
            nextTimerAt: 1_700_000_000_123,
          }),
          instance(p, 'order-2', { state: 'x'.repeat(100_000), done: true }),
          instance(p, 'bestellung-ü-😀', { state: '', nextTimerAt: 4_102_444_800_000.25 }),
        ];
        for (const record of records) await store.saveInstance(record);
        for (const record of records) {
          await expect(store.loadInstance(p, record.correlationId)).resolves.toStrictEqual(record);
        }
      });

      it('loads undefined for an unknown instance or process', async () => {
        const store = await open();
        const p = newProcessName();
        await store.saveInstance(instance(p, 'known'));
        await expect(store.loadInstance(p, 'unknown')).resolves.toBeUndefined();
        await expect(store.loadInstance(newProcessName(), 'known')).resolves.toBeUndefined();
      });

      it('replaces an instance saved again, every field', async () => {
        const store = await open();
        const p = newProcessName();
        await store.saveInstance(instance(p, 'a', { nextTimerAt: 5_000 }));
        const replaced = instance(p, 'a', { state: '{"step":2}', done: true });
        await store.saveInstance(replaced);
        await expect(store.loadInstance(p, 'a')).resolves.toStrictEqual(replaced);
        await expect(store.instances(p)).resolves.toStrictEqual([replaced]);
        await expect(store.instancesWithTimers(p)).resolves.toEqual([]);
      });

      it('keeps the instances of different process names apart', async () => {
        const store = await open();
        const [p, q] = [newProcessName(), newProcessName()];
        const ofP = instance(p, 'order-1', { state: '"p"', nextTimerAt: 10 });
        const ofQ = instance(q, 'order-1', { state: '"q"', done: true, nextTimerAt: 20 });
        await store.saveInstance(ofP);
        await store.saveInstance(ofQ);
        await expect(store.loadInstance(p, 'order-1')).resolves.toStrictEqual(ofP);
        await expect(store.loadInstance(q, 'order-1')).resolves.toStrictEqual(ofQ);
        await expect(store.instances(p)).resolves.toStrictEqual([ofP]);
        await expect(store.instancesWithTimers(q)).resolves.toStrictEqual([ofQ]);
      });

      it("keeps what was saved, whatever happens to the caller's object afterwards", async () => {
        const store = await open();
        const p = newProcessName();
        const record = instance(p, 'a', { nextTimerAt: 7 });
        const mutable = { ...record };
        await store.saveInstance(mutable);
        Object.assign(mutable, { state: 'changed', done: true, nextTimerAt: 8 });
        await expect(store.loadInstance(p, 'a')).resolves.toStrictEqual(record);
      });
    });

    describe('tracking', () => {
      it('records the tracking with the instance: max, hasTrackingId, wait and committed$', async () => {
        const store = await open();
        const p = newProcessName();
        const app = newApplicationName();
        const seen = collectCommits(store, app);
        const waited = store.wait(app, 2n, { timeout: 10_000 });
        await store.saveInstance(instance(p, 'a'), tracking(app, 1n));
        await expect(store.maxTrackingId(app)).resolves.toBe(1n);
        const second = instance(p, 'b', { nextTimerAt: 3 });
        await store.saveInstance(second, tracking(app, 2n));
        await expect(waited).resolves.toBeUndefined();
        await expect(store.hasTrackingId(app, 2n)).resolves.toBe(true);
        await expect(store.hasTrackingId(app, 3n)).resolves.toBe(false);
        expect(seen).toEqual([1n, 2n]);
        await expect(store.loadInstance(p, 'b')).resolves.toStrictEqual(second);
      });

      it('refuses an equal or older tracking id with IntegrityError, writing neither instance nor tracking', async () => {
        const store = await open();
        const p = newProcessName();
        const app = newApplicationName();
        const first = instance(p, 'a');
        await store.saveInstance(first, tracking(app, 5n));
        const seen = collectCommits(store, app);
        for (const id of [5n, 4n]) {
          for (const record of [instance(p, 'a', { state: '"v2"' }), instance(p, 'new')]) {
            const error = await rejectionOf(store.saveInstance(record, tracking(app, id)));
            expect(isIntegrityError(error), `${record.correlationId} ${id}: ${String(error)}`).toBe(
              true,
            );
          }
        }
        await expect(store.loadInstance(p, 'a')).resolves.toStrictEqual(first);
        await expect(store.loadInstance(p, 'new')).resolves.toBeUndefined();
        await expect(store.maxTrackingId(app)).resolves.toBe(5n);
        expect(seen).toEqual([]);
        const second = instance(p, 'a', { state: '"v2"' });
        await store.saveInstance(second, tracking(app, 6n));
        await expect(store.loadInstance(p, 'a')).resolves.toStrictEqual(second);
      });

      it('writes the instance alone when saved without tracking', async () => {
        const store = await open();
        const p = newProcessName();
        const app = newApplicationName();
        await store.saveInstance(instance(p, 'a'), tracking(app, 1n));
        const seen = collectCommits(store, app);
        const fired = instance(p, 'a', { state: '"timer fired"', nextTimerAt: 99 });
        await store.saveInstance(fired);
        await store.saveInstance(instance(p, 'b'));
        await expect(store.loadInstance(p, 'a')).resolves.toStrictEqual(fired);
        await expect(store.instances(p).then(ids)).resolves.toEqual(['a', 'b']);
        await expect(store.maxTrackingId(app)).resolves.toBe(1n);
        expect(seen).toEqual([]);
        await store.saveInstance(instance(p, 'c'), tracking(app, 2n)); // the next id is still free
      });

      it('stores exactly the instances whose tracking was accepted under concurrency', async () => {
        const store = await open();
        const p = newProcessName();
        const app = newApplicationName();
        const numbers = Array.from({ length: 10 }, (_, i) => i + 1);
        const results = await Promise.allSettled(
          numbers.map((n) => store.saveInstance(instance(p, `i${n}`), tracking(app, BigInt(n)))),
        );
        const accepted: string[] = [];
        results.forEach((result, i) => {
          if (result.status === 'fulfilled') accepted.push(`i${numbers[i]}`);
          else expect(isIntegrityError(result.reason), String(result.reason)).toBe(true);
        });
        expect(results.at(-1)?.status).toBe('fulfilled');
        await expect(store.instances(p).then(ids)).resolves.toEqual(accepted.sort());
        await expect(store.maxTrackingId(app)).resolves.toBe(10n);
      });
    });

    describe('queries', () => {
      it('lists the instances of one process with a pending timer, soonest first', async () => {
        const store = await open();
        const [p, q] = [newProcessName(), newProcessName()];
        const timers: [string, number | undefined][] = [
          ['a', 300],
          ['b', undefined],
          ['c', 100],
          ['d', 200],
          ['e', undefined],
        ];
        for (const [id, nextTimerAt] of timers) {
          await store.saveInstance(instance(p, id, { nextTimerAt, done: id === 'd' }));
        }
        await store.saveInstance(instance(q, 'x', { nextTimerAt: 50 }));
        const due = await store.instancesWithTimers(p);
        expect(ids(due)).toEqual(['c', 'd', 'a']);
        expect(due[1]).toStrictEqual(instance(p, 'd', { nextTimerAt: 200, done: true }));
        await expect(store.instancesWithTimers(q).then(ids)).resolves.toEqual(['x']);
        await expect(store.instancesWithTimers(newProcessName())).resolves.toEqual([]);
        await store.saveInstance(instance(p, 'a', { nextTimerAt: 50 }));
        await store.saveInstance(instance(p, 'c'));
        await expect(store.instancesWithTimers(p).then(ids)).resolves.toEqual(['a', 'd']);
      });

      it('lists every instance of one process in correlation-id order (by code point)', async () => {
        const store = await open();
        const [p, q] = [newProcessName(), newProcessName()];
        // Code point order: not a locale's ('a' < 'B'), nor UTF-16's ('😀' < '\uFF5E').
        const ordered = ['10', '9', 'B', 'a', 'a b', 'b', 'é', '\uFF5E', '😀'];
        for (const id of [...ordered].reverse()) await store.saveInstance(instance(p, id));
        await store.saveInstance(instance(q, 'A'));
        const all = await store.instances(p);
        expect(ids(all)).toEqual(ordered);
        expect(all[0]).toStrictEqual(instance(p, '10'));
        await expect(store.instances(newProcessName())).resolves.toEqual([]);
      });
    });

    if (capabilities.sharedStore) {
      it('survives a reopen: a new store on the same database sees the instances and tracking', async () => {
        const first = await open();
        const p = newProcessName();
        const app = newApplicationName();
        const a = instance(p, 'a', { done: true });
        const b = instance(p, 'b', { nextTimerAt: 1_000 });
        await first.saveInstance(a, tracking(app, 3n));
        await first.saveInstance(b);
        await first.close();
        const second = await open();
        await expect(second.loadInstance(p, 'a')).resolves.toStrictEqual(a);
        await expect(second.instances(p)).resolves.toStrictEqual([a, b]);
        await expect(second.instancesWithTimers(p)).resolves.toStrictEqual([b]);
        await expect(second.maxTrackingId(app)).resolves.toBe(3n);
        const error = await rejectionOf(second.saveInstance(a, tracking(app, 3n)));
        expect(isIntegrityError(error), String(error)).toBe(true);
      });
    } else {
      it('keeps its instances to itself: a new store starts empty', async () => {
        const first = await open();
        const p = newProcessName();
        const app = newApplicationName();
        await first.saveInstance(instance(p, 'a'), tracking(app, 1n));
        const second = await open();
        await expect(second.loadInstance(p, 'a')).resolves.toBeUndefined();
        await expect(second.instances(p)).resolves.toEqual([]);
        await expect(second.maxTrackingId(app)).resolves.toBeUndefined();
      });
    }

    describe('arguments', () => {
      it('refuses a bad record or tracking with ProgrammingError and writes nothing', async () => {
        const store = await open();
        const p = newProcessName();
        const app = newApplicationName();
        const good = instance(p, 'good', { nextTimerAt: 1 });
        const badRecords: [unknown, RegExp][] = [
          [null, /process instance is null/],
          ['{}', /process instance is a string/],
          [{ ...good, processName: 42 }, /process name is a number \(42\)/],
          [{ ...good, processName: '' }, /process name is empty/],
          [{ ...good, processName: 'p\0' }, /process name contains U\+0000/],
          [{ ...good, correlationId: undefined }, /correlation id .* is undefined/],
          [{ ...good, correlationId: '' }, /correlation id .* is empty/],
          [{ ...good, correlationId: 'a\uD800' }, /correlation id .* lone UTF-16 surrogate/],
          [{ ...good, state: { step: 1 } }, /state .* is an object, not a string/],
          [{ ...good, state: undefined }, /state .* is undefined/],
          [{ ...good, state: '"\uDC00"' }, /state .* lone UTF-16 surrogate/],
          [{ ...good, state: '"\0"' }, /state .* U\+0000/],
          [{ ...good, done: 'true' }, /done .* is a string/],
          [{ ...good, done: undefined }, /done .* is undefined/],
          [{ ...good, nextTimerAt: Number.NaN }, /next timer .*NaN/],
          [{ ...good, nextTimerAt: Number.POSITIVE_INFINITY }, /next timer .*Infinity/],
          [{ ...good, nextTimerAt: '5' }, /next timer .* a string/],
          [{ ...good, nextTimerAt: null }, /next timer .*null/],
          [{ ...good, nextTimerAt: 5n }, /next timer .*bigint/],
        ];
        const save = store.saveInstance.bind(store) as (...args: unknown[]) => Promise<void>;
        let id = 0n;
        for (const [record, message] of badRecords) {
          const what = `saveInstance(${JSON.stringify(record, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))})`;
          await expectRejection(() => save(record), ProgrammingError, message, what);
          const withTracking = () => save(record, tracking(app, ++id));
          await expectRejection(withTracking, ProgrammingError, message, `${what} with tracking`);
        }
        for (const bad of ['app', { applicationName: app, notificationId: 1 }, null]) {
          await expectRejection(() => save(good, bad), ProgrammingError, /tracking/, String(bad));
        }
        await expect(store.loadInstance(p, 'good')).resolves.toBeUndefined();
        await expect(store.instances(p)).resolves.toEqual([]);
        await expect(store.maxTrackingId(app)).resolves.toBeUndefined();
      });

      it('refuses bad process names and correlation ids of reads with ProgrammingError', async () => {
        const store = await open();
        const p = newProcessName();
        const load = store.loadInstance.bind(store) as (...args: unknown[]) => Promise<unknown>;
        const list = store.instances.bind(store) as (name: unknown) => Promise<unknown>;
        const timers = store.instancesWithTimers.bind(store) as (name: unknown) => Promise<unknown>;
        const calls: [() => Promise<unknown>, RegExp][] = [
          [() => load(42, 'a'), /process name is a number/],
          [() => load('', 'a'), /process name is empty/],
          [() => load(p, ''), /correlation id .* is empty/],
          [() => load(p, null), /correlation id .* is null/],
          [() => list(undefined), /process name is undefined/],
          [() => list(''), /process name is empty/],
          [() => timers(null), /process name is null/],
          [() => timers(['p']), /process name is an array/],
        ];
        for (const [call, message] of calls) {
          await expectRejection(call, ProgrammingError, message, String(message));
        }
      });
    });

    it('refuses use after close, saying it is closed, and writes nothing', async () => {
      const store = await open();
      const p = newProcessName();
      const app = newApplicationName();
      await store.close();
      const type =
        capabilities.closedError === 'ProgrammingError' ? ProgrammingError : PersistenceError;
      const calls: Record<string, () => Promise<unknown>> = {
        loadInstance: () => store.loadInstance(p, 'a'),
        saveInstance: () => store.saveInstance(instance(p, 'a')),
        'saveInstance with tracking': () => store.saveInstance(instance(p, 'b'), tracking(app, 1n)),
        instances: () => store.instances(p),
        instancesWithTimers: () => store.instancesWithTimers(p),
      };
      for (const [what, call] of Object.entries(calls)) {
        await expectRejection(call, type, /closed/, what);
      }
      await expect(store.close(), 'a second close()').resolves.toBeUndefined();
      if (capabilities.sharedStore) {
        const other = await open();
        await expect(other.instances(p)).resolves.toEqual([]);
        await expect(other.maxTrackingId(app)).resolves.toBeUndefined();
      }
    });

    if (capabilities.batches === 'per-event') {
      it('has no batch: inBatch applies each save at once, and an escaping error undoes nothing', async () => {
        const store = await open();
        expect(isBatchingTrackingRecorder(store)).toBe(false);
        const p = newProcessName();
        const app = newApplicationName();
        const crash = new Error('handler crashed');
        const error = await rejectionOf(
          inBatch(store, async () => {
            await store.saveInstance(instance(p, 'a'), tracking(app, 1n));
            await store.saveInstance(instance(p, 'b'));
            await expect(store.instances(p).then(ids)).resolves.toEqual(['a', 'b']);
            throw crash;
          }),
        );
        expect(error).toBe(crash);
        await expect(store.instances(p).then(ids)).resolves.toEqual(['a', 'b']);
        await expect(store.maxTrackingId(app)).resolves.toBe(1n);
      });
    } else {
      describeTransactionalBatches(open, capabilities);
    }
  });
}

/** The batch cases of a store whose `batches` capability is `'transactional'`. */
function describeTransactionalBatches(
  open: () => Promise<ProcessStore>,
  capabilities: ProcessStoreCapabilities,
): void {
  const outside = capabilities.writesOutsideBatch;
  const openBatching = async (): Promise<ProcessStore & BatchingTrackingRecorder> => {
    const store = await open();
    if (!isBatchingTrackingRecorder(store)) throw new Error('The store has no batch()');
    return store;
  };

  describe('batches (transactional)', () => {
    it('joins a save with tracking to the batch: seen inside it, shown and emitted on commit', async () => {
      const store = await openBatching();
      const observer = capabilities.sharedStore ? await open() : undefined;
      const p = newProcessName();
      const app = newApplicationName();
      const seen = collectCommits(store, app);
      const a1 = instance(p, 'a', { nextTimerAt: 20 });
      const a2 = instance(p, 'a', { state: '"v2"', nextTimerAt: 10 });
      const b1 = instance(p, 'b', { nextTimerAt: 15 });
      // Started outside the batch's async context, released from inside it.
      const gate = deferred();
      const loadedOutside = gate.promise.then(() => store.loadInstance(p, 'a'));
      await store.batch(async () => {
        await store.saveInstance(a1, tracking(app, 1n));
        await expect(store.loadInstance(p, 'a')).resolves.toStrictEqual(a1);
        await store.saveInstance(b1, tracking(app, 2n));
        await store.saveInstance(a2, tracking(app, 3n));
        await expect(store.loadInstance(p, 'a')).resolves.toStrictEqual(a2);
        await expect(store.instances(p)).resolves.toStrictEqual([a2, b1]);
        await expect(store.instancesWithTimers(p)).resolves.toStrictEqual([a2, b1]);
        gate.resolve();
        await sleep(50);
        expect(seen).toEqual([]);
        if (observer !== undefined) {
          await expect(observer.loadInstance(p, 'a')).resolves.toBeUndefined();
          await expect(observer.maxTrackingId(app)).resolves.toBeUndefined();
        }
        if (outside === 'concurrent') await expect(loadedOutside).resolves.toBeUndefined();
        else expect(await hasSettled(loadedOutside)).toBe(false);
      });
      expect(seen).toEqual([1n, 2n, 3n]);
      await expect(store.loadInstance(p, 'a')).resolves.toStrictEqual(a2);
      await expect(store.maxTrackingId(app)).resolves.toBe(3n);
      if (outside === 'wait-for-batch') await expect(loadedOutside).resolves.toStrictEqual(a2);
      if (observer !== undefined) await expect(observer.instances(p)).resolves.toHaveLength(2);
    });

    it('rolls the saves of a batch back with it: an escaping error or IntegrityError', async () => {
      const store = await openBatching();
      const p = newProcessName();
      const app = newApplicationName();
      const a1 = instance(p, 'a');
      await store.saveInstance(a1, tracking(app, 1n));
      const seen = collectCommits(store, app);
      const crash = new Error('handler crashed');
      const crashed = store.batch(async () => {
        await store.saveInstance(instance(p, 'a', { done: true }), tracking(app, 2n));
        await store.saveInstance(instance(p, 'b'), tracking(app, 3n));
        throw crash;
      });
      expect(await rejectionOf(crashed)).toBe(crash);
      const duplicate = store.batch(async () => {
        await store.saveInstance(instance(p, 'b'), tracking(app, 2n));
        await store.saveInstance(instance(p, 'a', { done: true }), tracking(app, 2n));
      });
      const error = await rejectionOf(duplicate);
      expect(isIntegrityError(error), String(error)).toBe(true);
      await expect(store.instances(p)).resolves.toStrictEqual([a1]);
      await expect(store.maxTrackingId(app)).resolves.toBe(1n);
      expect(seen).toEqual([]);
    });

    for (const outcome of ['commit', 'rollback'] as const) {
      it(`writes a save without tracking made outside an open batch on its own (batch ${outcome})`, async () => {
        const store = await openBatching();
        const p = newProcessName();
        const app = newApplicationName();
        const fired = instance(p, 'timer', { state: '"fired"' });
        const gate = deferred();
        // A durable timer firing in another async context while the batch is open.
        const outsideSave = gate.promise.then(() => store.saveInstance(fired));
        const crash = new Error('handler crashed');
        const batched = store.batch(async () => {
          await store.saveInstance(instance(p, 'a'), tracking(app, 1n));
          gate.resolve();
          if (outside === 'concurrent') {
            await outsideSave; // committed on its own while the batch is open
          } else {
            await sleep(50);
            expect(await hasSettled(outsideSave)).toBe(false);
          }
          await store.saveInstance(instance(p, 'a', { done: true }), tracking(app, 2n));
          if (outcome === 'rollback') throw crash;
        });
        if (outcome === 'rollback') expect(await rejectionOf(batched)).toBe(crash);
        else await batched;
        await outsideSave;
        await expect(store.loadInstance(p, 'timer')).resolves.toStrictEqual(fired);
        const committed = outcome === 'commit';
        await expect(store.instances(p).then(ids)).resolves.toEqual(
          committed ? ['a', 'timer'] : ['timer'],
        );
        await expect(store.maxTrackingId(app)).resolves.toBe(committed ? 2n : undefined);
      });
    }
  });
}
