import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SQLiteProcessStore } from '../../src/adapters/sqlite/index.js';
import { Environment } from '../../src/core/environment.js';
import { describeProcessStoreContract } from '../../src/testing/contract/index.js';

const directory = mkdtempSync(join(tmpdir(), 'process-store-sqlite-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const dbName = join(directory, 'processes.db');

describeProcessStoreContract('SQLiteProcessStore (file, from the environment)', {
  // As the process runner builds it: the environment names the database.
  create: async () =>
    SQLiteProcessStore.fromEnvironment(new Environment('orders', { ORDERS_SQLITE_DBNAME: dbName })),
  capabilities: {
    sharedStore: true,
    batches: 'transactional',
    writesOutsideBatch: 'wait-for-batch',
    closedError: 'PersistenceError',
  },
});

describeProcessStoreContract('SQLiteProcessStore (:memory:)', {
  create: async () => new SQLiteProcessStore({ dbName: ':memory:' }),
  capabilities: {
    sharedStore: false,
    batches: 'transactional',
    writesOutsideBatch: 'wait-for-batch',
    closedError: 'PersistenceError',
  },
});
