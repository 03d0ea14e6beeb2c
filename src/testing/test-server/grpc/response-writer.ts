/**
 * Writes pre-encoded responses to a server-streaming call with HTTP/2 backpressure: callers
 * stop when {@link ResponseWriter.write} returns false and wait for {@link ResponseWriter.drain}.
 * A response counts as pending until grpc-js has handed it to the HTTP/2 stream (which only
 * happens within the client's flow-control window), so a client that stops reading makes the
 * writer block after at most {@link MAX_PENDING_BYTES} (or {@link MAX_PENDING_RESPONSES}).
 * A cancelled or closed call turns every later write into a no-op.
 *
 * @module
 */
import type { ServerWritableStream } from '@grpc/grpc-js';
import type { RpcError } from './rpc-errors.js';

/** Bytes of responses written but not yet accepted by the HTTP/2 stream before writes block. */
export const MAX_PENDING_BYTES = 1024 * 1024;

/** Number of responses written but not yet accepted before writes block. */
export const MAX_PENDING_RESPONSES = 1024;

/** A server-streaming call whose responses are already encoded. */
export type BufferCall = ServerWritableStream<unknown, Buffer>;

/** Backpressure-aware writer for one call. */
export class ResponseWriter {
  private closedFlag = false;
  private waiters: Array<() => void> = [];
  private readonly closeListeners: Array<() => void> = [];
  private pendingBytes = 0;
  private pendingResponses = 0;

  constructor(private readonly call: BufferCall) {
    const close = (): void => this.markClosed();
    call.on('cancelled', close);
    call.on('close', close);
    call.on('finish', close);
    call.on('error', close);
  }

  /** True once the call was cancelled, failed or ended. */
  get closed(): boolean {
    return this.closedFlag || this.call.cancelled || this.call.destroyed;
  }

  /** True while too much is pending: the writer should wait for {@link drain}. */
  get blocked(): boolean {
    return this.pendingBytes >= MAX_PENDING_BYTES || this.pendingResponses >= MAX_PENDING_RESPONSES;
  }

  /** Registers a callback run once when the call closes. */
  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** Writes one response; false means "wait for {@link drain} before writing more". */
  write(response: Buffer): boolean {
    if (this.closed) return false;
    const size = response.length;
    this.pendingBytes += size;
    this.pendingResponses++;
    this.call.write(response, () => {
      this.pendingBytes -= size;
      this.pendingResponses--;
      if (!this.blocked) this.release();
    });
    return !this.blocked;
  }

  /** Resolves true when more can be written, false when the call closed meanwhile. */
  drain(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (!this.blocked) return Promise.resolve(true);
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
