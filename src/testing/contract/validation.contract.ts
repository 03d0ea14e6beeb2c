/**
 * Recorder contract: `insertEvents` and `appendEvents` check every event before any I/O. A bad
 * value is a `ProgrammingError` naming `events[i].<field>`, returned as a rejected promise (never
 * thrown), and nothing is stored.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { AggregateRecorder } from '../../core/aggregate-recorder.js';
import { isProgrammingError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/stored-event.js';
import { BAD_BATCH_CASES, BAD_EVENT_CASES } from './bad-events.js';
import { comparables, makeEvent, newOriginatorId } from './fixtures.js';
import type { NothingStoredCheck } from './nothing-stored.js';

/**
 * Where the malformed event goes: second of a batch of two (event recorders), or alone
 * (snapshot recorders, which take one event per call).
 */
export type BadEventPlace = 'second-of-two' | 'alone';

/** Calls `write` with a value the types forbid; fails if it throws instead of rejecting. */
function callWith(write: (events: readonly StoredEvent[]) => Promise<unknown>, events: unknown) {
  let result: Promise<unknown> | undefined;
  expect(() => {
    result = write(events as readonly StoredEvent[]);
  }, 'a synchronous throw').not.toThrow();
  return result as Promise<unknown>;
}

/** Both write methods of a recorder, for a value the types forbid. */
const writes = (recorder: AggregateRecorder) =>
  [
    ['insertEvents', (events: readonly StoredEvent[]) => recorder.insertEvents(events)],
    ['appendEvents', (events: readonly StoredEvent[]) => recorder.appendEvents(events)],
  ] as const;

/** Expects `promise` to reject with a `ProgrammingError` whose message contains `naming`. */
async function expectProgrammingError(promise: Promise<unknown>, naming: string, what: string) {
  let error: unknown;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  expect(isProgrammingError(error), `${what}: ${String(error)}`).toBe(true);
  expect((error as Error).message, what).toContain(naming);
}

/** Declares the validation cases for recorders made by `open`. */
export function describeInsertValidation<TRecorder extends AggregateRecorder>(
  open: () => Promise<TRecorder>,
  nothingStored: NothingStoredCheck<TRecorder>,
  place: BadEventPlace,
): void {
  describe('checks every event before any I/O', () => {
    /** The batch with one spoiled event, and the index it has there. */
    const batchWith = (id: string, spoil: (event: StoredEvent) => unknown) =>
      place === 'alone'
        ? { batch: [spoil(makeEvent(id, 5))], index: 0 }
        : { batch: [makeEvent(id, 0), spoil(makeEvent(id, 1))], index: 1 };

    it.each(BAD_EVENT_CASES.map((c) => [c.name, c] as const))(
      'refuses %s with ProgrammingError, storing nothing',
      async (_name, { field, spoil }) => {
        const recorder = await open();
        const id = newOriginatorId();
        const mark = await nothingStored.mark(recorder);
        const { batch, index } = batchWith(id, spoil);
        const naming = field === '' ? `events[${index}]` : `events[${index}].${field}`;
        for (const [method, write] of writes(recorder)) {
          await expectProgrammingError(callWith(write, batch), naming, method);
        }
        await nothingStored.expectNothing(recorder, mark, [id]);
      },
    );

    it.each(BAD_BATCH_CASES.map((c) => [c.name, c] as const))(
      'refuses events that are %s with ProgrammingError, storing nothing',
      async (_name, { batch }) => {
        const recorder = await open();
        const id = newOriginatorId();
        const mark = await nothingStored.mark(recorder);
        for (const [method, write] of writes(recorder)) {
          await expectProgrammingError(callWith(write, batch(makeEvent(id, 0))), 'events', method);
        }
        await nothingStored.expectNothing(recorder, mark, [id]);
      },
    );

    it("refuses a batch of a '$' stream (a KurrentDB system stream, never notifications)", async () => {
      const recorder = await open();
      const id = `$${newOriginatorId()}`;
      const mark = await nothingStored.mark(recorder);
      const batch = place === 'alone' ? [makeEvent(id, 0)] : [makeEvent(id, 0), makeEvent(id, 1)];
      for (const [method, write] of writes(recorder)) {
        await expectProgrammingError(callWith(write, batch), 'events[0].originatorId', method);
      }
      await nothingStored.expectNothing(recorder, mark, [id]);
    });

    it('accepts plain JSON metadata and a Buffer state, dropping undefined properties', async () => {
      const recorder = await open();
      const id = newOriginatorId();
      const inner: Record<string, unknown> = Object.create(null);
      inner.k = [[], {}];
      const metadata = {
        s: 'text \u{1F600}',
        n: -1.5,
        yes: true,
        none: null,
        list: [1, 'a', null, { inner }],
        gone: undefined,
      };
      const event = {
        ...makeEvent(id, place === 'alone' ? 5 : 0),
        state: Buffer.from('{"a":1}'),
        metadata,
      };
      await recorder.insertEvents([event]);
      const [stored] = await recorder.selectEvents(id);
      const { gone: _gone, ...expected } = metadata;
      expect(stored && comparables([stored])).toEqual(
        comparables([{ ...event, metadata: expected }]),
      );
      expect(stored !== undefined && 'gone' in stored.metadata).toBe(false);
    });
  });
}
