/**
 * One listening node: a grpc-js server with the Streams and ServerFeatures services (plus any
 * extra service, such as a cluster node's Gossip) over a {@link ServerState}, on its own port.
 * The standalone test server is one node; a test cluster starts and stops several over one log.
 *
 * @module
 */
import net from 'node:net';
import {
  type ServerCredentials as Credentials,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { MAX_RECEIVE_MESSAGE_SIZE } from '../grpc/request-fields.js';
import type { ServerState } from '../grpc/server-state.js';
import { serverFeaturesService, streamsService } from '../grpc/service-definitions.js';
import { appendHandler } from '../handlers/append-handler.js';
import { batchAppendHandler } from '../handlers/batch-append-handler.js';
import { softDeleteHandler, tombstoneHandler } from '../handlers/delete-handlers.js';
import { readHandler } from '../handlers/read-handler.js';
import { serverFeaturesHandler } from '../handlers/server-features-handler.js';

/** PEM certificate chain and key to serve TLS with. */
export interface NodeTls {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

/** A service beyond Streams and ServerFeatures, with its implementation. */
export interface ExtraService {
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

/** Options of {@link startNodeServer}. */
export interface NodeServerOptions {
  readonly state: ServerState;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly tls?: NodeTls | undefined;
  readonly extraServices?: readonly ExtraService[];
}

/** A listening node. */
export interface NodeServer {
  readonly port: number;
  /** Ends every open call and frees the port. Idempotent. */
  stop(): Promise<void>;
  /** Destroys every client connection; the node keeps listening. */
  disconnectClients(): void;
  /**
   * Dies like a killed process: every connection is reset (TCP RST) before the calls end, so
   * clients see the connection drop (UNAVAILABLE), not a server-side cancellation; then as
   * {@link stop}.
   */
  kill(): Promise<void>;
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

function credentialsOf(tls: NodeTls | undefined): Credentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    null,
    [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }],
    false,
  );
}

/** Starts a node; resolves once it accepts connections. */
export async function startNodeServer(options: NodeServerOptions): Promise<NodeServer> {
  const { state } = options;
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
  for (const extra of options.extraServices ?? []) {
    grpcServer.addService(extra.definition, extra.implementation);
  }
  const injector = grpcServer.createConnectionInjector(credentialsOf(options.tls));

  const sockets = new Set<net.Socket>();
  const netServer = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    injector.injectConnection(socket);
  });
  const port = await listen(netServer, options.port, options.host);

  const disconnectClients = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      grpcServer.forceShutdown();
      injector.destroy();
      netServer.close(() => resolve());
      disconnectClients();
    });
    return stopping;
  };
  return {
    port,
    disconnectClients,
    stop,
    kill: () => {
      for (const socket of sockets) socket.resetAndDestroy();
      return stop();
    },
  };
}
