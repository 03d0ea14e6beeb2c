/**
 * Test tooling: the in-process KurrentDB-compatible test server and the harness that picks a
 * KurrentDB for a test run (`KURRENTDB_URI` → testcontainers → the test server).
 *
 * @module
 */

export {
  type Expectation,
  ExpectationError,
  Given,
  given,
  type Outcome,
  When,
} from './given-when-then.js';
export type { KurrentDBHarness, KurrentDBSource } from './kurrentdb-harness.js';
export {
  DEFAULT_KURRENTDB_IMAGE,
  startKurrentDBHarness,
} from './kurrentdb-harness.js';
export type { PostgresHarness, PostgresSource } from './postgres-harness.js';
export { DEFAULT_POSTGRES_IMAGE, startPostgresHarness } from './postgres-harness.js';
export type {
  KurrentDBTestServer,
  KurrentDBTestServerOptions,
} from './test-server/start-test-server.js';
export { startKurrentDBTestServer } from './test-server/start-test-server.js';
