/**
 * Test tooling: the in-process KurrentDB-compatible test server and test cluster, and the
 * harnesses that pick a KurrentDB for a test run (`KURRENTDB_URI` → testcontainers → the test
 * server; `KURRENTDB_CLUSTER_URI` → the test cluster).
 *
 * @module
 */

export {
  type ClusterCapabilities,
  type ClusterControl,
  clusterCapabilities,
  type KurrentDBClusterHarness,
  startKurrentDBClusterHarness,
} from './cluster-harness.js';
export {
  type Expectation,
  ExpectationError,
  Given,
  type GivenOptions,
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
export type { TestClusterNode } from './test-cluster/cluster-node.js';
export {
  type FailoverOptions,
  type KurrentDBTestCluster,
  type KurrentDBTestClusterOptions,
  startKurrentDBTestCluster,
} from './test-cluster/start-test-cluster.js';
export type { TestNodeState } from './test-cluster/vnode-state.js';
export type {
  KurrentDBTestServer,
  KurrentDBTestServerOptions,
} from './test-server/start-test-server.js';
export { startKurrentDBTestServer } from './test-server/start-test-server.js';
