/** The KurrentDB adapter's retry options: defaults, and a ProgrammingError for malformed ones. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY,
  resolveRetryOptions,
} from '../../../src/adapters/kurrentdb/connection-retry.js';
import { KurrentDBConnection } from '../../../src/adapters/kurrentdb/kurrentdb-connection.js';
import { ProgrammingError } from '../../../src/core/errors.js';

describe('resolveRetryOptions', () => {
  it('fills in the defaults and keeps any length of delay, Infinity included', () => {
    expect(resolveRetryOptions(undefined)).toEqual(DEFAULT_RETRY);
    expect(resolveRetryOptions({ initialDelayMs: 50 })).toEqual({
      ...DEFAULT_RETRY,
      initialDelayMs: 50,
    });
    expect(
      resolveRetryOptions({
        retries: Number.POSITIVE_INFINITY,
        initialDelayMs: 0,
        maxDelayMs: 2 ** 31 + 5,
      }),
    ).toEqual({ retries: Number.POSITIVE_INFINITY, initialDelayMs: 0, maxDelayMs: 2 ** 31 + 5 });
  });

  it('rejects malformed options with a ProgrammingError naming the field and the value', () => {
    for (const [options, message] of [
      [{ retries: -1 }, /retry\.retries.*-1/],
      [{ retries: 1.5 }, /retry\.retries.*1\.5/],
      [{ retries: Number.NaN }, /retry\.retries.*NaN/],
      [{ initialDelayMs: Number.NaN }, /retry\.initialDelayMs.*NaN/],
      [{ maxDelayMs: -5 }, /retry\.maxDelayMs.*-5/],
      [{ maxDelayMs: '100' }, /retry\.maxDelayMs.*"100"/],
      [null, /retry options.*null/],
    ] as const) {
      const resolve = () => resolveRetryOptions(options as never);
      expect(resolve).toThrow(ProgrammingError);
      expect(resolve).toThrow(message);
    }
  });
});

describe('KurrentDBConnection retry options', () => {
  // Nothing connects before the first operation: no server is needed.
  const uri = 'kurrentdb://admin:changeit@127.0.0.1:2113?tls=false';

  it('takes the checked options, over the defaults', async () => {
    const connection = new KurrentDBConnection({
      uri,
      retry: { retries: 2, maxDelayMs: 2 ** 31 + 5 },
    });
    try {
      expect(connection.retry).toEqual({ ...DEFAULT_RETRY, retries: 2, maxDelayMs: 2 ** 31 + 5 });
    } finally {
      await connection.close();
    }
  });

  it('refuses malformed options at construction with a ProgrammingError', () => {
    const connect = () => new KurrentDBConnection({ uri, retry: { initialDelayMs: -1 } });
    expect(connect).toThrow(ProgrammingError);
    expect(connect).toThrow(/retry\.initialDelayMs.*-1/);
  });
});
