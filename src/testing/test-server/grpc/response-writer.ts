/**
 * Writes pre-encoded responses to a server-streaming call with HTTP/2 backpressure: callers
 * stop when {@link ResponseWriter.write} returns false and wait for {@link ResponseWriter.drain}.
 * A cancelled or closed call turns every later write into a no-op.
 *
 * @module
 */
import type { ServerWritableStream } from '@grpc/grpc-js';
import type { RpcError } from './rpc-errors.js';

/** A server-streaming call whose responses are already encoded. */
export type BufferCall = ServerWritableStream<unknown, Buffer>;

/** Backpressure-aware writer for one call. */
export class ResponseWriter {
  private closedFlag = false;
  private waiters: Array<() => void> = [];
  private readonly closeListeners: Array<() => void> = [];

  constructor(private readonly call: BufferCall) {
    const close = (): void => this.markClosed();
    call.on('cancelled', close);
    call.on('close', close);
    call.on('finish', close);
    call.on('error', close);
    call.on('drain', () => this.release());
  }

  /** True once the call was cancelled, failed or ended. */
  get closed(): boolean {
    return this.closedFlag || this.call.cancelled || this.call.destroyed;
  }

  /** True while the transport asks the writer to wait for `drain`. */
  get blocked(): boolean {
    return this.call.writableNeedDrain;
  }

  /** Registers a callback run once when the call closes. */
  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** Writes one response; false means "wait for {@link drain} before writing more". */
  write(response: Buffer): boolean {
    if (this.closed) return false;
    return this.call.write(response);
  }

  /** Resolves true when more can be written, false when the call closed meanwhile. */
  drain(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (!this.call.writableNeedDrain) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.waiters.push(() => resolve(!this.closed));
    });
  }

  /** Ends the call with OK. */
  end(): void {
    if (this.closed) return;
    this.closedFlag = true;
    this.call.end();
    this.runCloseListeners();
  }

  /** Ends the call with an error status and trailers. */
  fail(error: RpcError): void {
    if (this.closed) return;
    this.closedFlag = true;
    this.call.emit('error', error);
    this.runCloseListeners();
    this.release();
  }

  private markClosed(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.runCloseListeners();
    this.release();
  }

  private runCloseListeners(): void {
    const listeners = this.closeListeners.splice(0);
    for (const listener of listeners) listener();
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}
