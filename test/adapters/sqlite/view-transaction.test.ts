import { afterEach, describe, expect, it } from 'vitest';
import { type SQLiteDatabase, SQLiteTrackingRecorder } from '../../../src/adapters/sqlite/index.js';
import { IntegrityError, PersistenceError, ProgrammingError } from '../../../src/core/errors.js';
import type { Tracking } from '../../../src/core/tracking-recorder.js';
import { rejectionOf } from '../../../src/testing/contract/fixtures.js';

/** A view with one table of unique names, whose write callback the test chooses. */
class NamesView extends SQLiteTrackingRecorder {
  constructor() {
    super({ dbName: ':memory:' });
  }

  protected override createViewTables(db: SQLiteDatabase): void {
    db.exec('CREATE TABLE names (name TEXT PRIMARY KEY)');
  }

  /** Runs `write` in the view's tracked transaction. */
  run<T>(tracking: Tracking, write: (db: SQLiteDatabase) => T): Promise<T> {
    return this.trackedTransaction(tracking, write);
  }

  names(): string[] {
    return this.db.prepare('SELECT name FROM names ORDER BY name').pluck().all() as string[];
  }
}

const add = (name: string) => (db: SQLiteDatabase) => {
  db.prepare('INSERT INTO names (name) VALUES (?)').run(name);
};
const up = (notificationId: bigint): Tracking => ({ applicationName: 'up', notificationId });

let view: NamesView;
afterEach(async () => {
  await view.close();
});

describe('SQLiteTrackingRecorder.trackedTransaction', () => {
  it('commits the view writes with the tracking record and returns what the callback returns', async () => {
    view = new NamesView();
    await expect(
      view.run(up(1n), (db) => {
        add('a')(db);
        return 'done';
      }),
    ).resolves.toBe('done');
    expect(view.names()).toEqual(['a']);
    await expect(view.maxTrackingId('up')).resolves.toBe(1n);
  });

  it('applies nothing when the callback throws after writing, and rethrows that very error', async () => {
    view = new NamesView();
    await view.run(up(1n), add('a'));
    const crash = new Error('view crashed');
    const error = await rejectionOf(
      view.run(up(2n), (db) => {
        add('b')(db);
        throw crash;
      }),
    );
    expect(error).toBe(crash);
    expect(view.names()).toEqual(['a']);
    await expect(view.maxTrackingId('up')).resolves.toBe(1n);
    await view.run(up(2n), add('b')); // the same id is still free
    expect(view.names()).toEqual(['a', 'b']);
  });

  it('does not run the callback for a rejected tracking id', async () => {
    view = new NamesView();
    await view.run(up(5n), add('a'));
    let ran = false;
    const error = await rejectionOf(
      view.run(up(5n), () => {
        ran = true;
      }),
    );
    expect(error).toBeInstanceOf(IntegrityError);
    expect((error as Error).message).toBe('Failed to record tracking for up 5');
    expect(ran).toBe(false);
  });

  it('translates an SQLite error of the view writes, keeping the driver error as cause', async () => {
    view = new NamesView();
    await view.run(up(1n), add('a'));
    const duplicate = await rejectionOf(view.run(up(2n), add('a')));
    expect(duplicate).toBeInstanceOf(IntegrityError);
    expect(((duplicate as Error).cause as { code?: string }).code).toBe(
      'SQLITE_CONSTRAINT_PRIMARYKEY',
    );
    const syntax = await rejectionOf(
      view.run(up(2n), (db) => db.exec('INSERT INTO nowhere VALUES (1)')),
    );
    expect(syntax).toBeInstanceOf(PersistenceError);
    expect(syntax).not.toBeInstanceOf(IntegrityError);
    expect((syntax as Error).message).toContain('no such table: nowhere');
    await expect(view.maxTrackingId('up')).resolves.toBe(1n);
  });

  it('refuses an async callback with ProgrammingError and applies nothing', async () => {
    view = new NamesView();
    const error = await rejectionOf(
      view.run(up(1n), async (db) => {
        add('a')(db);
      }),
    );
    expect(error).toBeInstanceOf(ProgrammingError);
    expect(view.names()).toEqual([]);
    await expect(view.maxTrackingId('up')).resolves.toBeUndefined();
  });

  it('fails with PersistenceError after close', async () => {
    view = new NamesView();
    await view.close();
    await expect(view.maxTrackingId('up')).rejects.toThrow(
      new PersistenceError('The SQLite tracking recorder is closed'),
    );
    await expect(view.insertTracking(up(1n))).rejects.toBeInstanceOf(PersistenceError);
    await view.close(); // twice is fine
  });
});
