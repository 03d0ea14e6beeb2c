/**
 * The local relay between the application's inspector socket and the inspector pages: an HTTP
 * server that serves the bridge page and a WebSocket server that forwards every message a client
 * sends to all other clients, keeping the latest ones to replay to pages that connect later —
 * the protocol of `@statelyai/inspect/server`, which cannot be used itself: it always listens on
 * every interface, its page points at the configured port even when that is 0, and its `stop()`
 * neither waits nor closes open sockets.
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
import { bridgePage } from './bridge-page.js';

/** How the relay listens and what it keeps. */
export interface RelayServerOptions {
  /** Address to bind, e.g. `127.0.0.1`. */
  readonly host: string;
  /** Port to bind; 0 picks a free one. */
  readonly port: number;
  /** Inspector UI the bridge page embeds. */
  readonly uiUrl: string;
  /** How many of the latest messages to replay to a client that connects later. */
  readonly replayLimit: number;
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
  const replay: string[] = [];
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
      for (const message of replay) ws.send(message);
    }
    ws.on('message', (data: RawData) => {
      const message = rawToString(data);
      replay.push(message);
      if (replay.length > options.replayLimit) replay.shift();
      for (const client of wss.clients) {
        if (client !== ws && client.readyState === WebSocket.OPEN) client.send(message);
      }
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
