/**
 * The catch-up → live machinery shared by stream and $all subscriptions, shaped after a 25.1
 * node's subscription enumerators:
 *
 * - the confirmation goes first;
 * - catch-up reads the log after the checkpoint (exclusive), waiting for `drain` whenever the
 *   client does not keep up, so memory stays bounded;
 * - the switch to live happens synchronously at the end of the log, so nothing committed in
 *   between is lost or delivered twice;
 * - live events are written while the transport accepts them and queued otherwise; more than
 *   {@link LIVE_BUFFER_SIZE} queued items means the subscription fell behind: the queue is
 *   dropped and it catches up again from its checkpoint, then sends `caught_up` again (25.1 never
 *   aborts slow consumers; `fell_behind` is not sent to clients).
 *
 * @module
 */

import { randomUUID } from 'node:crypto';
import type { ResponseWriter } from '../grpc/response-writer.js';
import {
  consumerTooSlowError,
  type RpcError,
  unhandledExceptionError,
} from '../grpc/rpc-errors.js';
import type { OpenSubscription, ServerState } from '../grpc/server-state.js';
import type { LogRecord } from '../log/log-record.js';
import { encodeConfirmation } from '../wire/read-responses.js';

/** Capacity of a node's live channel (`DefaultLiveBufferSize`). */
export const LIVE_BUFFER_SIZE = 32;

/** One item waiting to be written while live. */
export interface LiveItem {
  /** Encodes the response (lazily: most items of a catching-up subscription are dropped). */
  readonly response: () => Buffer;
  /** Applied once the item is written (updates the subscription's checkpoint). */
  readonly onWritten: () => void;
  /** Checked just before writing: false drops the item (already covered). */
  readonly stillWanted: () => boolean;
}

/** Base class: subclasses implement catch-up, the caught-up message and live selection. */
export abstract class LiveSubscription implements OpenSubscription {
  protected mode: 'starting' | 'catching-up' | 'live' | 'closed' = 'starting';
  private readonly queue: LiveItem[] = [];
  private waitingForDrain = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    protected readonly state: ServerState,
    protected readonly writer: ResponseWriter,
  ) {}

  /** Starts the subscription: confirmation, then catch-up or live. */
  start(): void {
    this.state.subscriptions.add(this);
    this.unsubscribe = this.state.log.onCommit((records) => this.onCommitted(records));
    this.writer.onClose(() => this.dispose());
    this.writer.write(encodeConfirmation(randomUUID()));
    if (this.startsLive()) this.goLive();
    else this.startCatchUp();
  }

  /** Ends the subscription with the consumer-too-slow error of older nodes. */
  abort(): void {
    this.fail(consumerTooSlowError());
  }

  /** True when the checkpoint is already at or past the end of the log at subscribe time. */
  protected abstract startsLive(): boolean;

  /** Reads the log after the checkpoint; must call {@link goLive} synchronously at its end. */
  protected abstract catchUp(): Promise<void>;

  /** The `caught_up` message for the current checkpoint. */
  protected abstract caughtUpResponse(): Buffer;

  /** Turns committed records into live items (called in every mode). */
  protected abstract liveItems(records: readonly LogRecord[]): LiveItem[];

  /** Called when the subscription falls behind, before catching up again. */
  protected onFellBehind(): void {}

  /** Ends the call with an error. */
  protected fail(error: RpcError): void {
    if (this.mode === 'closed') return;
    this.writer.fail(error);
    this.dispose();
  }

  /** Writes a response during catch-up; resolves false when the call closed. */
  protected async send(response: Buffer): Promise<boolean> {
    if (this.isClosed()) return false;
    if (this.writer.write(response)) return true;
    return (await this.writer.drain()) && !this.isClosed();
  }

  /** True once the subscription ended. */
  protected isClosed(): boolean {
    return this.mode === 'closed';
  }

  /** Switches to live mode; call synchronously once the log end is reached. */
  protected goLive(): void {
    if (this.mode === 'closed') return;
    this.mode = 'live';
    this.queue.length = 0;
    this.writer.write(this.caughtUpResponse());
    this.flush();
  }

  private startCatchUp(): void {
    this.mode = 'catching-up';
    this.catchUp().catch((error: unknown) => {
      if (this.mode !== 'closed') this.fail(asRpcError(error));
    });
  }

  private onCommitted(records: readonly LogRecord[]): void {
    if (this.mode === 'closed') return;
    try {
      const items = this.liveItems(records);
      if (this.mode !== 'live') return;
      for (const item of items) this.queue.push(item);
      this.flush();
    } catch {
      this.fail(unhandledExceptionError());
    }
  }

  private flush(): void {
    while (this.mode === 'live' && this.queue.length > 0) {
      if (this.writer.blocked) break;
      const item = this.queue.shift() as LiveItem;
      if (!item.stillWanted()) continue;
      this.writer.write(item.response());
      item.onWritten();
    }
    if (this.mode !== 'live') return;
    if (this.queue.length > LIVE_BUFFER_SIZE) {
      this.queue.length = 0;
      this.onFellBehind();
      this.mode = 'catching-up';
      void this.writer.drain().then((open) => {
        if (open && this.mode === 'catching-up') this.startCatchUp();
      });
      return;
    }
    if (this.queue.length > 0 && !this.waitingForDrain) {
      this.waitingForDrain = true;
      void this.writer.drain().then((open) => {
        this.waitingForDrain = false;
        if (open) this.flush();
      });
    }
  }

  private dispose(): void {
    if (this.mode === 'closed') return;
    this.mode = 'closed';
    this.queue.length = 0;
    this.unsubscribe?.();
    this.state.subscriptions.delete(this);
  }
}

function asRpcError(error: unknown): RpcError {
  if (typeof error === 'object' && error !== null && 'code' in error && 'metadata' in error) {
    return error as RpcError;
  }
  return unhandledExceptionError();
}
