/**
 * Picks the KurrentDB a test run talks to, in this order:
 * 1. `KURRENTDB_URI` from the environment;
 * 2. a KurrentDB container started with testcontainers, when a Docker engine answers
 *    (image from `KURRENTDB_IMAGE`);
 * 3. the in-process KurrentDB-compatible test server.
 *
 * @module
 */

import { dockerAnswers } from './docker-answers.js';
import { startKurrentDBTestServer } from './test-server/start-test-server.js';

/** Which of the three sources a harness used. */
export type KurrentDBSource = 'environment' | 'testcontainers' | 'test-server';

export interface KurrentDBHarness {
  readonly uri: string;
  readonly source: KurrentDBSource;
  stop(): Promise<void>;
}

/** The image started when a Docker engine is available and `KURRENTDB_IMAGE` is unset. */
export const DEFAULT_KURRENTDB_IMAGE = 'kurrentplatform/kurrentdb:26.1.0';

/**
 * Starts (or finds) a KurrentDB for a test run.
 *
 * @param env where to read `KURRENTDB_URI` and `KURRENTDB_IMAGE`. @defaultValue `process.env`
 */
export async function startKurrentDBHarness(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<KurrentDBHarness> {
  const fromEnv = env.KURRENTDB_URI;
  if (fromEnv !== undefined && fromEnv !== '') {
    return { uri: fromEnv, source: 'environment', stop: async () => undefined };
  }
  if (await dockerAnswers()) {
    const { KurrentDbContainer } = await import('@testcontainers/kurrentdb');
    const container = await new KurrentDbContainer(
      env.KURRENTDB_IMAGE ?? DEFAULT_KURRENTDB_IMAGE,
    ).start();
    return {
      uri: container.getConnectionString(),
      source: 'testcontainers',
      stop: async () => {
        await container.stop();
      },
    };
  }
  const server = await startKurrentDBTestServer();
  return { uri: server.uri, source: 'test-server', stop: () => server.stop() };
}
