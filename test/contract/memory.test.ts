import {
  MemoryAggregateRecorder,
  MemoryApplicationRecorder,
  MemorySnapshotRecorder,
} from '../../src/adapters/memory/index.js';
import {
  CONTIGUOUS_NOTIFICATION_LOG,
  describeAggregateRecorderContract,
  describeApplicationRecorderContract,
  describeSnapshotRecorderContract,
} from '../../src/testing/contract/index.js';

describeAggregateRecorderContract('MemoryAggregateRecorder', {
  create: async () => new MemoryAggregateRecorder(),
  capabilities: CONTIGUOUS_NOTIFICATION_LOG,
});

describeApplicationRecorderContract('MemoryApplicationRecorder', {
  create: async () => new MemoryApplicationRecorder(),
  capabilities: CONTIGUOUS_NOTIFICATION_LOG,
});

describeSnapshotRecorderContract('MemorySnapshotRecorder', {
  create: async () => new MemorySnapshotRecorder(),
  capabilities: CONTIGUOUS_NOTIFICATION_LOG,
});
