/**
 * The timers of `core/sleep.ts`: a timeout of 2³¹ ms and more fires when it should (Node's
 * `setTimeout` alone fires it after 1 ms), `Infinity` never fires, and timeout options are
 * checked.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgrammingError } from '../../src/core/errors.js';
import {
  checkMilliseconds,
  MAX_TIMER_DELAY_MS,
  setLongTimeout,
  sleepUnlessAborted,
} from '../../src/core/sleep.js';

describe('setLongTimeout', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires a short delay like setTimeout', () => {
    const fired = vi.fn();
    setLongTimeout(fired, 100);
    vi.advanceTimersByTime(99);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledOnce();
  });

  for (const ms of [MAX_TIMER_DELAY_MS, MAX_TIMER_DELAY_MS + 1, 2 ** 31 + 5, 3 * 2 ** 31 + 7]) {
    it(`fires a delay of ${ms} ms after exactly that long, not before`, () => {
      const fired = vi.fn();
      setLongTimeout(fired, ms);
      vi.advanceTimersByTime(1);
      expect(fired).not.toHaveBeenCalled();
      vi.advanceTimersByTime(ms - 2);
      expect(fired).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(fired).toHaveBeenCalledOnce();
      vi.advanceTimersByTime(10 * MAX_TIMER_DELAY_MS);
      expect(fired).toHaveBeenCalledOnce();
    });
  }

  it('cancels a long delay in any of its chained timers', () => {
    const fired = vi.fn();
    const cancel = setLongTimeout(fired, 2 ** 31 + 5);
    vi.advanceTimersByTime(MAX_TIMER_DELAY_MS + 1);
    cancel();
    vi.advanceTimersByTime(2 ** 32);
    expect(fired).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never fires for Infinity, and sets no timer', () => {
    const fired = vi.fn();
    const cancel = setLongTimeout(fired, Number.POSITIVE_INFINITY);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(2 ** 40);
    expect(fired).not.toHaveBeenCalled();
    cancel();
  });

  it('lets sleepUnlessAborted sleep 2^31 ms and more, or until aborted', async () => {
    let slept = false;
    void sleepUnlessAborted(2 ** 31 + 5, new AbortController().signal).then(() => {
      slept = true;
    });
    await vi.advanceTimersByTimeAsync(2 ** 31 + 4);
    expect(slept).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(slept).toBe(true);

    const controller = new AbortController();
    const forever = sleepUnlessAborted(Number.POSITIVE_INFINITY, controller.signal);
    controller.abort();
    await expect(forever).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('checkMilliseconds', () => {
  it('accepts numbers ≥ 0 and Infinity', () => {
    for (const ms of [0, 1.5, 2 ** 31 + 5, Number.POSITIVE_INFINITY]) {
      expect(checkMilliseconds(ms, 'timeout')).toBe(ms);
    }
  });

  it('rejects NaN, negative numbers and non-numbers with a ProgrammingError naming the value', () => {
    const cases: [unknown, string][] = [
      [Number.NaN, 'a number (NaN)'],
      [-1, 'a number (-1)'],
      [Number.NEGATIVE_INFINITY, 'a number (-Infinity)'],
      ['100', 'a string ("100")'],
      [100n, 'a bigint (100n)'],
      [null, 'null'],
    ];
    for (const [value, described] of cases) {
      expect(() => checkMilliseconds(value, 'wait timeout')).toThrow(ProgrammingError);
      expect(() => checkMilliseconds(value, 'wait timeout')).toThrow(
        `Invalid wait timeout: ${described}`,
      );
    }
  });
});
