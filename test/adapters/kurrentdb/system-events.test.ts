import { randomUUID } from 'node:crypto';
import { binaryEvent, jsonEvent, KurrentDBClient } from '@kurrent/kurrentdb-client';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  KurrentDBApplicationRecorder,
  KurrentDBConnection,
  KurrentDBSnapshotRecorder,
} from '../../../src/adapters/kurrentdb/index.js';
import type { Notification } from '../../../src/core/stored-event.js';
import { makeEvent, takeOwn } from '../../../src/testing/contract/fixtures.js';

const uri = inject('kurrentdbUri');

/** Not a notification: a system stream or type, or a snapshot stream. */
const isForeign = (n: Notification) =>
  n.originatorId.startsWith('$') ||
  n.originatorId.startsWith('snapshot-$') ||
  n.topic.startsWith('$');

describe('system events and snapshots are never notifications', () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  it('in selectNotifications, maxNotificationId and subscribe, with and without topics', async () => {
    const connection = new KurrentDBConnection({ uri });
    const recorder = new KurrentDBApplicationRecorder(connection);
    const snapshots = new KurrentDBSnapshotRecorder(connection);
    const client = KurrentDBClient.connectionString(uri);
    closers.push(
      () => recorder.close(),
      () => snapshots.close(),
      () => client.dispose(),
    );

    const u = randomUUID();
    const topic = `system.test:Event-${u}`;
    const aggregate = randomUUID();
    const deleted = `deleted-${u}`;
    const start = await recorder.maxNotificationId();

    // Notifications: one event in each of two streams.
    const [firstId] = await recorder.insertEvents([makeEvent(aggregate, 0, { topic })]);
    const [deletedId] = await recorder.insertEvents([makeEvent(deleted, 0, { topic })]);
    // Not notifications: a snapshot with the same topic, a user-typed event in a system stream,
    // a $-typed event in a user stream, stream metadata ($metadata in $$x), and a tombstone
    // ($streamDeleted in the user stream itself) -- the newest record of all.
    await snapshots.insertEvents([makeEvent(aggregate, 0, { topic })]);
    const systemPositions: bigint[] = [];
    const record = (result: { position?: { commit: bigint } | undefined }) => {
      if (result.position) systemPositions.push(result.position.commit);
    };
    record(
      await client.appendToStream(
        `$system-${u}`,
        binaryEvent({ type: topic, data: new Uint8Array([1]) }),
      ),
    );
    record(await client.appendToStream(`user-${u}`, jsonEvent({ type: `$custom-${u}`, data: {} })));
    record(await client.setStreamMetadata(aggregate, { maxCount: 100 }));
    record(await client.tombstoneStream(deleted));
    expect(systemPositions).toHaveLength(4);

    const max = await recorder.maxNotificationId();
    expect(max).toBeGreaterThanOrEqual(deletedId as bigint);
    expect(systemPositions).not.toContain(max);

    const all = await recorder.selectNotifications({ start, inclusiveOfStart: false, limit: 1000 });
    expect(all.filter(isForeign)).toEqual([]);
    const mine = all.filter((n) => n.originatorId === aggregate || n.originatorId === deleted);
    expect(mine.map((n) => [n.originatorId, n.id])).toEqual([
      [aggregate, firstId],
      [deleted, deletedId],
    ]);

    const byTopic = await recorder.selectNotifications({
      start,
      inclusiveOfStart: false,
      limit: 1000,
      topics: [topic, `$custom-${u}`, '$metadata', '$streamDeleted'],
    });
    expect(byTopic.map((n) => n.originatorId)).toEqual([aggregate, deleted]);

    // A subscription sees the same two, then the next notification written after the rest.
    const last = randomUUID();
    const subscription = recorder.subscribe({ gt: start });
    const byTopicSubscription = recorder.subscribe({
      gt: start,
      topics: [topic, `$custom-${u}`, '$metadata', '$streamDeleted'],
    });
    closers.push(async () => {
      subscription.stop();
      byTopicSubscription.stop();
    });
    await recorder.insertEvents([makeEvent(last, 0, { topic })]);
    for (const sub of [subscription, byTopicSubscription]) {
      const iterator = sub[Symbol.asyncIterator]();
      const seen: Notification[] = [];
      for (;;) {
        const [next] = await takeOwn(
          iterator,
          [aggregate, deleted, last, `$system-${u}`, `user-${u}`, `snapshot-$${aggregate}`],
          1,
        );
        seen.push(next as Notification);
        if (next?.originatorId === last) break;
      }
      expect(seen.map((n) => n.originatorId)).toEqual([aggregate, deleted, last]);
    }
  });
});
