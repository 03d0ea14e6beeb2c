/**
 * A test server of the test file's own (for tests that need a quiet or isolated log rather than
 * the run's shared KurrentDB), with an official and a raw gRPC client on it.
 *
 * @module
 */
import type { Client } from '@grpc/grpc-js';
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { afterAll, beforeAll } from 'vitest';
import {
  type KurrentDBTestServer,
  startKurrentDBTestServer,
} from '../../../src/testing/test-server/start-test-server.js';
import { rawClient } from './raw-grpc.js';

/** The server of {@link useOwnServer} and its clients; read them inside tests only. */
export interface OwnServer {
  readonly server: KurrentDBTestServer;
  /** The official client. */
  readonly client: KurrentDBClient;
  /** A plaintext raw gRPC client for the helpers of `raw-grpc.ts`. */
  readonly raw: Client;
}

/** Starts a test server in `beforeAll` and stops it and its clients in `afterAll`. */
export function useOwnServer(): OwnServer {
  let started: OwnServer | undefined;
  const current = (): OwnServer => {
    if (started === undefined) throw new Error('the test server is started in beforeAll');
    return started;
  };
  beforeAll(async () => {
    const server = await startKurrentDBTestServer();
    started = {
      server,
      client: KurrentDBClient.connectionString(server.uri),
      raw: rawClient(`127.0.0.1:${server.port}`),
    };
  });
  afterAll(async () => {
    if (started === undefined) return;
    started.raw.close();
    await started.client.dispose();
    await started.server.stop();
  });
  return {
    get server() {
      return current().server;
    },
    get client() {
      return current().client;
    },
    get raw() {
      return current().raw;
    },
  };
}
