import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  SQLiteTrackingRecorder,
  type SQLiteTrackingRecorderOptions,
} from '../../../src/adapters/sqlite/index.js';
import { Environment } from '../../../src/core/environment.js';
import { OperationalError, PersistenceError } from '../../../src/core/errors.js';
import { rejectionOf } from '../../../src/testing/contract/fixtures.js';

const directory = mkdtempSync(join(tmpdir(), 'sqlite-tables-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;
const newFile = () => join(directory, `db-${++files}.db`);

const opened: SQLiteTrackingRecorder[] = [];
const open = (options: SQLiteTrackingRecorderOptions) => {
  const recorder = new SQLiteTrackingRecorder(options);
  opened.push(recorder);
  return recorder;
};
afterEach(async () => {
  await Promise.all(opened.splice(0).map((r) => r.close()));
});

/** Shows the journal mode of its own connection. */
class JournalModeProbe extends SQLiteTrackingRecorder {
  journalMode(): unknown {
    return this.db.pragma('journal_mode', { simple: true });
  }
}

/** The tables of a database file, read through a connection of its own. */
function tablesOf(dbName: string): string[] {
  const db = new Database(dbName);
  try {
    return db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all() as string[];
  } finally {
    db.close();
  }
}

describe('SQLiteTrackingRecorder tables', () => {
  it('creates the tracking table by default, under the name asked for', () => {
    const dbName = newFile();
    open({ dbName });
    open({ dbName, tableName: 'view_tracking' });
    expect(tablesOf(dbName)).toEqual(['tracking', 'view_tracking']);
  });

  it('with CREATE_TABLE=no and no table, fails with a PersistenceError that says what to do', () => {
    const dbName = newFile();
    const env = new Environment('view', { SQLITE_DBNAME: dbName, CREATE_TABLE: 'no' });
    let error: unknown;
    try {
      opened.push(SQLiteTrackingRecorder.fromEnvironment(env));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PersistenceError);
    expect((error as Error).message).toBe(
      `Table 'tracking' does not exist in SQLite database '${dbName}' and CREATE_TABLE is off: create the table or set CREATE_TABLE=yes`,
    );
    expect(tablesOf(dbName)).toEqual([]);
  });

  it('with CREATE_TABLE=no, uses a table that exists', async () => {
    const dbName = newFile();
    await open({ dbName }).insertTracking({ applicationName: 'up', notificationId: 9n });
    const recorder = open({ dbName, createTable: false });
    await expect(recorder.maxTrackingId('up')).resolves.toBe(9n);
    await recorder.insertTracking({ applicationName: 'up', notificationId: 10n });
    await expect(recorder.maxTrackingId('up')).resolves.toBe(10n);
  });

  it('uses WAL for files; an in-memory database keeps its journal in memory', () => {
    const dbName = newFile();
    open({ dbName });
    const db = new Database(dbName);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
    const memory = new JournalModeProbe({ dbName: ':memory:' });
    opened.push(memory);
    expect(memory.journalMode()).toBe('memory');
  });

  it('keeps ids above 2^53 exactly across reopening the file', async () => {
    const dbName = newFile();
    const big = 2n ** 60n + 3n;
    const first = open({ dbName });
    await first.insertTracking({ applicationName: 'up', notificationId: big });
    await first.close();
    const second = open({ dbName });
    await expect(second.maxTrackingId('up')).resolves.toBe(big);
    await expect(second.hasTrackingId('up', big + 1n)).resolves.toBe(false);
  });

  it('fails with a PersistenceError, driver error as cause, when the file cannot be opened', () => {
    let error: unknown;
    try {
      open({ dbName: join(directory, 'no-such-directory', 'x.db') });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PersistenceError);
    expect((error as Error).message).toContain('Failed to open SQLite database');
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('reports a write lock held too long by another connection as an OperationalError', async () => {
    const dbName = newFile();
    const recorder = open({ dbName, lockTimeout: 50 });
    const other = new Database(dbName);
    other.exec('BEGIN IMMEDIATE');
    try {
      const error = await rejectionOf(
        recorder.insertTracking({ applicationName: 'up', notificationId: 1n }),
      );
      expect(error).toBeInstanceOf(OperationalError);
      expect(((error as Error).cause as { code?: string }).code).toMatch(/^SQLITE_BUSY/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await recorder.insertTracking({ applicationName: 'up', notificationId: 1n });
    await expect(recorder.maxTrackingId('up')).resolves.toBe(1n);
  });
});
