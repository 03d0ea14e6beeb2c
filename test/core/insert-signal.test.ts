import { describe, expect, it } from 'vitest';
import { InsertSignal } from '../../src/core/insert-signal.js';

describe('InsertSignal', () => {
  it('wakes every waiter on notify, once', async () => {
    const signal = new InsertSignal();
    const controller = new AbortController();
    let woken = 0;
    const waits = [signal.wait(controller.signal), signal.wait(controller.signal)].map((p) =>
      p.then(() => woken++),
    );
    expect(signal.size).toBe(2);
    signal.notify();
    await Promise.all(waits);
    expect(woken).toBe(2);
    expect(signal.size).toBe(0);
  });

  it('resolves a wait when its signal aborts, and at once when already aborted', async () => {
    const signal = new InsertSignal();
    const controller = new AbortController();
    const waiting = signal.wait(controller.signal);
    controller.abort();
    await waiting;
    expect(signal.size).toBe(0);
    await signal.wait(controller.signal);
    expect(signal.size).toBe(0);
  });
});
