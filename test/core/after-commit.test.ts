import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { MemoryTrackingRecorder } from '../../src/adapters/memory/index.js';
import { afterCommit } from '../../src/core/after-commit.js';
import type { Tracking } from '../../src/core/tracking-recorder.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const up = (notificationId: bigint): Tracking => ({ applicationName: 'up', notificationId });

/** Resolves once `condition()` holds; fails after 2 s. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 2_000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition never held');
    await sleep(2);
  }
}

/** A memory view whose state changes in two steps around its tracking record. */
class Totals extends MemoryTrackingRecorder {
  #total = 0n;
  #items: string[] = [];
  readonly totals$ = afterCommit(this, () => ({ total: this.#total, items: [...this.#items] }));

  add(item: string, amount: bigint, tracking: Tracking): Promise<void> {
    return this.withLock(async () => {
      this.assertTrackingUniqueness(tracking);
      this.#total += amount;
      this.insertTrackingUnlocked(tracking);
      await sleep(5); // the section goes on after recording: readers must not see it half done
      this.#items.push(item);
    });
  }

  /** Records the tracking record without changing the totals. */
  skip(tracking: Tracking): Promise<void> {
    return this.insertTracking(tracking);
  }
}

describe('afterCommit', () => {
  it('reads on subscribe and after each commit of a view, skipping deep-equal values', async () => {
    const view = new Totals();
    const values: unknown[] = [];
    const subscription = view.totals$.subscribe((value) => values.push(value));
    expect(values).toEqual([]); // the first value comes asynchronously
    await until(() => values.length === 1);
    await view.add('a', 2n, up(1n));
    await until(() => values.length === 2);
    await view.skip(up(2n)); // commits, but the totals read the same
    await sleep(20);
    await view.add('b', 3n, up(3n));
    await until(() => values.length === 3);
    expect(values).toEqual([
      { total: 0n, items: [] },
      { total: 2n, items: ['a'] }, // read after the whole section, never { total: 2n, items: [] }
      { total: 5n, items: ['a', 'b'] },
    ]);
    subscription.unsubscribe();
    await view.close();
  });

  it('shares one read among the commits of a burst, and reads again after the last commit', async () => {
    const commits = new Subject<Tracking>();
    let state = 0;
    let reads = 0;
    const values: number[] = [];
    afterCommit({ committed$: commits }, () => {
      reads++;
      return state;
    }).subscribe((value) => values.push(value));
    await until(() => values.length === 1);
    expect(reads).toBe(1);
    for (let id = 1n; id <= 100n; id++) {
      state = Number(id);
      commits.next(up(id)); // a batch's records, emitted in one go after its commit
    }
    await until(() => values.length === 2);
    await sleep(10);
    expect(reads).toBe(2);
    expect(values).toEqual([0, 100]);
  });

  it('reads one at a time, in order, and emits the state after the last commit last', async () => {
    const commits = new Subject<Tracking>();
    let state = 0;
    let running = 0;
    let mostAtOnce = 0;
    const values: number[] = [];
    afterCommit({ committed$: commits }, async () => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      const seen = state;
      await sleep(10);
      running--;
      return seen;
    }).subscribe((value) => values.push(value));
    await sleep(2); // the first read is running
    for (let id = 1; id <= 3; id++) {
      state = id;
      commits.next(up(BigInt(id)));
      await sleep(3);
    }
    await until(() => values.at(-1) === 3);
    await sleep(30);
    expect(mostAtOnce).toBe(1);
    expect(values).toEqual([...values].sort((a, b) => a - b)); // in order
    expect(values.at(-1)).toBe(3);
  });

  it('completes after the pending read when the view closes, and after a first read when already closed', async () => {
    const view = new Totals();
    let completed = false;
    const values: unknown[] = [];
    view.totals$.subscribe({ next: (v) => values.push(v), complete: () => (completed = true) });
    await view.close();
    await until(() => completed);
    expect(values).toEqual([{ total: 0n, items: [] }]);

    let lateCompleted = false;
    const late: unknown[] = [];
    view.totals$.subscribe({ next: (v) => late.push(v), complete: () => (lateCompleted = true) });
    await until(() => lateCompleted);
    expect(late).toEqual([{ total: 0n, items: [] }]);
  });

  it('errors when the read fails or the commits error', async () => {
    const commits = new Subject<Tracking>();
    const failure = new Error('read failed');
    let fail = false;
    let readError: unknown;
    afterCommit({ committed$: commits }, async () => {
      if (fail) throw failure;
      return 1;
    }).subscribe({ error: (e) => (readError = e) });
    await sleep(5);
    fail = true;
    commits.next(up(1n));
    await until(() => readError !== undefined);
    expect(readError).toBe(failure);

    const broken = new Subject<Tracking>();
    let sourceError: unknown;
    afterCommit({ committed$: broken }, () => 1).subscribe({ error: (e) => (sourceError = e) });
    const lost = new Error('lost');
    broken.error(lost);
    expect(sourceError).toBe(lost);
  });

  it('stops reading once unsubscribed', async () => {
    const commits = new Subject<Tracking>();
    let reads = 0;
    const subscription = afterCommit({ committed$: commits }, () => ++reads).subscribe();
    await until(() => reads === 1);
    subscription.unsubscribe();
    expect(commits.observed).toBe(false);
    commits.next(up(1n));
    await sleep(10);
    expect(reads).toBe(1);
  });
});
