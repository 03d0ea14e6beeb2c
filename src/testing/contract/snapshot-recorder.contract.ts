/**
 * The contract of snapshot recorders (python-anchor §1.5–§1.6): an `AggregateRecorder` that
 * keeps the latest snapshots of aggregates. `appendEvents` resolves no ids and the snapshot's
 * version; `deleteStream` deletes an aggregate's snapshots (and resolves when it has none).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AggregateRecorder } from '../../core/aggregate-recorder.js';
import { isProgrammingError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/stored-event.js';
import type { SnapshotRecorderContractOptions } from './capabilities.js';
import {
  comparables,
  makeEvent,
  newOriginatorId,
  rejectionOf,
  selectOwnNotifications,
  within,
} from './fixtures.js';
import { useRecorders } from './lifecycle.js';
import { NO_EVENTS } from './nothing-stored.js';
import { itRefusesUseAfterClose } from './use-after-close.contract.js';
import { describeInsertValidation } from './validation.contract.js';

/** A snapshot topic no other test uses; it ends in `Snapshot`, as the library's snapshot topics do. */
const snapshotTopic = (): string =>
  `contract.test.${randomUUID().replaceAll('-', '')}:Aggregate.Snapshot`;

/** A snapshot of `originatorId` at `version`. */
const makeSnapshot = (
  originatorId: string,
  version: number,
  topic = snapshotTopic(),
): StoredEvent =>
  makeEvent(originatorId, version, {
    topic,
    state: `{"snapshot":true,"version":${version}}`,
    metadata: { userId: 'user-1', takenAt: `v${version}` },
  });

/** The latest snapshot of `id`, as the repository reads it. */
const latest = async (recorder: AggregateRecorder, id: string) =>
  comparables(await recorder.selectEvents(id, { desc: true, limit: 1 }));

/**
 * Declares the snapshot recorder contract as a vitest `describe` block named `name`.
 *
 * @example
 * ```ts
 * describeSnapshotRecorderContract('MemorySnapshotRecorder', {
 *   create: async () => new MemorySnapshotRecorder(),
 *   capabilities: CONTIGUOUS_NOTIFICATION_LOG,
 * });
 * ```
 */
export function describeSnapshotRecorderContract(
  name: string,
  options: SnapshotRecorderContractOptions,
): void {
  describe(name, () => {
    const open = useRecorders(options.create);

    it('takes exactly one snapshot per call', async () => {
      const recorder = await open();
      const id = newOriginatorId();
      for (const batch of [[], [makeSnapshot(id, 1), makeSnapshot(id, 2)]]) {
        const error = await rejectionOf(recorder.insertEvents(batch));
        expect(isProgrammingError(error), `${batch.length} snapshots: ${String(error)}`).toBe(true);
      }
      await expect(recorder.selectEvents(id)).resolves.toEqual([]);
    });

    it('selects nothing for an aggregate without snapshots', async () => {
      const recorder = await open();
      await expect(
        recorder.selectEvents(newOriginatorId(), { desc: true, limit: 1 }),
      ).resolves.toEqual([]);
    });

    it('reads back the latest snapshot with every field as written', async () => {
      const recorder = await open();
      const id = newOriginatorId();
      const s2 = makeSnapshot(id, 2);
      const s5 = makeSnapshot(id, 5);
      await recorder.insertEvents([s2]);
      expect(await latest(recorder, id)).toEqual(comparables([s2]));
      await recorder.insertEvents([s5]);
      expect(await latest(recorder, id)).toEqual(comparables([s5]));
      expect(comparables(await recorder.selectEvents(id))).toEqual(comparables([s2, s5]));
    });

    it('accepts a first snapshot at any version (no optimistic concurrency)', async () => {
      const recorder = await open();
      const id = newOriginatorId();
      const s7 = makeSnapshot(id, 7);
      await recorder.insertEvents([s7]);
      expect(await latest(recorder, id)).toEqual(comparables([s7]));
    });

    it('silently skips a snapshot older than the latest one', async () => {
      const recorder = await open();
      const id = newOriginatorId();
      const s5 = makeSnapshot(id, 5);
      await recorder.insertEvents([s5]);
      await expect(recorder.insertEvents([makeSnapshot(id, 3)])).resolves.toEqual([]);
      expect(await latest(recorder, id)).toEqual(comparables([s5]));
      expect(comparables(await recorder.selectEvents(id))).toEqual(comparables([s5]));
    });

    it('writes a snapshot at the same version as the latest one', async () => {
      const recorder = await open();
      const id = newOriginatorId();
      const again = makeSnapshot(id, 5);
      await recorder.insertEvents([makeSnapshot(id, 5)]);
      await recorder.insertEvents([again]);
      expect(await latest(recorder, id)).toEqual(comparables([again]));
    });

    it('never serves a historical read (desc with lte), lte = 0 included', async () => {
      const recorder = await open();
      const id = newOriginatorId();
      await recorder.insertEvents([makeSnapshot(id, 0)]);
      await recorder.insertEvents([makeSnapshot(id, 3)]);
      for (const lte of [0, 1, 3, 10]) {
        await expect(recorder.selectEvents(id, { desc: true, lte }), `lte ${lte}`).resolves.toEqual(
          [],
        );
        await expect(
          recorder.selectEvents(id, { desc: true, lte, limit: 1 }),
          `lte ${lte}, limit 1`,
        ).resolves.toEqual([]);
      }
      expect((await latest(recorder, id))[0]?.originatorVersion).toBe(3);
    });

    it('keeps the snapshots of aggregates apart', async () => {
      const recorder = await open();
      const a = newOriginatorId();
      const b = newOriginatorId();
      const sa = makeSnapshot(a, 4);
      const sb = makeSnapshot(b, 1);
      await recorder.insertEvents([sa]);
      await recorder.insertEvents([sb]);
      expect(await latest(recorder, a)).toEqual(comparables([sa]));
      expect(await latest(recorder, b)).toEqual(comparables([sb]));
    });

    it('resolves appendEvents with no ids and the snapshot version, also when skipped', async () => {
      const recorder = await open();
      const id = newOriginatorId();
      await expect(recorder.appendEvents([makeSnapshot(id, 5)])).resolves.toEqual({
        ids: [],
        lastVersion: 5,
      });
      await expect(recorder.appendEvents([makeSnapshot(id, 3)])).resolves.toEqual({
        ids: [],
        lastVersion: 3,
      });
    });

    it('deletes the snapshots of an aggregate with deleteStream, and takes new ones after', async () => {
      const recorder = await open();
      const id = newOriginatorId();
      const other = newOriginatorId();
      const kept = makeSnapshot(other, 1);
      await recorder.insertEvents([makeSnapshot(id, 2)]);
      await recorder.insertEvents([makeSnapshot(id, 4)]);
      await recorder.insertEvents([kept]);
      await recorder.deleteStream(id);
      await expect(recorder.selectEvents(id)).resolves.toEqual([]);
      expect(await latest(recorder, id)).toEqual([]);
      expect(await latest(recorder, other)).toEqual(comparables([kept]));
      const after = makeSnapshot(id, 1);
      await recorder.insertEvents([after]);
      expect(comparables(await recorder.selectEvents(id))).toEqual(comparables([after]));
    });

    it('resolves deleteStream of an aggregate without snapshots, and refuses bad ids', async () => {
      const recorder = await open();
      await expect(recorder.deleteStream(newOriginatorId())).resolves.toBeUndefined();
      const error = await rejectionOf(recorder.deleteStream(`$${newOriginatorId()}`));
      expect(isProgrammingError(error), String(error)).toBe(true);
    });

    describeInsertValidation(open, NO_EVENTS, 'alone');
    itRefusesUseAfterClose(open, 5);

    const { createApplicationRecorder } = options;
    if (createApplicationRecorder !== undefined) {
      const openApplication = useRecorders(createApplicationRecorder);

      it('never shows snapshots as notifications', async () => {
        const snapshots = await open();
        const events = await openApplication();
        const max1 = await events.maxNotificationId();
        const id = newOriginatorId();
        const topic = snapshotTopic();
        const subscription = events.subscribe({ gt: max1 });
        try {
          await events.insertEvents([makeEvent(id, 0)]);
          await snapshots.insertEvents([makeSnapshot(id, 0, topic)]);
          const after = makeEvent(id, 1);
          await events.insertEvents([after]);

          const all = await selectOwnNotifications(events, [id], { after: max1 });
          expect(all.map((n) => n.originatorVersion)).toEqual([0, 1]);
          const anyStream = await events.selectNotifications({
            start: max1,
            inclusiveOfStart: false,
            limit: 1000,
          });
          expect(anyStream.filter((n) => n.topic === topic)).toEqual([]);
          await expect(
            events.selectNotifications({
              start: max1,
              inclusiveOfStart: false,
              limit: 10,
              topics: [topic],
            }),
          ).resolves.toEqual([]);

          const seenTopics = await within(
            10_000,
            'the event after the snapshot',
            (async () => {
              const topics: string[] = [];
              for await (const notification of subscription) {
                topics.push(notification.topic);
                if (notification.eventId === after.eventId) break;
              }
              return topics;
            })(),
          );
          expect(seenTopics.length).toBeGreaterThanOrEqual(2);
          expect(seenTopics).not.toContain(topic);
        } finally {
          subscription.stop();
        }
      });
    }
  });
}
