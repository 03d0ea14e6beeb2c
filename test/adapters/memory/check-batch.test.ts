import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  appendTo,
  copyEvent,
  decideAppend,
  type MemoryStream,
  softDelete,
} from '../../../src/adapters/memory/check-batch.js';
import { isIntegrityError } from '../../../src/core/errors.js';
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

/** Versions 0, 1, 2 with ids id0, id1, id2. */
const threeEvents = (): MemoryStream<StoredEvent> => ({
  events: [event('a', 0, 'id0'), event('a', 1, 'id1'), event('a', 2, 'id2')],
  visibleFrom: 0,
});

describe('decideAppend', () => {
  it('appends a batch that starts at the next version', () => {
    expect(decideAppend(threeEvents(), [event('a', 3)])).toEqual({ kind: 'append', from: 3 });
    expect(decideAppend(undefined, [event('a', 0)])).toEqual({ kind: 'append', from: 0 });
  });

  it('recognises a repeat of stored events by their ids', () => {
    const stored = threeEvents();
    expect(decideAppend(stored, [event('a', 0, 'id0'), event('a', 1, 'id1')])).toEqual({
      kind: 'repeat',
      from: 0,
    });
    expect(decideAppend(stored, [event('a', 2, 'id2')])).toEqual({ kind: 'repeat', from: 2 });
  });

  it('rejects other ids at taken versions, partial repeats and gaps', () => {
    for (const batch of [
      [event('a', 1)],
      [event('a', 2, 'id2'), event('a', 3)],
      [event('a', 4)],
      [event('a', 0)],
    ]) {
      expect(isIntegrityError(thrown(() => decideAppend(threeEvents(), batch)))).toBe(true);
    }
    expect(isIntegrityError(thrown(() => decideAppend(undefined, [event('a', 1)])))).toBe(true);
  });

  describe('after a soft delete', () => {
    const deleted = () => {
      const stream = threeEvents();
      softDelete(stream, 'a');
      return stream;
    };

    it('continues the numbering of a batch at version 0 or at the next version', () => {
      expect(decideAppend(deleted(), [event('a', 0)])).toEqual({ kind: 'append', from: 3 });
      expect(decideAppend(deleted(), [event('a', 3)])).toEqual({ kind: 'append', from: 3 });
    });

    it('still recognises a repeat of deleted events', () => {
      expect(decideAppend(deleted(), [event('a', 0, 'id0')])).toEqual({ kind: 'repeat', from: 0 });
    });

    it('rejects other versions and a partial repeat at version 0', () => {
      for (const batch of [
        [event('a', 1)],
        [event('a', 5)],
        [event('a', 0, 'id0'), event('a', 1)],
      ]) {
        expect(isIntegrityError(thrown(() => decideAppend(deleted(), batch)))).toBe(true);
      }
    });

    it('shows the events written after it only, and gives a once-undeleted stream no renumbering', () => {
      const stream = deleted();
      expect(stream.visibleFrom).toBe(Number.POSITIVE_INFINITY);
      appendTo(stream, [copyEvent(event('a', 0), 3)]);
      expect(stream.visibleFrom).toBe(3);
      expect(isIntegrityError(thrown(() => decideAppend(stream, [event('a', 0)])))).toBe(true);
      expect(decideAppend(stream, [event('a', 4)])).toEqual({ kind: 'append', from: 4 });
    });
  });
});

describe('softDelete', () => {
  it('refuses a stream without events, as KurrentDB does', () => {
    expect(isIntegrityError(thrown(() => softDelete(undefined, 'a')))).toBe(true);
    expect(isIntegrityError(thrown(() => softDelete({ events: [], visibleFrom: 0 }, 'a')))).toBe(
      true,
    );
  });

  it('may delete a deleted stream again', () => {
    const stream = threeEvents();
    softDelete(stream, 'a');
    softDelete(stream, 'a');
    expect(stream.visibleFrom).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('copyEvent', () => {
  it('copies state and metadata deeply, drops undefined properties and keeps a __proto__ key', () => {
    const metadata = JSON.parse('{"__proto__":{"x":1},"list":[{"a":1}]}') as Record<
      string,
      unknown
    >;
    metadata.gone = undefined;
    const original = { ...event('a', 0), state: new Uint8Array([1, 2]), metadata };
    const copy = copyEvent(original, 7);
    expect(copy.originatorVersion).toBe(7);
    expect(Object.keys(copy.metadata)).toEqual(['__proto__', 'list']);
    expect(Object.getPrototypeOf(copy.metadata)).toBe(Object.prototype);
    expect(copy.metadata.list).toEqual([{ a: 1 }]);
    expect(copy.metadata.list).not.toBe(metadata.list);
    original.state[0] = 9;
    expect(copy.state).toEqual(new Uint8Array([1, 2]));
  });
});
