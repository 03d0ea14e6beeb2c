/**
 * An object-mode `Readable` read item by item without an async iterator.
 *
 * `for await` over a stream adds a step of an async generator per item (Node's stream iterator),
 * on top of the generator that consumes it. A subscription catching up delivers tens of
 * thousands of items a second, where that layer is a visible share of the work; reading the
 * stream's buffer directly leaves only the consumer's own generator.
 *
 * @module
 */
import { finished, type Readable } from 'node:stream';

/**
 * Reads `stream` the way `for await` does: {@link read} takes a buffered item, {@link wait}
 * waits for the next one or for the end, and {@link failure} is what `for await` would throw
 * (the stream's error, or a premature-close error when it was destroyed before its end).
 */
export class ReadableCursor<T> {
  readonly #stream: Readable;
  readonly #stopWatching: () => void;
  #wake: (() => void) | undefined;
  #outcome: { readonly error: unknown } | undefined;

  constructor(stream: Readable) {
    this.#stream = stream;
    stream.on('readable', this.#onReadable);
    this.#stopWatching = finished(stream, { writable: false }, (error) => {
      this.#outcome = { error: error ?? undefined };
      this.#onReadable();
    });
  }

  /** The next buffered item; `null` when none is buffered or the stream was destroyed. */
  read(): T | null {
    return this.#stream.destroyed ? null : (this.#stream.read() as T | null);
  }

  /** True once the stream has ended, failed or been destroyed (buffered items may remain). */
  get finished(): boolean {
    return this.#outcome !== undefined;
  }

  /** Why the stream finished early; `undefined` while it goes on or when it ended normally. */
  get failure(): unknown {
    return this.#outcome?.error;
  }

  /** Resolves when an item may be buffered or the stream has finished. */
  wait(): Promise<void> {
    if (this.#outcome !== undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
  }

  /** Stops listening to the stream (it is not destroyed). */
  close(): void {
    this.#stream.off('readable', this.#onReadable);
    this.#stopWatching();
    this.#onReadable();
  }

  readonly #onReadable = (): void => {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  };
}
