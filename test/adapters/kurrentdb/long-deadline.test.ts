/**
 * The adapter's deadline watchdog with deadlines of 2³¹ ms and more: it must neither expire them
 * early (Node's `setTimeout` fires such a delay after 1 ms) nor spin re-arming 1 ms timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OperationTimedOutError } from '../../../src/adapters/kurrentdb/client-errors.js';
import { withinDeadline } from '../../../src/adapters/kurrentdb/deadline.js';

describe('withinDeadline', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires a deadline of 2^31 + 5 ms after that long, not before, without spinning', async () => {
    const ms = 2 ** 31 + 5;
    let outcome: unknown;
    withinDeadline(new Promise<never>(() => undefined), ms, 'Waiting').catch((error: unknown) => {
      outcome = error;
    });
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(outcome).toBeUndefined();
    expect(setTimeoutSpy.mock.calls.length).toBeLessThanOrEqual(1);
    await vi.advanceTimersByTimeAsync(ms - 1_001);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toBeInstanceOf(OperationTimedOutError);
    setTimeoutSpy.mockRestore();
  });

  it('never expires an Infinity deadline, and resolves with the promise', async () => {
    let resolve: (value: string) => void = () => undefined;
    const pending = withinDeadline(
      new Promise<string>((r) => {
        resolve = r;
      }),
      Number.POSITIVE_INFINITY,
      'Waiting',
    );
    await vi.advanceTimersByTimeAsync(2 ** 40);
    resolve('done');
    await expect(pending).resolves.toBe('done');
  });
});
