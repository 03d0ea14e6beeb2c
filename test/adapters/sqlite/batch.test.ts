import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type SQLiteDatabase,
  SQLiteTrackingRecorder,
  type SQLiteTrackingRecorderOptions,
} from '../../../src/adapters/sqlite/index.js';
import {
  IntegrityError,
  OperationalError,
  PersistenceError,
  ProgrammingError,
  WaitInterruptedError,
} from '../../../src/core/errors.js';
import type { Tracking } from '../../../src/core/tracking-recorder.js';
import { rejectionOf } from '../../../src/testing/contract/fixtures.js';

/** A view with one table of unique names, whose write callback the test chooses. */
class NamesView extends SQLiteTrackingRecorder {
  constructor(options: Partial<SQLiteTrackingRecorderOptions> = {}) {
    super({ dbName: ':memory:', ...options });
  }

  protected override createViewTables(db: SQLiteDatabase): void {
    db.exec('CREATE TABLE IF NOT EXISTS names (name TEXT PRIMARY KEY)');
  }

  /** Runs `write` in the view's tracked transaction. */
  run<T>(tracking: Tracking, write: (db: SQLiteDatabase) => T): Promise<T> {
    return this.trackedTransaction(tracking, write);
  }

  /** True while the recorder's connection is inside a transaction. */
  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  names(): Promise<string[]> {
    return this.readCommitted(
      (db) => db.prepare('SELECT name FROM names ORDER BY name').pluck().all() as string[],
    );
  }
}

const add = (name: string) => (db: SQLiteDatabase) => {
  db.prepare('INSERT INTO names (name) VALUES (?)').run(name);
};
const up = (notificationId: bigint): Tracking => ({ applicationName: 'up', notificationId });
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const directory = mkdtempSync(join(tmpdir(), 'sqlite-batch-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;
const newFile = () => join(directory, `batch-${++files}.db`);

const open: SQLiteTrackingRecorder[] = [];
const track = <T extends SQLiteTrackingRecorder>(view: T): T => {
  open.push(view);
  return view;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((view) => view.close()));
});

describe('SQLiteTrackingRecorder.batch', () => {
  it('keeps one transaction open across the awaits of the batch, and none after it', async () => {
    const view = track(new NamesView());
    const seen: boolean[] = [];
    const result = await view.batch(async () => {
      for (const [id, name] of [
        [1n, 'a'],
        [2n, 'b'],
      ] as const) {
        await view.run(up(id), (db) => {
          add(name)(db);
          seen.push(db.inTransaction);
        });
        await sleep(1);
        seen.push(view.inTransaction);
      }
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen).toEqual([true, true, true, true]);
    expect(view.inTransaction).toBe(false);
    expect(await view.names()).toEqual(['a', 'b']);
  });

  it('rolls back only the savepoint of a view write whose constraint error the work catches', async () => {
    const view = track(new NamesView());
    await view.batch(async () => {
      await view.run(up(1n), add('a'));
      const duplicate = await rejectionOf(view.run(up(2n), add('a')));
      expect(duplicate).toBeInstanceOf(IntegrityError);
      const refused = await rejectionOf(view.run(up(2n), async () => undefined));
      expect(refused).toBeInstanceOf(ProgrammingError);
      await view.run(up(2n), add('b'));
    });
    expect(await view.names()).toEqual(['a', 'b']);
    await expect(view.maxTrackingId('up')).resolves.toBe(2n);
  });

  it('runs a tracked transaction started from the batch after it ended on its own', async () => {
    const view = track(new NamesView());
    let late: Promise<void> | undefined;
    await view.batch(async () => {
      await view.run(up(1n), add('a'));
      setTimeout(() => {
        late = view.run(up(2n), add('late'));
      }, 20);
    });
    await sleep(40);
    await late;
    expect(await view.names()).toEqual(['a', 'late']);
    await expect(view.maxTrackingId('up')).resolves.toBe(2n);
  });

  it('holds the write lock of a file database: other connections cannot write until it ends', async () => {
    const dbName = newFile();
    const view = track(new NamesView({ dbName }));
    const other = track(new NamesView({ dbName, lockTimeout: 50 }));
    const elsewhere: Tracking = { applicationName: 'other', notificationId: 1n };
    await view.batch(async () => {
      await view.run(up(1n), add('a'));
      const locked = await rejectionOf(other.insertTracking(elsewhere));
      expect(locked).toBeInstanceOf(OperationalError);
      await expect(other.maxTrackingId('up')).resolves.toBeUndefined(); // reads do not wait
    });
    await other.insertTracking(elsewhere);
    await expect(other.maxTrackingId('up')).resolves.toBe(1n);
    expect(await other.names()).toEqual(['a']);
  });

  it('fails the batch with PersistenceError when the recorder closes during it, and interrupts waits', async () => {
    const view = track(new NamesView());
    const waited = rejectionOf(view.wait('up', 2n, { timeout: 10_000 }));
    const error = await rejectionOf(
      view.batch(async () => {
        await view.run(up(1n), add('a'));
        await view.close();
        await view.run(up(2n), add('b'));
      }),
    );
    expect(error).toBeInstanceOf(PersistenceError);
    expect(await waited).toBeInstanceOf(WaitInterruptedError);
  });
});
