/**
 * The SQLite recorder's lock timeout takes any number of milliseconds ≥ 0 or `Infinity`, and
 * anything else is a `ProgrammingError` before the database is opened.
 */
import { describe, expect, it } from 'vitest';
import { SQLiteTrackingRecorder } from '../../../src/adapters/sqlite/index.js';
import { ProgrammingError } from '../../../src/core/errors.js';

/** A recorder that shows the busy timeout SQLite got. */
class Probe extends SQLiteTrackingRecorder {
  busyTimeout(): number {
    return Number(this.db.pragma('busy_timeout', { simple: true }));
  }
}

/** The busy timeout SQLite got for `lockTimeout`, in milliseconds. */
async function busyTimeoutOf(lockTimeout: number | undefined): Promise<number> {
  const recorder = new Probe({
    dbName: ':memory:',
    ...(lockTimeout === undefined ? {} : { lockTimeout }),
  });
  try {
    return recorder.busyTimeout();
  } finally {
    await recorder.close();
  }
}

describe('SQLiteTrackingRecorder lockTimeout', () => {
  it('passes whole milliseconds to SQLite, capped at 2^31 - 1 (Infinity waits that long)', async () => {
    expect(await busyTimeoutOf(undefined)).toBe(5000);
    expect(await busyTimeoutOf(0)).toBe(0);
    expect(await busyTimeoutOf(1.2)).toBe(2);
    expect(await busyTimeoutOf(2 ** 31 + 5)).toBe(2 ** 31 - 1);
    expect(await busyTimeoutOf(Number.POSITIVE_INFINITY)).toBe(2 ** 31 - 1);
  });

  it('rejects NaN, negative and non-number timeouts with a ProgrammingError naming the value', () => {
    for (const [lockTimeout, shown] of [
      [Number.NaN, 'NaN'],
      [-1, '-1'],
      ['5000', '"5000"'],
    ] as const) {
      expect(
        () =>
          new SQLiteTrackingRecorder({ dbName: ':memory:', lockTimeout: lockTimeout as number }),
      ).toThrow(ProgrammingError);
      expect(
        () =>
          new SQLiteTrackingRecorder({ dbName: ':memory:', lockTimeout: lockTimeout as number }),
      ).toThrow(new RegExp(`lockTimeout.*${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
  });
});
