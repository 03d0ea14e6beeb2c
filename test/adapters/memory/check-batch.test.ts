import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkBatch, decideAppend } from '../../../src/adapters/memory/check-batch.js';
import { isIntegrityError, isProgrammingError } from '../../../src/core/errors.js';
import type { StoredEvent } from '../../../src/core/stored-event.js';

const event = (
  originatorId: string,
  version: number,
  eventId: string = randomUUID(),
): StoredEvent => ({
  originatorId,
  originatorVersion: version,
  topic: 't',
  state: new Uint8Array(),
  metadata: {},
  eventId,
});

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('checkBatch', () => {
  it('returns the originator of a contiguous batch', () => {
    expect(checkBatch([event('a', 3), event('a', 4)])).toBe('a');
  });

  it('rejects two originators, gaps, duplicates and an empty batch', () => {
    expect(isProgrammingError(thrown(() => checkBatch([event('a', 0), event('b', 1)])))).toBe(true);
    expect(isIntegrityError(thrown(() => checkBatch([event('a', 0), event('a', 2)])))).toBe(true);
    expect(isIntegrityError(thrown(() => checkBatch([event('a', 1), event('a', 1)])))).toBe(true);
    expect(isProgrammingError(thrown(() => checkBatch([])))).toBe(true);
  });
});

describe('decideAppend', () => {
  const stored = [event('a', 0, 'id0'), event('a', 1, 'id1'), event('a', 2, 'id2')];

  it('appends a batch that starts at the next version', () => {
    expect(decideAppend(stored, [event('a', 3)])).toBe('append');
    expect(decideAppend([], [event('a', 0)])).toBe('append');
  });

  it('recognises a repeat of stored events by their ids', () => {
    expect(decideAppend(stored, [event('a', 0, 'id0'), event('a', 1, 'id1')])).toBe('duplicate');
    expect(decideAppend(stored, [event('a', 2, 'id2')])).toBe('duplicate');
  });

  it('rejects other ids at taken versions, partial repeats and gaps', () => {
    for (const batch of [
      [event('a', 1)],
      [event('a', 2, 'id2'), event('a', 3)],
      [event('a', 4)],
      [event('a', -1)],
      [event('a', 0.5)],
    ]) {
      expect(isIntegrityError(thrown(() => decideAppend(stored, batch)))).toBe(true);
    }
  });
});
