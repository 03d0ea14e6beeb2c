/**
 * A FIFO of items read ahead from a subscription, bounded by a high-water mark: the reader asks
 * {@link BoundedBuffer.whenRoom} before each pull, so the buffer never holds more than its
 * capacity and a slow consumer stops the reader instead of growing memory.
 *
 * @module
 */

/** The state of a read-ahead buffer, for tests and monitoring. */
export interface BufferStats {
  /** Items buffered now (read from the source, not yet handed out in a batch). */
  readonly size: number;
  /** The largest `size` seen so far. */
  readonly peak: number;
  /** The buffer's capacity: `size` never exceeds it. */
  readonly highWaterMark: number;
  /** Items read from the source so far. */
  readonly read: number;
}

/** A FIFO of at most `highWaterMark` items that tells a reader when there is room again. */
export class BoundedBuffer<T> {
  readonly highWaterMark: number;
  #items: T[] = [];
  /** When each buffered item arrived (`performance.now()`), parallel to `#items`. */
  #arrivals: number[] = [];
  #peak = 0;
  #read = 0;
  #room: (() => void) | undefined;

  /** @throws RangeError unless `highWaterMark` is a positive integer */
  constructor(highWaterMark: number) {
    if (!Number.isInteger(highWaterMark) || highWaterMark < 1) {
      throw new RangeError(`highWaterMark must be a positive integer, got ${highWaterMark}`);
    }
    this.highWaterMark = highWaterMark;
  }

  get size(): number {
    return this.#items.length;
  }

  /** True when the buffer holds `highWaterMark` items: the reader must wait for {@link whenRoom}. */
  get full(): boolean {
    return this.#items.length >= this.highWaterMark;
  }

  /** When the oldest buffered item arrived, on the `performance.now()` clock. */
  get oldestAt(): number | undefined {
    return this.#arrivals[0];
  }

  get stats(): BufferStats {
    return {
      size: this.#items.length,
      peak: this.#peak,
      highWaterMark: this.highWaterMark,
      read: this.#read,
    };
  }

  /**
   * Appends an item.
   * @throws RangeError when the buffer is full (the reader did not wait for {@link whenRoom})
   */
  push(item: T): void {
    if (this.full) throw new RangeError(`buffer full (${this.highWaterMark} items)`);
    this.#items.push(item);
    this.#arrivals.push(performance.now());
    this.#read += 1;
    if (this.#items.length > this.#peak) this.#peak = this.#items.length;
  }

  /** Removes and returns the oldest `count` items (fewer when fewer are buffered). */
  take(count: number): T[] {
    const taken = this.#items.splice(0, count);
    this.#arrivals.splice(0, count);
    if (taken.length > 0) this.#wakeReader();
    return taken;
  }

  /** Resolves as soon as the buffer is below its high-water mark (at once if it is). */
  whenRoom(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#room = resolve;
    });
  }

  /** Drops every buffered item and releases a waiting reader. */
  clear(): void {
    this.#items = [];
    this.#arrivals = [];
    this.#wakeReader();
  }

  #wakeReader(): void {
    const wake = this.#room;
    this.#room = undefined;
    wake?.();
  }
}
