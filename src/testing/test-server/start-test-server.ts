/**
 * An in-process, in-memory KurrentDB-compatible gRPC server for tests, faithful to a 25.1 node
 * for everything the official Node client (and its Rust read bridge) uses: appends (Append and
 * BatchAppend), reads of streams and $all, subscriptions, deletes and tombstones, stream
 * metadata and the exact errors.
 *
 * @module
 */
import { AppendCommitFault, standaloneRoleWith } from './grpc/append-fault.js';
import type { ServerState } from './grpc/server-state.js';
import { writeBootstrapEvents } from './log/bootstrap.js';
import { EventLog } from './log/event-log.js';
import { startNodeServer } from './node/node-server.js';

/** Options of {@link startKurrentDBTestServer}. */
export interface KurrentDBTestServerOptions {
  /** Port to listen on; 0 or absent picks a free one. */
  port?: number;
  /** Interface to listen on. @defaultValue `127.0.0.1` */
  host?: string;
  /** Serve TLS with this certificate chain and key (PEM) instead of plaintext HTTP/2. */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

/** A running test server. */
export interface KurrentDBTestServer {
  /** Connection string for the official client, e.g. `kurrentdb://admin:changeit@127.0.0.1:2113?tls=false`. */
  readonly uri: string;
  readonly port: number;
  readonly host: string;
  /** Ends every open call and frees the port. Idempotent. */
  stop(): Promise<void>;
  /** Fault injection: drops every client connection; the server keeps its data and keeps listening. */
  disconnectClients(): void;
  /**
   * Fault injection: ends every open subscription with the error older nodes sent to a consumer
   * too slow while live (ABORTED, "Operation timed out: Consumer too slow to handle event while
   * live. Client resubscription required.").
   */
  abortSubscriptions(): void;
  /**
   * Fault injection: the next append the server receives (Append or BatchAppend) is committed,
   * then the server drops every client connection instead of acknowledging it, so the client
   * sees a connection failure (`UnavailableError`) for a write that happened: the append is in
   * the log, and an append of the same events (same ids, same expected revision) is recognised
   * as already stored. Resolves when the fault fired; the server keeps listening. The same fault
   * as a test-cluster node's `failNextAppendAfterCommit`.
   */
  failNextAppendAfterCommit(): Promise<void>;
}

/** Starts a test server; resolves once it accepts connections. */
export async function startKurrentDBTestServer(
  options: KurrentDBTestServerOptions = {},
): Promise<KurrentDBTestServer> {
  const host = options.host ?? '127.0.0.1';
  const log = new EventLog();
  const fault = new AppendCommitFault();
  const state: ServerState = {
    log,
    subscriptions: new Set(),
    now: Date.now,
    role: standaloneRoleWith(fault, () => node.disconnectClients()),
  };
  const node = await startNodeServer({ state, host, port: options.port ?? 0, tls: options.tls });
  const port = node.port;
  writeBootstrapEvents(log, `${host}:${port}`);

  const uriHost =
    options.tls === undefined ? (host.includes(':') ? `[${host}]` : host) : 'localhost';
  const uri = `kurrentdb://admin:changeit@${uriHost}:${port}?tls=${options.tls === undefined ? 'false' : 'true'}`;

  return {
    uri,
    port,
    host,
    disconnectClients: node.disconnectClients,
    abortSubscriptions: () => {
      for (const subscription of [...state.subscriptions]) subscription.abort();
    },
    failNextAppendAfterCommit: () => fault.arm(),
    stop: () => {
      fault.disarm();
      return node.stop();
    },
  };
}
