/**
 * The local relay between the application's inspector socket and the inspector pages: an HTTP
 * server that serves the bridge page and a WebSocket server that forwards every message a client
 * sends to all other clients — the protocol of `@statelyai/inspect/server`, which cannot be used
 * itself: it always listens on every interface, its page points at the configured port even when
 * that is 0, and its `stop()` neither waits nor closes open sockets.
 *
 * A page that connects later is sent, first, the registration (`@xstate.actor`) and the latest
 * snapshot of every actor still live, however long ago it registered — kept per actor until a
 * snapshot says it stopped (status `stopped`, `done` or `error`), with its diagram if the source
 * knows it (`diagramOf`) — and then the latest
 * `replayLimit` messages about live actors, so it sees the whole running system and what it
 * did last, never an actor that has stopped.
 *
 * Unlike the package's server it also refuses WebSocket upgrades from web pages of other origins,
 * so a site open in the same browser cannot read the inspected data from `ws://127.0.0.1:<port>`.
 *
 * @module
 */

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { bridgePage, DIAGRAM_MESSAGE_TYPE } from './bridge-page.js';

/** How the relay listens and what it keeps. */
export interface RelayServerOptions {
  /** Address to bind, e.g. `127.0.0.1`. */
  readonly host: string;
  /** Port to bind; 0 picks a free one. */
  readonly port: number;
  /** Inspector UI the bridge page embeds. */
  readonly uiUrl: string;
  /**
   * How many of the latest messages to replay to a client that connects later (after the
   * registration and latest snapshot of every live actor, which are kept whatever this limit).
   */
  readonly replayLimit: number;
  /**
   * The Mermaid diagram of a registered actor's machine, if known: asked once per `@xstate.actor`
   * message a source sends; the answer is sent to the pages right after it (and kept, with the
   * registration, for pages that connect later) as a `@eventsourcing.diagram` message.
   */
  readonly diagramOf?: (sessionId: string) => string | undefined;
}

/** A listening relay. */
export interface RelayServer {
  /** The address the server is bound to, as the OS reports it. */
  readonly host: string;
  /** The port the server is bound to. */
  readonly port: number;
  /** The bridge page. */
  readonly url: string;
  /** Where inspector pages and other sources connect. */
  readonly wsUrl: string;
  /** Where this process's own inspector socket connects: `wsUrl` marked as the source. */
  readonly sourceUrl: string;
  /**
   * Resolves once a socket connected to `sourceUrl` is open on both ends and everything it sent
   * before opening has arrived (it answered a ping, which it can only do after that).
   */
  readonly sourceReady: Promise<void>;
  /**
   * Waits (briefly) for the source sockets to close by themselves, so their last messages are
   * relayed, then closes every other socket and the server. Idempotent.
   */
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 1_000;
const GOING_AWAY = 1001;

/** Starts a relay and resolves once it listens. */
export async function startRelayServer(options: RelayServerOptions): Promise<RelayServer> {
  const token = randomUUID();
  const recent: Relayed[] = [];
  const live = new Map<string, LiveActor>();
  const sources = new Set<WebSocket>();
  let allowedOrigins = new Set<string>();
  let markSourceReady: () => void = () => undefined;
  const sourceReady = new Promise<void>((resolve) => {
    markSourceReady = resolve;
  });

  const httpServer = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if ((request.method === 'GET' || request.method === 'HEAD') && path === '/') {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(request.method === 'HEAD' ? undefined : bridgePage(options.uiUrl));
      return;
    }
    response.writeHead(404).end();
  });
  const wss = new WebSocketServer({ noServer: true });

  httpServer.on('upgrade', (request, socket, head) => {
    const origin = request.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    socket.on('error', () => undefined);
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });

  wss.on('connection', (ws: WebSocket, request: http.IncomingMessage) => {
    ws.on('error', () => undefined);
    const isSource =
      new URL(request.url ?? '/', 'http://relay').searchParams.get('source') === token;
    if (isSource) {
      sources.add(ws);
      ws.once('close', () => sources.delete(ws));
      ws.once('pong', () => markSourceReady());
      ws.ping();
    } else {
      for (const message of replayFor(live, recent)) ws.send(message);
    }
    const relay = (message: string) => {
      const relayed = track(live, message);
      recent.push(relayed);
      if (recent.length > options.replayLimit) {
        const dropped = recent.shift();
        if (dropped !== undefined) dropped.recent = false;
      }
      for (const client of wss.clients) {
        if (client !== ws && client.readyState === WebSocket.OPEN) client.send(message);
      }
      return relayed;
    };
    ws.on('message', (data: RawData) => {
      const relayed = relay(rawToString(data));
      if (!isSource || !relayed.registration || relayed.sessionId === undefined) return;
      const mermaid = options.diagramOf?.(relayed.sessionId);
      if (mermaid === undefined) return;
      relay(JSON.stringify({ type: DIAGRAM_MESSAGE_TYPE, sessionId: relayed.sessionId, mermaid }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  httpServer.on('error', () => undefined);

  const address = httpServer.address() as AddressInfo;
  const port = address.port;
  const host = urlHost(address.address);
  allowedOrigins = new Set(
    [host, '127.0.0.1', 'localhost', '[::1]'].map((name) => `http://${name}:${port}`),
  );
  const wsUrl = `ws://${host}:${port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await waitUntil(() => sources.size === 0, CLOSE_GRACE_MS);
      for (const client of wss.clients) client.close(GOING_AWAY, 'inspector stopped');
      await waitUntil(() => wss.clients.size === 0, CLOSE_GRACE_MS);
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    })();
    return closing;
  };

  return {
    host: address.address,
    port,
    url: `http://${host}:${port}/`,
    wsUrl,
    sourceUrl: `${wsUrl}/?source=${token}`,
    sourceReady,
    close,
  };
}

/** A relayed message, as kept for pages that connect later. */
interface Relayed {
  readonly text: string;
  /** The actor the message is about, if it names one. */
  readonly sessionId: string | undefined;
  /** Still among the latest `replayLimit` messages. */
  recent: boolean;
  /** An `@xstate.actor` message. */
  readonly registration?: boolean;
}

/** What is kept of an actor until it stops. */
interface LiveActor {
  registration: Relayed | undefined;
  /** Its `@eventsourcing.diagram` message, sent after the registration. */
  diagram?: Relayed;
  snapshot: Relayed | undefined;
}

/** Snapshot statuses after which an actor processes nothing more. */
const ENDED = new Set(['stopped', 'done', 'error']);

/** Wraps a message and updates the table of live actors with it. */
function track(live: Map<string, LiveActor>, text: string): Relayed {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { text, sessionId: undefined, recent: true };
  }
  const message = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as {
    type?: unknown;
    sessionId?: unknown;
    snapshot?: { status?: unknown } | null;
  };
  const sessionId = typeof message.sessionId === 'string' ? message.sessionId : undefined;
  const registration = message.type === '@xstate.actor';
  const relayed: Relayed = { text, sessionId, recent: true, registration };
  if (sessionId === undefined) return relayed;
  if (message.type === DIAGRAM_MESSAGE_TYPE) {
    const actor = live.get(sessionId);
    if (actor !== undefined) actor.diagram = relayed;
  } else if (registration) {
    const actor = live.get(sessionId);
    if (actor === undefined) live.set(sessionId, { registration: relayed, snapshot: undefined });
    else actor.registration = relayed;
  } else if (message.type === '@xstate.snapshot') {
    const status = message.snapshot?.status;
    if (typeof status === 'string' && ENDED.has(status)) {
      live.delete(sessionId);
    } else {
      const actor = live.get(sessionId);
      if (actor === undefined) live.set(sessionId, { registration: undefined, snapshot: relayed });
      else actor.snapshot = relayed;
    }
  }
  return relayed;
}

/**
 * What a page that connects now is sent: for every live actor whose registration has left the
 * latest messages, its registration and latest snapshot (unless that is still among the latest);
 * then the latest messages, except those about actors that have stopped since.
 */
function replayFor(live: ReadonlyMap<string, LiveActor>, recent: readonly Relayed[]): string[] {
  const messages: string[] = [];
  for (const actor of live.values()) {
    if (actor.registration?.recent === true) continue;
    if (actor.registration !== undefined) messages.push(actor.registration.text);
    if (actor.diagram !== undefined && !actor.diagram.recent) messages.push(actor.diagram.text);
    if (actor.snapshot !== undefined && !actor.snapshot.recent) messages.push(actor.snapshot.text);
  }
  for (const relayed of recent) {
    if (relayed.sessionId === undefined || live.has(relayed.sessionId)) messages.push(relayed.text);
  }
  return messages;
}

/** The host part of a URL that reaches `address`; a wildcard address is reached via loopback. */
function urlHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return 'localhost';
  return address.includes(':') ? `[${address}]` : address;
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString();
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString();
  return data.toString();
}

/** Polls `condition` every few milliseconds until it holds or `timeoutMs` has passed. */
async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
