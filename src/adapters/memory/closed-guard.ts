/**
 * The closed state of the in-memory event recorders.
 *
 * @module
 */
import { ProgrammingError } from '../../core/errors.js';

/** Open until {@link ClosedGuard.close}; then {@link ClosedGuard.assertOpen} throws. */
export class ClosedGuard {
  readonly #recorderName: string;
  #closed = false;

  /** @param recorderName the class named by the error, as in `'<recorderName> is closed'` */
  constructor(recorderName: string) {
    this.#recorderName = recorderName;
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
  }

  /** The error of a call after `close()`. */
  error(): ProgrammingError {
    return new ProgrammingError(`${this.#recorderName} is closed`);
  }

  /** @throws ProgrammingError after `close()` */
  assertOpen(): void {
    if (this.#closed) throw this.error();
  }
}
