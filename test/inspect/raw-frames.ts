/**
 * A WebSocket client of the inspector relay that keeps every frame exactly as the relay sent it
 * (the text the bridge page hands to the inspector UI), to search the serialized messages.
 *
 * @module
 */

import { type RawData, WebSocket } from 'ws';

export interface RawFrames {
  /** Every frame received, as text, in arrival order (a live array). */
  readonly frames: readonly string[];
  /** Resolves when the socket closes, whichever side closes it. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

export async function collectRawFrames(wsUrl: string): Promise<RawFrames> {
  const socket = new WebSocket(wsUrl);
  const frames: string[] = [];
  socket.on('message', (data: RawData) => frames.push(data.toString()));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    frames,
    closed,
    async close() {
      if (socket.readyState !== WebSocket.CLOSED) socket.close();
      await closed;
    },
  };
}
