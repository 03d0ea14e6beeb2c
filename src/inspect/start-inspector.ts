/**
 * `startInspector()`: a Stately inspector for actors running in this process, served from a local
 * relay, never a hosted one. The page it serves embeds the inspector UI (by default loaded from
 * stately.ai) and hands it, inside the browser, every message — with the `sanitize` fields
 * already redacted here. The application side is `@statelyai/inspect`'s own
 * WebSocket inspector (`createWebSocketInspector`); the server side is {@link startRelayServer},
 * which speaks the protocol of `@statelyai/inspect/server` but binds only the requested address.
 *
 * @module
 */

import { createWebSocketInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import type { InspectionEvent, Observer } from 'xstate';
import { isDiagramSource } from '../diagram/machine-graph.js';
import { toMermaid } from '../diagram/to-mermaid.js';
import { DEFAULT_INSPECTOR_UI_URL } from './bridge-page.js';
import { openBrowser } from './open-browser.js';
import { startRelayServer } from './relay-server.js';
import {
  createMessageRedactor,
  type InspectorSanitizeOptions,
  sanitizedFields,
} from './sanitize.js';

/** Options of {@link startInspector}. */
export interface StartInspectorOptions {
  /**
   * Address the server binds. Anything but a loopback address exposes the inspected data to the
   * network.
   * @defaultValue `'127.0.0.1'`
   */
  readonly host?: string;
  /**
   * Port of the page and the WebSocket relay; 0 picks a free port (see {@link LocalInspector.port}).
   * @defaultValue `0`
   */
  readonly port?: number;
  /**
   * Open the page in the default browser once the server listens. Leave off in tests and CI.
   * @defaultValue `false`
   */
  readonly autoOpen?: boolean;
  /**
   * The Stately inspector UI the local page embeds. The inspected data reaches it only through
   * `postMessage` inside the browser.
   * Must be http(s); anything else throws a `TypeError`.
   * @defaultValue `'https://stately.ai/inspect'`
   */
  readonly uiUrl?: string;
  /**
   * Fields replaced by `'[redacted]'` in this process, before any message leaves it: wherever
   * they occur in contexts, in events sent to actors (and the events nested in them, such as
   * the command of a lifecycle's `execute`) and in machine definitions' initial context.
   */
  readonly sanitize?: InspectorSanitizeOptions;
  /** Which inspection events to send at all (passed to `@statelyai/inspect`). */
  readonly filter?: (event: StatelyInspectionEvent) => boolean;
  /**
   * Depth beyond which snapshots and machine definitions are cut when serialized.
   * @defaultValue `10` (the package's default)
   */
  readonly serializationDepthLimit?: number;
  /**
   * How many inspection events to hold while the socket is not open yet; beyond it the oldest
   * are dropped.
   * @defaultValue `200` (the package's default)
   */
  readonly maxDeferredEvents?: number;
  /**
   * How many of the latest messages the server replays to a page that connects later, after
   * the registration and latest snapshot of every actor still live (kept whatever this limit).
   * @defaultValue `200` (as `@statelyai/inspect/server`)
   */
  readonly replayLimit?: number;
}

/** A running local inspector, returned by {@link startInspector}. */
export interface LocalInspector extends AsyncDisposable {
  /** The page a person opens to watch the actors, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  /** The WebSocket relay, e.g. `ws://127.0.0.1:41234`; other inspector clients connect here. */
  readonly wsUrl: string;
  /** The address the server is bound to, as the OS reports it (e.g. `127.0.0.1`). */
  readonly host: string;
  /** The port the server is bound to (the free one picked when `port` was 0). */
  readonly port: number;
  /** The inspection observer: `createActor(logic, { inspect: inspector.inspect })`. */
  readonly inspect: Observer<InspectionEvent>;
  /**
   * Resolves once the inspector's socket is open and every event deferred until then has reached
   * the server. Actors need not wait for it: events produced earlier are held and then sent.
   */
  readonly connected: Promise<void>;
  /**
   * Sends what is pending, closes the inspector's socket, every page's socket and the server,
   * and frees the port. Idempotent.
   */
  stop(): Promise<void>;
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_REPLAY_LIMIT = 200;
/** The package's own default depth limit. */
const DEFAULT_SERIALIZATION_DEPTH_LIMIT = 10;
/** How long `stop()` waits for a socket that is still connecting before closing anyway. */
const CONNECT_GRACE_MS = 5_000;

/**
 * Starts a local Stately inspector: an HTTP page and WebSocket relay bound to `127.0.0.1` on a
 * free port, and an inspection observer connected to it. The server sends nothing off the
 * machine; a page opened on it hands the messages to the UI it embeds (see `uiUrl`), so name in
 * `sanitize.fields` whatever must not reach that UI.
 *
 * @example
 * ```ts
 * const inspector = await startInspector({ sanitize: { fields: ['owner.email'] } });
 * console.log(`Inspector: ${inspector.url}`);
 * const actor = createActor(machine, { inspect: inspector.inspect }).start();
 * // …
 * await inspector.stop();
 * ```
 */
export async function startInspector(options: StartInspectorOptions = {}): Promise<LocalInspector> {
  const uiUrl = new URL(options.uiUrl ?? DEFAULT_INSPECTOR_UI_URL);
  if (uiUrl.protocol !== 'https:' && uiUrl.protocol !== 'http:') {
    throw new TypeError(`uiUrl must be an http(s) URL, got ${uiUrl.href}`);
  }
  const diagrams = new Diagrams();
  const relay = await startRelayServer({
    host: options.host ?? DEFAULT_HOST,
    port: options.port ?? 0,
    uiUrl: uiUrl.href,
    replayLimit: options.replayLimit ?? DEFAULT_REPLAY_LIMIT,
    diagramOf: (sessionId) => diagrams.take(sessionId),
  });

  let inspector: ReturnType<typeof createWebSocketInspector>;
  try {
    const fields = sanitizedFields(options.sanitize);
    inspector = createWebSocketInspector({
      url: relay.sourceUrl,
      ...(fields.length > 0
        ? {
            serialize: createMessageRedactor(
              fields,
              options.serializationDepthLimit ?? DEFAULT_SERIALIZATION_DEPTH_LIMIT,
            ),
          }
        : {}),
      ...(options.filter ? { filter: options.filter } : {}),
      ...(options.serializationDepthLimit !== undefined
        ? { serializationDepthLimit: options.serializationDepthLimit }
        : {}),
      ...(options.maxDeferredEvents !== undefined
        ? { maxDeferredEvents: options.maxDeferredEvents }
        : {}),
    });
  } catch (error) {
    await relay.close();
    throw error;
  }

  if (options.autoOpen === true) openBrowser(relay.url);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // Closing a socket that is still connecting makes the package retry every 5 s, forever.
      await withTimeout(relay.sourceReady, CONNECT_GRACE_MS);
      // The package sends each inspection event from a `setTimeout(0)`; let those run first.
      await new Promise((resolve) => setTimeout(resolve, 0));
      inspector.stop();
      await relay.close();
    })();
    return stopping;
  };

  return {
    url: relay.url,
    wsUrl: relay.wsUrl,
    host: relay.host,
    port: relay.port,
    inspect: withDiagrams(inspector.inspect, diagrams),
    connected: relay.sourceReady,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** At most this many diagrams wait for their registration to reach the relay. */
const MAX_PENDING_DIAGRAMS = 10_000;

/**
 * The Mermaid text of each registered actor's machine, by session id, from when the observer
 * sees its `@xstate.actor` event until the relay relays that registration (the package sends it
 * a moment later). Only state and event names, guards and ids: never context.
 */
class Diagrams {
  readonly #bySession = new Map<string, string>();
  readonly #byLogic = new WeakMap<object, string | null>();

  /** Notes the diagram of a registered actor whose logic is (or configures) a machine. */
  register(sessionId: string, logic: unknown): void {
    if (typeof logic !== 'object' || logic === null) return;
    let mermaid = this.#byLogic.get(logic);
    if (mermaid === undefined) {
      mermaid = diagramOf(logic);
      this.#byLogic.set(logic, mermaid);
    }
    if (mermaid === null) return;
    if (this.#bySession.size >= MAX_PENDING_DIAGRAMS) {
      const oldest = this.#bySession.keys().next().value;
      if (oldest !== undefined) this.#bySession.delete(oldest);
    }
    this.#bySession.set(sessionId, mermaid);
  }

  take(sessionId: string): string | undefined {
    const mermaid = this.#bySession.get(sessionId);
    this.#bySession.delete(sessionId);
    return mermaid;
  }
}

function diagramOf(logic: object): string | null {
  const config = (logic as { config?: unknown }).config;
  const source = isDiagramSource(logic) ? logic : isDiagramSource(config) ? config : undefined;
  if (source === undefined) return null;
  try {
    return toMermaid(source);
  } catch {
    return null;
  }
}

/** The observer, noting the diagram of each actor it sees registered first. */
function withDiagrams(
  observer: Observer<InspectionEvent>,
  diagrams: Diagrams,
): Observer<InspectionEvent> {
  return {
    next: (event) => {
      if (event.type === '@xstate.actor') {
        diagrams.register(event.actorRef.sessionId, (event.actorRef as { logic?: unknown }).logic);
      }
      observer.next?.(event);
    },
    error: (error) => observer.error?.(error),
    complete: () => observer.complete?.(),
  };
}

async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      promise,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
