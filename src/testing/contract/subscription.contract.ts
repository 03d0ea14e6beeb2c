/**
 * Application recorder contract, part 2: `subscribe` (python-anchor §3.5
 * `optional_test_insert_subscribe`, §1.10 and the `Subscription` port).
 *
 * @module
 */
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ApplicationRecorder } from '../../core/application-recorder.js';
import type { Notification } from '../../core/stored-event.js';
import type { ApplicationRecorderContractOptions } from './capabilities.js';
import {
  comparables,
  makeEvent,
  newOriginatorId,
  selectOwnNotifications,
  takeOwn,
  threeTopicEvents,
  uniqueTopic,
  within,
} from './fixtures.js';
import { useRecorders } from './lifecycle.js';

/** Writes [e1 v0, e2 v1] of a new aggregate; returns the max before and after, and the events. */
async function writeTwo(recorder: ApplicationRecorder) {
  const max1 = await recorder.maxNotificationId();
  const id = newOriginatorId();
  const { topics, e1, e2, e3 } = threeTopicEvents(id, id, 2);
  await recorder.insertEvents([e1, e2]);
  const max2 = await recorder.maxNotificationId();
  return { id, max1, max2, topics, e1, e2, e3 };
}

/** Iterates `items` and fails when one of them has an id not greater than `gt`. */
async function* checkAfter(items: AsyncIterable<Notification>, gt: bigint) {
  for await (const item of items) {
    if (item.id <= gt)
      throw new Error(`Subscription after ${gt} delivered notification ${item.id}`);
    yield item;
  }
}

/** Declares the `subscribe` part of the contract. */
export function describeSubscription(options: ApplicationRecorderContractOptions): void {
  describe('subscribe', () => {
    const open = useRecorders(options.create);

    it('delivers stored notifications; break ends the subscription', async () => {
      const recorder = await open();
      await writeTwo(recorder);
      for (const subscribeOptions of [{}, { gt: 0n }]) {
        const subscription = recorder.subscribe(subscribeOptions);
        const items: Notification[] = [];
        await within(
          10_000,
          'the first notification',
          (async () => {
            for await (const item of subscription) {
              items.push(item);
              break;
            }
          })(),
        );
        expect(items).toHaveLength(1);
        expect(subscription.stopped).toBe(true);
      }
    });

    it('catches up after gt, then receives new events as they are written', async () => {
      const recorder = await open();
      const { id, max1, max2, e1, e2, e3 } = await writeTwo(recorder);
      const subscription = recorder.subscribe({ gt: max1 });
      try {
        const iterator = checkAfter(subscription, max1)[Symbol.asyncIterator]();
        expect(comparables(await takeOwn(iterator, [id], 2))).toEqual(comparables([e1, e2]));
        await recorder.insertEvents([e3]);
        const [n3] = await takeOwn(iterator, [id], 1);
        expect(comparables(n3 ? [n3] : [])).toEqual(comparables([e3]));
        const stored = await selectOwnNotifications(recorder, [id], { after: max1 });
        expect(stored.at(-1)?.id).toBe(n3?.id);
      } finally {
        subscription.stop();
      }

      const later = recorder.subscribe({ gt: max2 });
      try {
        const iterator = checkAfter(later, max2)[Symbol.asyncIterator]();
        expect(comparables(await takeOwn(iterator, [id], 1))).toEqual(comparables([e3]));
      } finally {
        later.stop();
      }
    });

    it('excludes the notification whose id is gt', async () => {
      const recorder = await open();
      const { id, max1, e2 } = await writeTwo(recorder);
      const [n1] = await selectOwnNotifications(recorder, [id], { after: max1 });
      const subscription = recorder.subscribe({ gt: n1?.id ?? -1n });
      try {
        const iterator = subscription[Symbol.asyncIterator]();
        expect(comparables(await takeOwn(iterator, [id], 1))).toEqual(comparables([e2]));
      } finally {
        subscription.stop();
      }
    });

    it('stop() during iteration ends it after the current item', async () => {
      const recorder = await open();
      const { max1 } = await writeTwo(recorder);
      const subscription = recorder.subscribe({ gt: max1 });
      const items: Notification[] = [];
      await within(
        10_000,
        'the iteration to end',
        (async () => {
          for await (const item of subscription) {
            items.push(item);
            subscription.stop();
          }
        })(),
      );
      expect(items).toHaveLength(1);
      expect(subscription.stopped).toBe(true);
    });

    it('stop() before iterating yields nothing', async () => {
      const recorder = await open();
      const { max1 } = await writeTwo(recorder);
      const subscription = recorder.subscribe({ gt: max1 });
      subscription.stop();
      const items: Notification[] = [];
      for await (const item of subscription) items.push(item);
      expect(items).toEqual([]);
    });

    it('disposing before iterating yields nothing', async () => {
      const recorder = await open();
      const { max1 } = await writeTwo(recorder);
      const subscription = recorder.subscribe({ gt: max1 });
      await subscription[Symbol.asyncDispose]();
      const items: Notification[] = [];
      for await (const item of subscription) items.push(item);
      expect(items).toEqual([]);
      expect(subscription.stopped).toBe(true);
    });

    it('stop() while waiting for new events ends the pending next()', async () => {
      const recorder = await open();
      const subscription = recorder.subscribe({ topics: [uniqueTopic('NeverWritten')] });
      const iterator = subscription[Symbol.asyncIterator]();
      const pending = iterator.next();
      await new Promise((resolve) => setTimeout(resolve, 100));
      subscription.stop();
      await expect(within(5_000, 'the pending next()', pending)).resolves.toEqual({
        done: true,
        value: undefined,
      });
    });

    it('filters by topics from the beginning of the log', async () => {
      const recorder = await open();
      const { topics, e1, e3 } = await writeTwo(recorder);
      await recorder.insertEvents([e3]);
      const subscription = recorder.subscribe({ topics: [topics[2]] });
      try {
        const iterator = subscription[Symbol.asyncIterator]();
        const first = await within(10_000, 'the topic3 notification', iterator.next());
        expect(first.done).toBe(false);
        expect(comparables(first.value ? [first.value] : [])).toEqual(comparables([e3]));
      } finally {
        subscription.stop();
      }
      const both = recorder.subscribe({ topics: [topics[0], topics[2]] });
      try {
        const iterator = both[Symbol.asyncIterator]();
        const items = await takeOwn(iterator, [e1.originatorId], 2);
        expect(comparables(items)).toEqual(comparables([e1, e3]));
      } finally {
        both.stop();
      }
    });

    it('treats topics as literal names, not patterns', async () => {
      const recorder = await open();
      const max1 = await recorder.maxNotificationId();
      const id = newOriginatorId();
      const exact = `contract.test:Exact.${newOriginatorId().replaceAll('-', '')}`;
      const nearMisses = [exact.replace('Exact.', 'ExactX'), `${exact}.Suffix`, `Prefix.${exact}`];
      const events = [exact, ...nearMisses, exact].map((topic, v) => makeEvent(id, v, { topic }));
      await recorder.insertEvents(events);
      const subscription = recorder.subscribe({ gt: max1, topics: [exact] });
      try {
        const iterator = subscription[Symbol.asyncIterator]();
        const items = await takeOwn(iterator, [id], 2);
        expect(comparables(items)).toEqual(
          comparables([events[0], events[4]].flatMap((e) => (e ? [e] : []))),
        );
      } finally {
        subscription.stop();
      }
    });

    it('delivers new events of the subscribed topics only', async () => {
      const recorder = await open();
      const { id, max2, topics, e3 } = await writeTwo(recorder);
      const subscription = recorder.subscribe({ gt: max2, topics: [topics[0]] });
      try {
        const iterator = subscription[Symbol.asyncIterator]();
        const pending = iterator.next();
        await recorder.insertEvents([e3]);
        const e4 = makeEvent(id, 3, { topic: topics[0] });
        await recorder.insertEvents([e4]);
        const first = await within(10_000, 'the new topic1 notification', pending);
        expect(comparables(first.value ? [first.value] : [])).toEqual(comparables([e4]));
      } finally {
        subscription.stop();
      }
    });

    it('is also an Observable; unsubscribing stops it', async () => {
      const recorder = await open();
      const { id, max1, e1, e2 } = await writeTwo(recorder);
      const subscription = recorder.subscribe({ gt: max1 });
      const items = await within(
        10_000,
        'two notifications from the Observable',
        firstValueFrom(
          subscription.asObservable().pipe(
            filter((n) => n.originatorId === id),
            take(2),
            toArray(),
          ),
        ),
      );
      expect(comparables(items)).toEqual(comparables([e1, e2]));
      expect(subscription.stopped).toBe(true);
    });
  });
}
