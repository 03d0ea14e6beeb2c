import { MemoryTrackingRecorder } from '../../src/adapters/memory/index.js';
import type { Tracking } from '../../src/core/tracking-recorder.js';
import {
  type CounterView,
  describeTrackingRecorderContract,
} from '../../src/testing/contract/index.js';

/** The contract's counter view, kept in memory. */
class MemoryCounterView extends MemoryTrackingRecorder implements CounterView {
  readonly #counts = new Map<string, number>();

  increment(name: string, tracking: Tracking): Promise<void> {
    return this.withLock(async () => {
      this.assertTrackingUniqueness(tracking);
      // Yield inside the lock: a broken lock would let concurrent increments interleave here.
      const current = this.#counts.get(name) ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 1));
      this.#counts.set(name, current + 1);
      this.insertTrackingUnlocked(tracking);
    });
  }

  incrementAndFail(_name: string, tracking: Tracking, error: Error): Promise<never> {
    return this.withLock(async () => {
      this.assertTrackingUniqueness(tracking);
      // Memory cannot undo: the update fails before it changes anything.
      await new Promise((resolve) => setTimeout(resolve, 1));
      throw error;
    });
  }

  async count(name: string): Promise<number> {
    return this.#counts.get(name) ?? 0;
  }
}

describeTrackingRecorderContract('MemoryTrackingRecorder', {
  create: async () => new MemoryTrackingRecorder(),
  createCounterView: async () => new MemoryCounterView(),
  capabilities: { sharedStore: false, waitWithoutPolling: 'all-commits', batches: 'per-event' },
});
