import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  SQLiteTrackingRecorder,
  sqliteTrackingOptionsFromEnvironment,
} from '../../../src/adapters/sqlite/index.js';
import { Environment } from '../../../src/core/environment.js';
import { ConfigurationError } from '../../../src/core/errors.js';

const directory = mkdtempSync(join(tmpdir(), 'sqlite-env-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const options = (values: Record<string, string>) =>
  sqliteTrackingOptionsFromEnvironment(new Environment('view', values));

describe('sqliteTrackingOptionsFromEnvironment', () => {
  it('requires SQLITE_DBNAME, naming the prefixed and the plain key', () => {
    expect(() => options({})).toThrow(ConfigurationError);
    expect(() => options({ SQLITE_DB: 'x.db' })).toThrow(
      "Missing setting in environment: 'SQLITE_DBNAME' (looked up as 'VIEW_SQLITE_DBNAME, SQLITE_DBNAME')",
    );
  });

  it('prefers the prefixed key and defaults CREATE_TABLE to yes', () => {
    expect(options({ SQLITE_DBNAME: 'plain.db', VIEW_SQLITE_DBNAME: 'view.db' })).toEqual({
      dbName: 'view.db',
      createTable: true,
    });
  });

  it('reads CREATE_TABLE as a yes/no word in any case', () => {
    for (const word of ['y', 'YES', 't', 'True', 'on', '1']) {
      expect(options({ SQLITE_DBNAME: ':memory:', CREATE_TABLE: word }).createTable, word).toBe(
        true,
      );
    }
    for (const word of ['n', 'No', 'f', 'FALSE', 'off', '0']) {
      expect(options({ SQLITE_DBNAME: ':memory:', CREATE_TABLE: word }).createTable, word).toBe(
        false,
      );
    }
  });

  it('rejects a CREATE_TABLE that is not a yes/no word, naming the keys', () => {
    expect(() => options({ SQLITE_DBNAME: ':memory:', VIEW_CREATE_TABLE: 'maybe' })).toThrow(
      /Invalid value 'maybe' of 'VIEW_CREATE_TABLE, CREATE_TABLE'/,
    );
  });

  it('reads SQLITE_LOCK_TIMEOUT in seconds', () => {
    expect(options({ SQLITE_DBNAME: ':memory:', SQLITE_LOCK_TIMEOUT: '2.5' }).lockTimeout).toBe(
      2500,
    );
    for (const bad of ['soon', '-1']) {
      expect(() => options({ SQLITE_DBNAME: ':memory:', SQLITE_LOCK_TIMEOUT: bad }), bad).toThrow(
        ConfigurationError,
      );
    }
  });
});

describe('SQLiteTrackingRecorder.fromEnvironment', () => {
  class NamedView extends SQLiteTrackingRecorder {
    readonly label = 'named';
  }

  it('builds the subclass it is called on, on the configured file', async () => {
    const dbName = join(directory, 'from-env.db');
    const view = NamedView.fromEnvironment(new Environment('view', { VIEW_SQLITE_DBNAME: dbName }));
    try {
      expect(view).toBeInstanceOf(NamedView);
      expect(view.label).toBe('named');
      await view.insertTracking({ applicationName: 'upstream', notificationId: 3n });
    } finally {
      await view.close();
    }
    const reopened = new SQLiteTrackingRecorder({ dbName });
    try {
      await expect(reopened.maxTrackingId('upstream')).resolves.toBe(3n);
    } finally {
      await reopened.close();
    }
  });

  it('fails with ConfigurationError before opening anything when SQLITE_DBNAME is missing', () => {
    expect(() => NamedView.fromEnvironment(new Environment('view', {}))).toThrow(
      /'VIEW_SQLITE_DBNAME, SQLITE_DBNAME'/,
    );
  });
});
