/**
 * The PostgreSQL recorder's pool timeouts take any number of milliseconds ≥ 0 or `Infinity`
 * (none), and anything else is a `ProgrammingError` before a pool is made.
 */
import { describe, expect, it } from 'vitest';
import { PostgresTrackingRecorder } from '../../../src/adapters/postgres/index.js';
import { poolTimeouts } from '../../../src/adapters/postgres/postgres-tracking-options.js';
import { ProgrammingError } from '../../../src/core/errors.js';

describe('PostgreSQL pool timeouts', () => {
  it('turns Infinity into none (0) and caps 2^31 ms and more at 2^31 - 1', () => {
    expect(
      poolTimeouts({
        connectionTimeoutMillis: Number.POSITIVE_INFINITY,
        idleTimeoutMillis: 2 ** 31 + 5,
      }),
    ).toEqual({ connectionTimeoutMillis: 0, idleTimeoutMillis: 2 ** 31 - 1 });
    expect(poolTimeouts({ connectionTimeoutMillis: 250, max: 3 })).toEqual({
      connectionTimeoutMillis: 250,
      max: 3,
    });
    expect(poolTimeouts({})).toEqual({});
  });

  it('gives the pool the checked timeouts', async () => {
    const recorder = new PostgresTrackingRecorder({
      connectionString: 'postgres://nobody@127.0.0.1:1/none',
      connectionTimeoutMillis: Number.POSITIVE_INFINITY,
    });
    try {
      const { options } = (recorder as unknown as { pool: unknown }).pool as {
        options: { connectionTimeoutMillis: number };
      };
      expect(options.connectionTimeoutMillis).toBe(0);
    } finally {
      await recorder.close();
    }
  });

  it('rejects NaN, negative and non-number timeouts with a ProgrammingError naming the value', () => {
    for (const [key, value, shown] of [
      ['connectionTimeoutMillis', Number.NaN, /connectionTimeoutMillis.*NaN/],
      ['connectionTimeoutMillis', -1, /connectionTimeoutMillis.*-1/],
      ['idleTimeoutMillis', '10', /idleTimeoutMillis.*"10"/],
    ] as const) {
      const build = () =>
        new PostgresTrackingRecorder({
          connectionString: 'postgres://x@127.0.0.1:1/x',
          [key]: value as number,
        });
      expect(build).toThrow(ProgrammingError);
      expect(build).toThrow(shown);
    }
  });
});
