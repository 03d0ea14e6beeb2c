/**
 * The recorders' contract suites against a cluster: `KURRENTDB_CLUSTER_URI`, else the in-process
 * three-node test cluster, through its multi-host (gossip seeds) connection string.
 */
import { afterAll } from 'vitest';
import {
  KURRENTDB_RECORDER_CAPABILITIES,
  KurrentDBApplicationRecorder,
  KurrentDBConnection,
  KurrentDBSnapshotRecorder,
} from '../../src/adapters/kurrentdb/index.js';
import {
  describeApplicationRecorderContract,
  describeSnapshotRecorderContract,
} from '../../src/testing/contract/index.js';
import { startKurrentDBClusterHarness } from '../../src/testing/index.js';

const harness = startKurrentDBClusterHarness();
afterAll(async () => (await harness).stop());
const connect = async () => new KurrentDBConnection({ uri: (await harness).multiHostUri });

describeApplicationRecorderContract('KurrentDBApplicationRecorder on a cluster', {
  create: async () => new KurrentDBApplicationRecorder(await connect()),
  capabilities: KURRENTDB_RECORDER_CAPABILITIES,
});

describeSnapshotRecorderContract('KurrentDBSnapshotRecorder on a cluster', {
  create: async () => new KurrentDBSnapshotRecorder(await connect()),
  createApplicationRecorder: async () => new KurrentDBApplicationRecorder(await connect()),
  capabilities: KURRENTDB_RECORDER_CAPABILITIES,
});
