/**
 * The seed's materialised view: counters of dogs and tricks, kept in memory, and the projection
 * that feeds it from the training school's events. `npm start` runs it live; the README shows
 * the same code with SQLite and PostgreSQL variants.
 *
 * @module
 */
import { Dog } from '../../machines/dog.js';
import { MemoryTrackingRecorder } from '../adapters/memory/tracking-recorder.js';
import { afterCommit } from '../core/after-commit.js';
import type { Tracking, TrackingRecorder } from '../core/tracking-recorder.js';
import { Projection } from '../runtime/projection/projection.js';

export interface CountersView extends TrackingRecorder {
  incrDogCounter(tracking: Tracking): Promise<void>;
  incrTrickCounter(tracking: Tracking): Promise<void>;
  getDogCounter(): Promise<number>;
  getTrickCounter(): Promise<number>;
}

export class InMemoryCountersView extends MemoryTrackingRecorder implements CountersView {
  #dogs = 0;
  #tricks = 0;
  /** Both counts, after each commit. */
  readonly counts$ = afterCommit(this, () => ({ dogs: this.#dogs, tricks: this.#tricks }));

  incrDogCounter(tracking: Tracking): Promise<void> {
    return this.withLock(() => {
      this.assertTrackingUniqueness(tracking);
      this.#dogs++;
      this.insertTrackingUnlocked(tracking);
    });
  }

  incrTrickCounter(tracking: Tracking): Promise<void> {
    return this.withLock(() => {
      this.assertTrackingUniqueness(tracking);
      this.#tricks++;
      this.insertTrackingUnlocked(tracking);
    });
  }

  async getDogCounter(): Promise<number> {
    return this.#dogs;
  }

  async getTrickCounter(): Promise<number> {
    return this.#tricks;
  }
}

export class CountProjection extends Projection<CountersView> {
  static override topics = ['Dog.Registered', 'Dog.TrickAdded'];

  constructor(view: CountersView) {
    super(view);
    this.on(Dog, {
      Registered: (_event, tracking) => this.view.incrDogCounter(tracking),
      TrickAdded: (_event, tracking) => this.view.incrTrickCounter(tracking),
    });
  }
}
