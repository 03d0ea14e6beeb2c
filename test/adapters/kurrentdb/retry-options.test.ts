/** The KurrentDB adapter's retry options: defaults, and a ProgrammingError for malformed ones. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY,
  resolveRetryOptions,
} from '../../../src/adapters/kurrentdb/connection-retry.js';
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
