/**
 * Application recorder contract, part 1: notification ids and `selectNotifications`
 * (python-anchor §3.2 `test_insert_select`, §3.5).
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { ApplicationRecorder } from '../../core/application-recorder.js';
import { isPersistenceError } from '../../core/errors.js';
import type { ApplicationRecorderContractOptions } from './capabilities.js';
import {
  comparables,
  makeEvent,
  newOriginatorId,
  own,
  rejectionOf,
  selectOwnNotifications,
  strictlyIncreasing,
  threeTopicEvents,
  uniqueTopic,
} from './fixtures.js';
import { useRecorders } from './lifecycle.js';

/** Writes [e1 v0 topic1, e2 v1 topic2] for aggregate A and [e3 v0 topic3] for B after `max1`. */
async function writeThree(recorder: ApplicationRecorder) {
  const max1 = await recorder.maxNotificationId();
  const a = newOriginatorId();
  const b = newOriginatorId();
  const { topics, e1, e2, e3 } = threeTopicEvents(a, b, 0);
  const idsA = await recorder.insertEvents([e1, e2]);
  const idsB = await recorder.insertEvents([e3]);
  const notifications = await selectOwnNotifications(recorder, [a, b], { after: max1 });
  const [n1, n2, n3] = notifications;
  if (n1 === undefined || n2 === undefined || n3 === undefined) {
    throw new Error(`Expected three notifications, got ${notifications.length}`);
  }
  return { max1, a, b, topics, e1, e2, e3, idsA, idsB, notifications, n1, n2, n3 };
}

/** Declares the `selectNotifications` / `maxNotificationId` part of the contract. */
export function describeNotificationSelection(options: ApplicationRecorderContractOptions): void {
  const { capabilities } = options;

  describe('notifications', () => {
    const open = useRecorders(options.create);

    it('reports the max notification id as a bigint that covers every write', async () => {
      const recorder = await open();
      const max1 = await recorder.maxNotificationId();
      expect(typeof max1).toBe('bigint');
      expect(max1 >= 0n).toBe(true);
      const ids = await recorder.insertEvents([makeEvent(newOriginatorId(), 0)]);
      const max2 = await recorder.maxNotificationId();
      expect(max2 >= (ids[0] ?? -1n)).toBe(true);
      expect((ids[0] ?? -1n) > max1).toBe(true);
    });

    it('selects nothing of ours after the max taken at the start', async () => {
      const recorder = await open();
      const max1 = await recorder.maxNotificationId();
      const topic = uniqueTopic('Unused');
      const after = { start: max1, inclusiveOfStart: false } as const;
      await expect(
        recorder.selectNotifications({ ...after, limit: 10, topics: [topic] }),
      ).resolves.toEqual([]);
      await expect(
        recorder.selectNotifications({ ...after, limit: 3, topics: [topic] }),
      ).resolves.toEqual([]);
      const page = await recorder.selectNotifications({ ...after, limit: 10 });
      expect(page.every((n) => n.id > max1)).toBe(true);
    });

    it('returns notification ids per the capability notificationIdsPerBatch', async () => {
      const recorder = await open();
      const { max1, idsA, idsB, n1, n2, n3 } = await writeThree(recorder);
      expect(idsA).toHaveLength(2);
      expect(idsB).toHaveLength(1);
      expect(idsA.every((id) => id > max1)).toBe(true);
      expect(idsA.at(-1)).toBe(n2.id);
      expect(idsB[0]).toBe(n3.id);
      if (capabilities.notificationIdsPerBatch === 'each-event') {
        expect(idsA).toEqual([n1.id, n2.id]);
      } else {
        expect(idsA).toEqual([n2.id, n2.id]);
      }
      expect((await recorder.maxNotificationId()) >= n3.id).toBe(true);
    });

    it('selects the written events as notifications, in order, with their own ids', async () => {
      const recorder = await open();
      const { a, b, e1, e2, e3, notifications, n1, n2 } = await writeThree(recorder);
      expect(comparables(await recorder.selectEvents(a))).toEqual(comparables([e1, e2]));
      expect(comparables(await recorder.selectEvents(b))).toEqual(comparables([e3]));
      expect(comparables(notifications)).toEqual(comparables([e1, e2, e3]));
      expect(strictlyIncreasing(notifications.map((n) => n.id))).toBe(true);
      if (capabilities.contiguousNotificationIds) expect(n2.id).toBe(n1.id + 1n);
    });

    it('filters by topics, matching exactly', async () => {
      const recorder = await open();
      const { max1, topics, e1, e2, e3 } = await writeThree(recorder);
      const [t1, t2, t3] = topics;
      const select = (ts: string[]) =>
        recorder
          .selectNotifications({ start: max1, inclusiveOfStart: false, limit: 10, topics: ts })
          .then(comparables);
      expect(await select([t1, t2, t3])).toEqual(comparables([e1, e2, e3]));
      expect(await select([t1])).toEqual(comparables([e1]));
      expect(await select([t2])).toEqual(comparables([e2]));
      expect(await select([t3])).toEqual(comparables([e3]));
      expect(await select([t1, t3])).toEqual(comparables([e1, e3]));
    });

    it('treats topics as literal names, not patterns', async () => {
      const recorder = await open();
      const max1 = await recorder.maxNotificationId();
      const id = newOriginatorId();
      const unique = newOriginatorId().replaceAll('-', '');
      const exact = `contract.test:Exact.${unique}`;
      const topics = [
        exact,
        exact.replace('Exact.', 'ExactX'),
        `${exact}.Suffix`,
        `Prefix.${exact}`,
      ];
      const events = topics.map((topic, v) => makeEvent(id, v, { topic }));
      await recorder.insertEvents(events);
      const select = (ts: string[]) =>
        recorder
          .selectNotifications({ start: max1, inclusiveOfStart: false, limit: 10, topics: ts })
          .then(comparables);
      expect(await select([exact])).toEqual(comparables(events.slice(0, 1)));
      expect(await select([exact, topics[1] as string])).toEqual(comparables(events.slice(0, 2)));
      expect(await select([`contract.test:Exact.${unique.slice(0, 8)}`])).toEqual([]);
    });

    it('selects by start (inclusive or not), limit and stop', async () => {
      const recorder = await open();
      const { max1, e1, e2, e3, n1, n2, n3 } = await writeThree(recorder);
      const select = (o: Parameters<ApplicationRecorder['selectNotifications']>[0]) =>
        recorder.selectNotifications(o);

      expect(comparables(await select({ start: n1.id, limit: 1 }))).toEqual(comparables([e1]));
      expect(comparables(await select({ start: n2.id, limit: 1 }))).toEqual(comparables([e2]));
      expect(comparables(await select({ start: n2.id, limit: 1, inclusiveOfStart: true }))).toEqual(
        comparables([e2]),
      );
      const afterE2 = await select({ start: n2.id, limit: 1, inclusiveOfStart: false });
      expect(afterE2).toHaveLength(1);
      expect(afterE2[0]?.id).toBeGreaterThan(n2.id);
      expect(afterE2[0]?.id).toBeLessThanOrEqual(n3.id);

      const firstAfterMax = await select({ start: max1, limit: 1, inclusiveOfStart: false });
      expect(firstAfterMax).toHaveLength(1);
      expect(firstAfterMax[0]?.id).toBeGreaterThan(max1);
      expect(firstAfterMax[0]?.id).toBeLessThanOrEqual(n1.id);

      // The events of one write are adjacent in the log, so nothing else lies between e1 and e2.
      expect(comparables(await select({ start: n1.id, limit: 10, stop: n2.id }))).toEqual(
        comparables([e1, e2]),
      );
      expect(comparables(await select({ start: n1.id, limit: 10, stop: n1.id }))).toEqual(
        comparables([e1]),
      );
      const upToE2 = await select({
        start: max1,
        limit: 100,
        stop: n2.id,
        inclusiveOfStart: false,
      });
      expect(upToE2.every((n) => n.id > max1 && n.id <= n2.id)).toBe(true);
      expect(comparables(own(upToE2, [e1.originatorId, e3.originatorId]))).toEqual(
        comparables([e1, e2]),
      );

      const limited = await select({ start: max1, limit: 2, inclusiveOfStart: false });
      expect(limited).toHaveLength(2);
      expect(strictlyIncreasing(limited.map((n) => n.id))).toBe(true);
    });

    it('selects from the beginning when start is omitted or 0', async () => {
      const recorder = await open();
      const { n1 } = await writeThree(recorder);
      const fromBeginning = await recorder.selectNotifications({ limit: 1 });
      expect(fromBeginning).toHaveLength(1);
      expect(fromBeginning[0]?.id).toBeLessThanOrEqual(n1.id);
      const fromZero = await recorder.selectNotifications({ start: 0n, limit: 1 });
      expect(fromZero.map((n) => n.id)).toEqual(fromBeginning.map((n) => n.id));
      const afterZero = await recorder.selectNotifications({
        start: 0n,
        limit: 1,
        inclusiveOfStart: false,
      });
      expect(afterZero).toHaveLength(1);
      expect(afterZero[0]?.id).toBeGreaterThan(0n);
      expect(afterZero[0]?.id).toBeLessThanOrEqual(n1.id);
    });

    if (capabilities.startMustBeNotificationId) {
      it('rejects a start that is not a notification id with a PersistenceError naming it', async () => {
        const recorder = await open();
        const { n1 } = await writeThree(recorder);
        const start = n1.id + 1n;
        const error = await rejectionOf(
          recorder.selectNotifications({ start, limit: 10, inclusiveOfStart: false }),
        );
        expect(isPersistenceError(error), String(error)).toBe(true);
        expect((error as Error).message).toContain(String(start));
      });
    } else {
      it('accepts any start, selecting the ids from it', async () => {
        const recorder = await open();
        const { a: idA, b: idB, notifications, n1, n3 } = await writeThree(recorder);
        const start = n1.id + 1n;
        for (const inclusiveOfStart of [true, false]) {
          const page = await recorder.selectNotifications({
            start,
            limit: 1000,
            stop: n3.id,
            inclusiveOfStart,
          });
          expect(page.every((n) => (inclusiveOfStart ? n.id >= start : n.id > start))).toBe(true);
          const expected = notifications.filter((n) =>
            inclusiveOfStart ? n.id >= start : n.id > start,
          );
          expect(own(page, [idA, idB])).toEqual(expected);
        }
      });
    }

    if (capabilities.contiguousNotificationIds) {
      it('numbers the events of one write with adjacent ids (id + 1 is the next)', async () => {
        const recorder = await open();
        const { e2, n1 } = await writeThree(recorder);
        const next = await recorder.selectNotifications({ start: n1.id + 1n, limit: 1 });
        expect(comparables(next)).toEqual(comparables([e2]));
        expect(next[0]?.id).toBe(n1.id + 1n);
      });
    }
  });
}
