/**
 * What projection tests share: a KurrentDB test server of the file's own (so no other test's
 * events reach its projections) and a temporary folder for SQLite views, both removed afterwards.
 */

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import {
  type KurrentDBTestServer,
  startKurrentDBTestServer,
} from '../../src/testing/test-server/start-test-server.js';

export interface ProjectionFixture {
  /** The file's own KurrentDB test server (set before the tests run). */
  readonly server: KurrentDBTestServer;
  /** A new SQLite database file in the file's temporary folder. */
  sqliteFile(): string;
}

export function useProjectionFixture(name: string): ProjectionFixture {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  let server: KurrentDBTestServer | undefined;
  beforeAll(async () => {
    server = await startKurrentDBTestServer();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get server() {
      if (server === undefined) throw new Error('the test server starts in beforeAll');
      return server;
    },
    sqliteFile: () => join(dir, `${randomUUID()}.db`),
  };
}
