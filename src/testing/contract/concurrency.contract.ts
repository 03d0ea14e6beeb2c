/**
 * Application recorder contract, part 3: many writers at once (python-anchor §3.2
 * `test_concurrent_no_conflicts` scaled down, `test_subscribe_concurrent_reading_and_writing`,
 * §3.4 non-interleaving notification ids).
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { ApplicationRecorder } from '../../core/application-recorder.js';
import type { StoredEvent } from '../../core/stored-event.js';
import type { ApplicationRecorderContractOptions } from './capabilities.js';
import {
  comparables,
  makeEvent,
  newOriginatorId,
  selectOwnNotifications,
  strictlyIncreasing,
  takeOwn,
  uniqueTopic,
} from './fixtures.js';
import { DEFAULT_HEAVY_TEST_TIMEOUT, useRecorders } from './lifecycle.js';

/** How many events each heavy test writes (Python: 1000). */
const MANY = 1000;

/** `count` single-event batches, each for a new aggregate, all of one topic. */
function singleEventBatches(count: number, topic: string): StoredEvent[][] {
  return Array.from({ length: count }, () => [makeEvent(newOriginatorId(), 0, { topic })]);
}

/** Writes the batches concurrently, each with its own `insertEvents` call. */
async function writeConcurrently(recorder: ApplicationRecorder, batches: StoredEvent[][]) {
  return Promise.all(batches.map((batch) => recorder.insertEvents(batch)));
}

/** Declares the concurrency part of the contract. */
export function describeConcurrency(options: ApplicationRecorderContractOptions): void {
  const heavy = options.heavyTestTimeout ?? DEFAULT_HEAVY_TEST_TIMEOUT;

  describe('concurrent writers', () => {
    const open = useRecorders(options.create);

    it('keeps the events of two concurrent 1000-event writes apart (non-interleaving ids)', {
      timeout: heavy,
    }, async () => {
      const recorder = await open();
      const max1 = await recorder.maxNotificationId();
      const a = newOriginatorId();
      const b = newOriginatorId();
      const eventsA = Array.from({ length: MANY }, (_, v) => makeEvent(a, v));
      const eventsB = Array.from({ length: MANY }, (_, v) => makeEvent(b, v));
      await Promise.all([recorder.insertEvents(eventsA), recorder.insertEvents(eventsB)]);

      const mine = await selectOwnNotifications(recorder, [a, b], { after: max1 });
      expect(mine).toHaveLength(2 * MANY);
      const idsA = mine.filter((n) => n.originatorId === a).map((n) => n.id);
      const idsB = mine.filter((n) => n.originatorId === b).map((n) => n.id);
      expect(idsA).toHaveLength(MANY);
      expect(idsB).toHaveLength(MANY);
      const [firstA, lastA] = [idsA[0] ?? 0n, idsA.at(-1) ?? 0n];
      const [firstB, lastB] = [idsB[0] ?? 0n, idsB.at(-1) ?? 0n];
      expect(lastA < firstB || lastB < firstA, 'the two id ranges interleave').toBe(true);
      // Nothing else lies inside either range: each write is one contiguous run of the log.
      for (const [first, last, id] of [
        [firstA, lastA, a],
        [firstB, lastB, b],
      ] as const) {
        const range = await recorder.selectNotifications({
          start: first,
          stop: last,
          limit: 2 * MANY,
        });
        expect(range).toHaveLength(MANY);
        expect(range.every((n) => n.originatorId === id)).toBe(true);
      }
    });

    it('serves readers while writers append, without conflicts', { timeout: heavy }, async () => {
      const recorder = await open();
      const max1 = await recorder.maxNotificationId();
      const writers = 4;
      const batchesPerWriter = 10;
      const eventsPerBatch = 10;
      const ids = Array.from({ length: writers }, newOriginatorId);
      let writing = true;
      const read = async () => {
        let reads = 0;
        while (writing || reads === 0) {
          const page = await recorder.selectNotifications({
            start: max1,
            limit: 10,
            inclusiveOfStart: false,
          });
          expect(strictlyIncreasing(page.map((n) => n.id))).toBe(true);
          reads++;
          await new Promise((resolve) => setImmediate(resolve));
        }
        return reads;
      };
      const write = async (id: string) => {
        for (let batch = 0; batch < batchesPerWriter; batch++) {
          const first = batch * eventsPerBatch;
          const events = Array.from({ length: eventsPerBatch }, (_, i) => makeEvent(id, first + i));
          await recorder.insertEvents(events);
        }
      };
      const readers = [read(), read()];
      await Promise.all(ids.map(write)).finally(() => {
        writing = false;
      });
      const reads = await Promise.all(readers);
      expect(reads.every((n) => n > 0)).toBe(true);
      const mine = await selectOwnNotifications(recorder, ids, { after: max1 });
      expect(mine).toHaveLength(writers * batchesPerWriter * eventsPerBatch);
      expect(strictlyIncreasing(mine.map((n) => n.id))).toBe(true);
      for (const id of ids) {
        const versions = mine.filter((n) => n.originatorId === id).map((n) => n.originatorVersion);
        expect(versions).toEqual(
          Array.from({ length: batchesPerWriter * eventsPerBatch }, (_, v) => v),
        );
      }
    });

    it('lets one subscription receive 1000 concurrent single-event writes', {
      timeout: heavy,
    }, async () => {
      const recorder = await open();
      const max1 = await recorder.maxNotificationId();
      const topic = uniqueTopic('Concurrent');
      const batches = singleEventBatches(MANY, topic);
      const originators = batches.map((batch) => batch[0]?.originatorId ?? '');
      const subscription = recorder.subscribe({ gt: max1 });
      try {
        const iterator = subscription[Symbol.asyncIterator]();
        const received = takeOwn(iterator, originators, MANY, heavy);
        received.catch(() => undefined); // awaited below; avoids an unhandled rejection if a write fails
        const written = await writeConcurrently(recorder, batches);
        const notifications = await received;
        expect(new Set(notifications.map((n) => n.originatorId)).size).toBe(MANY);
        expect(strictlyIncreasing(notifications.map((n) => n.id))).toBe(true);
        expect(new Set(notifications.map((n) => n.id))).toEqual(new Set(written.flat()));
      } finally {
        subscription.stop();
      }

      // Then sequentially: everything is written already, a new subscription catches up.
      const later = recorder.subscribe({ gt: max1, topics: [topic] });
      try {
        const iterator = later[Symbol.asyncIterator]();
        const caughtUp = await takeOwn(iterator, originators, MANY, heavy);
        expect(comparables(caughtUp)).toEqual(
          comparables(
            (await selectOwnNotifications(recorder, originators, { after: max1 })).filter(
              (n) => n.topic === topic,
            ),
          ),
        );
      } finally {
        later.stop();
      }
    });
  });
}
