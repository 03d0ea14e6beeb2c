/**
 * Testing aid: a WebSocket client that connects to an inspector's relay the way the Stately
 * inspector page does (it sends nothing, receives a replay of the buffered messages and then
 * every new one, each a JSON-encoded inspection event) and collects what it receives.
 *
 * @module
 */

import type { StatelyInspectionEvent } from '@statelyai/inspect';
import { type RawData, WebSocket } from 'ws';

/** Options of {@link collectInspectorMessages}. */
export interface CollectInspectorMessagesOptions {
  /** `Origin` header to send, as a browser page would; none by default (a Node client). */
  readonly origin?: string;
}

/** The messages an inspector client has received so far, and ways to wait for more. */
export interface InspectorMessages {
  /** Every inspection event received, in arrival order (a live array). */
  readonly messages: readonly StatelyInspectionEvent[];
  /**
   * Resolves with the first message, received already or later, that satisfies `predicate`;
   * rejects after `timeoutMs` (default 5000) or when the socket closes first.
   */
  waitFor<M extends StatelyInspectionEvent>(
    predicate: (message: StatelyInspectionEvent) => message is M,
    timeoutMs?: number,
  ): Promise<M>;
  waitFor(
    predicate: (message: StatelyInspectionEvent) => boolean,
    timeoutMs?: number,
  ): Promise<StatelyInspectionEvent>;
  /** Resolves with the close code when the socket closes, whichever side closes it. */
  readonly closed: Promise<number>;
  /** Closes the socket and waits until it is closed. */
  close(): Promise<void>;
}

interface Waiter {
  readonly predicate: (message: StatelyInspectionEvent) => boolean;
  readonly resolve: (message: StatelyInspectionEvent) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Testing aid: connects to an inspector relay (`LocalInspector.wsUrl`) as an inspector page
 * would and collects the messages it relays. Resolves once connected; rejects if the server
 * refuses the connection.
 *
 * @example
 * ```ts
 * const client = await collectInspectorMessages(inspector.wsUrl);
 * actor.send({ type: 'increment' });
 * await client.waitFor((m) => m.type === '@xstate.snapshot' && m.event.type === 'increment');
 * await client.close();
 * ```
 */
export async function collectInspectorMessages(
  wsUrl: string,
  options: CollectInspectorMessagesOptions = {},
): Promise<InspectorMessages> {
  const socket = new WebSocket(
    wsUrl,
    options.origin === undefined ? {} : { headers: { Origin: options.origin } },
  );
  const messages: StatelyInspectionEvent[] = [];
  const waiters = new Set<Waiter>();
  let isClosed = false;

  const closed = new Promise<number>((resolve) => {
    socket.once('close', (code: number) => {
      isClosed = true;
      for (const waiter of waiters) waiter.reject(new Error(`inspector socket closed (${code})`));
      waiters.clear();
      resolve(code);
    });
  });

  socket.on('message', (data: RawData) => {
    let message: StatelyInspectionEvent;
    try {
      message = JSON.parse(data.toString()) as StatelyInspectionEvent;
    } catch {
      return;
    }
    messages.push(message);
    for (const waiter of waiters) {
      if (waiter.predicate(message)) {
        waiters.delete(waiter);
        waiter.resolve(message);
      }
    }
  });

  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve();
    });
    socket.once('error', reject);
  });

  const waitFor = (
    predicate: (message: StatelyInspectionEvent) => boolean,
    timeoutMs = 5_000,
  ): Promise<StatelyInspectionEvent> => {
    const found = messages.find(predicate);
    if (found) return Promise.resolve(found);
    if (isClosed) return Promise.reject(new Error('inspector socket is closed'));
    return new Promise<StatelyInspectionEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        const seen = messages.map((message) => message.type).join(', ');
        reject(new Error(`no matching inspector message within ${timeoutMs} ms (saw: ${seen})`));
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      waiters.add(waiter);
    });
  };

  return {
    messages,
    waitFor: waitFor as InspectorMessages['waitFor'],
    closed,
    async close() {
      if (socket.readyState !== WebSocket.CLOSED) socket.close();
      await closed;
    },
  };
}
