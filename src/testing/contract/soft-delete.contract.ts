/**
 * Recorder contract: `appendEvents` reports the version the store gave, and `deleteStream`
 * soft-deletes an aggregate as KurrentDB does (protocol doc §4.1, §4.5): reads hide the deleted
 * events, a batch at version 0 or right after the last deleted version continues the numbering,
 * notifications already made stay.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { AggregateRecorder } from '../../core/aggregate-recorder.js';
import type { ApplicationRecorder } from '../../core/application-recorder.js';
import { isIntegrityError, isProgrammingError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/stored-event.js';
import {
  comparables,
  makeEvent,
  newOriginatorId,
  rejectionOf,
  selectOwnNotifications,
} from './fixtures.js';

/** `event` as stored at `version`. */
const at = (event: StoredEvent, version: number): StoredEvent => ({
  ...event,
  originatorVersion: version,
});

/** Writes versions 0 and 1 of a new aggregate, then soft-deletes it. */
async function writeAndDelete(recorder: AggregateRecorder) {
  const id = newOriginatorId();
  const deleted = [makeEvent(id, 0), makeEvent(id, 1)];
  await recorder.insertEvents(deleted);
  await recorder.deleteStream(id);
  return { id, deleted };
}

/** Declares the `appendEvents` and soft-delete cases of an aggregate recorder. */
export function describeSoftDelete(open: () => Promise<AggregateRecorder>): void {
  describe('appendEvents and deleteStream', () => {
    it('resolves appendEvents with the ids and the version of the last event', async () => {
      const recorder = await open();
      const id = newOriginatorId();
      await expect(recorder.appendEvents([])).resolves.toEqual({ ids: [], lastVersion: -1 });
      const batch = [makeEvent(id, 0), makeEvent(id, 1)];
      const first = await recorder.appendEvents(batch);
      expect(first.lastVersion).toBe(1);
      expect([0, 2]).toContain(first.ids.length);
      await expect(recorder.appendEvents([makeEvent(id, 2)])).resolves.toMatchObject({
        lastVersion: 2,
      });
      await expect(recorder.appendEvents(batch), 'a repeat').resolves.toEqual(first);
      const ids = await recorder.insertEvents([makeEvent(id, 3)]);
      expect(ids).toHaveLength(first.ids.length === 0 ? 0 : 1);
    });

    it('hides deleted events and continues the numbering at version 0', async () => {
      const recorder = await open();
      const { id } = await writeAndDelete(recorder);
      await expect(recorder.selectEvents(id)).resolves.toEqual([]);
      await expect(recorder.selectEvents(id, { desc: true, limit: 1 })).resolves.toEqual([]);

      const restart = makeEvent(id, 0);
      await expect(recorder.appendEvents([restart])).resolves.toMatchObject({ lastVersion: 2 });
      expect(comparables(await recorder.selectEvents(id))).toEqual(comparables([at(restart, 2)]));

      const next = makeEvent(id, 3);
      await expect(recorder.appendEvents([next])).resolves.toMatchObject({ lastVersion: 3 });
      const both = comparables([at(restart, 2), next]);
      expect(comparables(await recorder.selectEvents(id))).toEqual(both);
      expect(comparables(await recorder.selectEvents(id, { desc: true }))).toEqual(
        [...both].reverse(),
      );
      expect(comparables(await recorder.selectEvents(id, { gt: 2 }))).toEqual(both.slice(1));
      expect(comparables(await recorder.selectEvents(id, { lte: 2 }))).toEqual(both.slice(0, 1));
      expect(comparables(await recorder.selectEvents(id, { desc: true, gt: 1, limit: 5 }))).toEqual(
        [...both].reverse(),
      );
    });

    it('continues the numbering with a batch right after the last deleted version', async () => {
      const recorder = await open();
      const { id } = await writeAndDelete(recorder);
      const events = [makeEvent(id, 2), makeEvent(id, 3)];
      await expect(recorder.appendEvents(events)).resolves.toMatchObject({ lastVersion: 3 });
      expect(comparables(await recorder.selectEvents(id))).toEqual(comparables(events));
    });

    it('refuses other versions after a delete, and version 0 once written again', async () => {
      const recorder = await open();
      const { id } = await writeAndDelete(recorder);
      for (const version of [1, 5]) {
        const error = await rejectionOf(recorder.insertEvents([makeEvent(id, version)]));
        expect(isIntegrityError(error), `version ${version}: ${String(error)}`).toBe(true);
      }
      await expect(recorder.selectEvents(id)).resolves.toEqual([]);
      const restart = makeEvent(id, 0);
      await recorder.insertEvents([restart]);
      const again = await rejectionOf(recorder.insertEvents([makeEvent(id, 0)]));
      expect(isIntegrityError(again), `version 0 again: ${String(again)}`).toBe(true);
      expect(comparables(await recorder.selectEvents(id))).toEqual(comparables([at(restart, 2)]));
    });

    it('deletes twice, and refuses to delete an aggregate that never had events', async () => {
      const recorder = await open();
      const { id } = await writeAndDelete(recorder);
      await expect(recorder.deleteStream(id)).resolves.toBeUndefined();
      await expect(recorder.selectEvents(id)).resolves.toEqual([]);
      const never = await rejectionOf(recorder.deleteStream(newOriginatorId()));
      expect(isIntegrityError(never), String(never)).toBe(true);
    });

    it('refuses to delete a malformed or system stream id with ProgrammingError', async () => {
      const recorder = await open();
      for (const id of ['', `$${newOriginatorId()}`, 42 as unknown as string]) {
        const error = await rejectionOf(recorder.deleteStream(id));
        expect(isProgrammingError(error), `${String(id)}: ${String(error)}`).toBe(true);
      }
    });
  });
}

/** Declares the notification cases of soft delete for an application recorder. */
export function describeSoftDeleteNotifications(open: () => Promise<ApplicationRecorder>): void {
  it('keeps the notifications of deleted events and gives new events new ones', async () => {
    const recorder = await open();
    const max1 = await recorder.maxNotificationId();
    const { id, deleted } = await writeAndDelete(recorder);
    const restart = makeEvent(id, 0);
    const { ids } = await recorder.appendEvents([restart]);
    // The delete itself is no notification (KurrentDB writes it to the system stream `$$<id>`).
    const notifications = await selectOwnNotifications(recorder, [id, `$$${id}`], { after: max1 });
    expect(comparables(notifications)).toEqual(comparables([...deleted, at(restart, 2)]));
    const [n0, n1, n2] = notifications;
    expect(n2?.id).toBe(ids[0]);
    expect((n0?.id ?? 0n) < (n1?.id ?? 0n) && (n1?.id ?? 0n) < (n2?.id ?? 0n)).toBe(true);
  });
}
