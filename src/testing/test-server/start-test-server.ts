/**
 * An in-process, in-memory KurrentDB-compatible gRPC server for tests, faithful to a 25.1 node
 * for everything the official Node client (and its Rust read bridge) uses: appends (Append and
 * BatchAppend), reads of streams and $all, subscriptions, deletes and tombstones, stream
 * metadata and the exact errors.
 *
 * @module
 */
import net from 'node:net';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { MAX_RECEIVE_MESSAGE_SIZE } from './grpc/request-fields.js';
import type { ServerState } from './grpc/server-state.js';
import { serverFeaturesService, streamsService } from './grpc/service-definitions.js';
import { appendHandler } from './handlers/append-handler.js';
import { batchAppendHandler } from './handlers/batch-append-handler.js';
import { softDeleteHandler, tombstoneHandler } from './handlers/delete-handlers.js';
import { readHandler } from './handlers/read-handler.js';
import { serverFeaturesHandler } from './handlers/server-features-handler.js';
import { writeBootstrapEvents } from './log/bootstrap.js';
import { EventLog } from './log/event-log.js';

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
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function credentialsOf(tls: KurrentDBTestServerOptions['tls']): ServerCredentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    null,
    [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }],
    false,
  );
}

/** Starts a test server; resolves once it accepts connections. */
export async function startKurrentDBTestServer(
  options: KurrentDBTestServerOptions = {},
): Promise<KurrentDBTestServer> {
  const host = options.host ?? '127.0.0.1';
  const log = new EventLog();
  const state: ServerState = { log, subscriptions: new Set(), now: Date.now };

  const grpcServer = new Server({
    'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_SIZE,
    'grpc.max_send_message_length': -1,
  });
  grpcServer.addService(streamsService, {
    read: readHandler(state),
    append: appendHandler(state),
    delete: softDeleteHandler(state),
    tombstone: tombstoneHandler(state),
    batchAppend: batchAppendHandler(state),
  });
  grpcServer.addService(serverFeaturesService, { getSupportedMethods: serverFeaturesHandler() });
  const injector = grpcServer.createConnectionInjector(credentialsOf(options.tls));

  const sockets = new Set<net.Socket>();
  const netServer = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    injector.injectConnection(socket);
  });
  const port = await listen(netServer, options.port ?? 0, host);
  writeBootstrapEvents(log, `${host}:${port}`);

  const uriHost =
    options.tls === undefined ? (host.includes(':') ? `[${host}]` : host) : 'localhost';
  const uri = `kurrentdb://admin:changeit@${uriHost}:${port}?tls=${options.tls === undefined ? 'false' : 'true'}`;

  const disconnectClients = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  let stopping: Promise<void> | undefined;
  return {
    uri,
    port,
    host,
    disconnectClients,
    abortSubscriptions: () => {
      for (const subscription of [...state.subscriptions]) subscription.abort();
    },
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        grpcServer.forceShutdown();
        injector.destroy();
        netServer.close(() => resolve());
        disconnectClients();
      });
      return stopping;
    },
  };
}
