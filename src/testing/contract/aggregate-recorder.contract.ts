/**
 * The contract every `AggregateRecorder` meets (python-anchor §3.2 and §3.5).
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { AggregateRecorder } from '../../core/aggregate-recorder.js';
import { isIntegrityError, isProgrammingError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/stored-event.js';
import type { AggregateRecorderContractOptions, RecorderContractOptions } from './capabilities.js';
import { comparables, makeEvent, newOriginatorId, rejectionOf } from './fixtures.js';
import { useRecorders } from './lifecycle.js';
import { NO_EVENTS, type NothingStoredCheck } from './nothing-stored.js';
import { SELECT_EVENTS_CASES, UNKNOWN_AGGREGATE_CASES } from './select-events-cases.js';
import { describeSoftDelete } from './soft-delete.contract.js';
import { itRefusesUseAfterClose } from './use-after-close.contract.js';
import { describeInsertValidation } from './validation.contract.js';

/**
 * Declares the aggregate recorder contract as a vitest `describe` block named `name`.
 *
 * @example
 * ```ts
 * describeAggregateRecorderContract('MemoryAggregateRecorder', {
 *   create: async () => new MemoryAggregateRecorder(),
 *   capabilities: CONTIGUOUS_NOTIFICATION_LOG,
 * });
 * ```
 */
export function describeAggregateRecorderContract(
  name: string,
  options: AggregateRecorderContractOptions,
): void {
  describe(name, () => describeAggregateRecorderCases(options, NO_EVENTS));
}

/**
 * The cases of the aggregate recorder contract, for any recorder that is one; `nothingStored`
 * checks that a refused write stored nothing (an application recorder also checks that no
 * notification appeared).
 */
export function describeAggregateRecorderCases<TRecorder extends AggregateRecorder>(
  options: RecorderContractOptions<TRecorder>,
  nothingStored: NothingStoredCheck<TRecorder>,
): void {
  const open = useRecorders(options.create);

  /** Writes versions 0, 1, 2 of a new aggregate and returns its id and events. */
  async function threeEvents(recorder: AggregateRecorder) {
    const id = newOriginatorId();
    const events = [0, 1, 2].map((v) => makeEvent(id, v, { metadata: { user_id: `user-${v}` } }));
    await recorder.insertEvents(events);
    return { id, events };
  }

  it('resolves an empty insert with an empty array', async () => {
    const recorder = await open();
    await expect(recorder.insertEvents([])).resolves.toEqual([]);
  });

  it('selects nothing from an aggregate that was never written', async () => {
    const recorder = await open();
    const id = newOriginatorId();
    for (const select of UNKNOWN_AGGREGATE_CASES) {
      await expect(recorder.selectEvents(id, select), JSON.stringify(select)).resolves.toEqual([]);
    }
  });

  it('reads back every field written, event ids and metadata included', async () => {
    const recorder = await open();
    const id = newOriginatorId();
    const event = makeEvent(id, 0, { metadata: { userId: 'user-1', nested: { n: 1 } } });
    const ids = await recorder.insertEvents([event]);
    expect(ids.length === 0 || ids.length === 1).toBe(true);
    expect(comparables(await recorder.selectEvents(id))).toEqual(comparables([event]));
  });

  it('resolves a write with no ids or one id per event', async () => {
    const recorder = await open();
    const id = newOriginatorId();
    const ids = await recorder.insertEvents([makeEvent(id, 0), makeEvent(id, 1)]);
    expect([0, 2]).toContain(ids.length);
    for (const notificationId of ids) expect(typeof notificationId).toBe('bigint');
  });

  it('accepts non-UUID originator ids', async () => {
    const recorder = await open();
    const id = `product-${newOriginatorId()}`;
    const event = makeEvent(id, 0);
    await recorder.insertEvents([event]);
    expect(comparables(await recorder.selectEvents(id))).toEqual(comparables([event]));
  });

  for (const { name, batch } of [
    {
      name: 'rejects another event at a version already taken',
      batch: (id: string) => [makeEvent(id, 0)],
    },
    {
      name: 'writes nothing of a batch that starts at a taken version (atomic)',
      batch: (id: string) => [makeEvent(id, 0), makeEvent(id, 1)],
    },
    {
      name: 'rejects a batch that repeats a stored event and adds a new one, writing nothing',
      batch: (id: string, first: StoredEvent) => [first, makeEvent(id, 1)],
    },
    {
      name: 'rejects duplicate versions in one batch ([v1, v1])',
      batch: (id: string) => [makeEvent(id, 1), makeEvent(id, 1)],
    },
  ]) {
    it(name, async () => {
      const recorder = await open();
      const id = newOriginatorId();
      const first = makeEvent(id, 0);
      await recorder.insertEvents([first]);
      const error = await rejectionOf(recorder.insertEvents(batch(id, first)));
      expect(isIntegrityError(error), String(error)).toBe(true);
      expect(comparables(await recorder.selectEvents(id))).toEqual(comparables([first]));
    });
  }

  it('rejects a gap inside a batch, writing nothing', async () => {
    const recorder = await open();
    const id = newOriginatorId();
    const error = await rejectionOf(recorder.insertEvents([makeEvent(id, 0), makeEvent(id, 2)]));
    expect(isIntegrityError(error), String(error)).toBe(true);
    await expect(recorder.selectEvents(id)).resolves.toEqual([]);
  });

  it('rejects a first version that is not the next one', async () => {
    const recorder = await open();
    const id = newOriginatorId();
    const fresh = await rejectionOf(recorder.insertEvents([makeEvent(id, 1)]));
    expect(isIntegrityError(fresh), `new aggregate at v1: ${String(fresh)}`).toBe(true);
    await expect(recorder.selectEvents(id)).resolves.toEqual([]);
    const first = makeEvent(id, 0);
    await recorder.insertEvents([first]);
    const gap = await rejectionOf(recorder.insertEvents([makeEvent(id, 2)]));
    expect(isIntegrityError(gap), `v2 after v0: ${String(gap)}`).toBe(true);
    expect(comparables(await recorder.selectEvents(id))).toEqual(comparables([first]));
  });

  it('appends a batch that follows the stored events ([v1, v2] after v0)', async () => {
    const recorder = await open();
    const id = newOriginatorId();
    const events = [makeEvent(id, 0), makeEvent(id, 1), makeEvent(id, 2)];
    await recorder.insertEvents(events.slice(0, 1));
    await recorder.insertEvents(events.slice(1));
    expect(comparables(await recorder.selectEvents(id))).toEqual(comparables(events));
    expect(comparables(await recorder.selectEvents(id, { desc: true, limit: 1 }))).toEqual(
      comparables(events.slice(2)),
    );
    expect(comparables(await recorder.selectEvents(id, { lte: 1, desc: true, limit: 1 }))).toEqual(
      comparables(events.slice(1, 2)),
    );
    expect(comparables(await recorder.selectEvents(id, { gt: 0, lte: 1 }))).toEqual(
      comparables(events.slice(1, 2)),
    );
  });

  it('keeps aggregates apart', async () => {
    const recorder = await open();
    const a = newOriginatorId();
    const b = newOriginatorId();
    const eventsA = [makeEvent(a, 0), makeEvent(a, 1)];
    const eventsB = [makeEvent(b, 0)];
    await recorder.insertEvents(eventsA);
    await recorder.insertEvents(eventsB);
    expect(comparables(await recorder.selectEvents(a))).toEqual(comparables(eventsA));
    expect(comparables(await recorder.selectEvents(b))).toEqual(comparables(eventsB));
  });

  it('rejects events of two aggregates in one call with ProgrammingError, writing nothing', async () => {
    const recorder = await open();
    const a = newOriginatorId();
    const b = newOriginatorId();
    const error = await rejectionOf(recorder.insertEvents([makeEvent(a, 0), makeEvent(b, 0)]));
    expect(isProgrammingError(error), String(error)).toBe(true);
    await expect(recorder.selectEvents(a)).resolves.toEqual([]);
    await expect(recorder.selectEvents(b)).resolves.toEqual([]);
  });

  it('treats a repeated batch (same event ids, same versions) as already written', async () => {
    const recorder = await open();
    const id = newOriginatorId();
    const batch1 = [makeEvent(id, 0), makeEvent(id, 1)];
    const batch2 = [makeEvent(id, 2)];
    const ids1 = await recorder.insertEvents(batch1);
    const ids2 = await recorder.insertEvents(batch2);
    await expect(recorder.insertEvents(batch2), 'repeat of the last batch').resolves.toEqual(ids2);
    await expect(recorder.insertEvents(batch1), 'repeat of an earlier batch').resolves.toEqual(
      ids1,
    );
    expect(comparables(await recorder.selectEvents(id))).toEqual(
      comparables([...batch1, ...batch2]),
    );
  });

  describe('selectEvents over versions 0, 1, 2 (Python test_insert_and_select)', () => {
    it.each(SELECT_EVENTS_CASES.map((c) => [JSON.stringify(c.options), c] as const))(
      '%s',
      async (_label, { options: select, versions }) => {
        const recorder = await open();
        const { id, events } = await threeEvents(recorder);
        const expected = versions.map((v) => events[v]);
        expect(comparables(await recorder.selectEvents(id, select))).toEqual(
          comparables(expected.filter((e) => e !== undefined)),
        );
      },
    );
  });

  describeInsertValidation(open, nothingStored, 'second-of-two');
  itRefusesUseAfterClose(open);
  describeSoftDelete(open);
}
