import { MemoryProcessStore } from '../../src/adapters/memory/index.js';
import { describeProcessStoreContract } from '../../src/testing/contract/index.js';

describeProcessStoreContract('MemoryProcessStore', {
  create: async () => new MemoryProcessStore(),
  capabilities: { sharedStore: false, batches: 'per-event', closedError: 'ProgrammingError' },
});
