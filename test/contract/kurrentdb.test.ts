import { inject } from 'vitest';
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

const uri = inject('kurrentdbUri');
const rootCertificates = process.env.KURRENTDB_ROOT_CERTIFICATES;
const connect = () => new KurrentDBConnection({ uri, rootCertificates });

describeApplicationRecorderContract('KurrentDBApplicationRecorder', {
  create: async () => new KurrentDBApplicationRecorder(connect()),
  capabilities: KURRENTDB_RECORDER_CAPABILITIES,
});

describeSnapshotRecorderContract('KurrentDBSnapshotRecorder', {
  create: async () => new KurrentDBSnapshotRecorder(connect()),
  createApplicationRecorder: async () => new KurrentDBApplicationRecorder(connect()),
  capabilities: KURRENTDB_RECORDER_CAPABILITIES,
});
