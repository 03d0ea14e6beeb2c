/**
 * The library across failover (issue 8 item 4): cluster URIs through `createPersistence`, an
 * append in flight when the leader fails retried with the same event ids (exactly once), a
 * clear error when no node answers, and a subscription that resumes on another node with no
 * loss and no duplicate.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { KurrentDBApplicationRecorder } from '../../src/adapters/kurrentdb/kurrentdb-application-recorder.js';
import { KurrentDBConnection } from '../../src/adapters/kurrentdb/kurrentdb-connection.js';
import { createPersistence } from '../../src/application/persistence.js';
import { OperationalError } from '../../src/core/errors.js';
import type { Notification } from '../../src/core/stored-event.js';
import { makeEvent, rejectionOf } from '../../src/testing/contract/fixtures.js';
import { clusterCapabilities } from '../../src/testing/index.js';
import { controlOf, startAll, total, useClusterHarness } from './support/cluster.js';

const capabilities = clusterCapabilities();

describe('the recorders on a cluster', () => {
  const harness = useClusterHarness();
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.close()));
    if (harness().control !== undefined) await startAll(controlOf(harness()));
  });
  const recorderOn = (uri: string) => {
    const recorder = new KurrentDBApplicationRecorder(
      new KurrentDBConnection({ uri, retry: { initialDelayMs: 50 } }),
    );
    open.push(recorder);
    return recorder;
  };

  for (const form of ['discoverUri', 'multiHostUri'] as const) {
    it(`takes a ${form === 'discoverUri' ? '+discover' : 'multi-host'} URI through createPersistence`, async () => {
      const persistence = createPersistence({
        env: { PERSISTENCE_MODULE: 'kurrentdb', KURRENTDB_URI: harness()[form] },
      });
      open.push(persistence);
      const id = randomUUID();
      const ids = await persistence.applicationRecorder.insertEvents([
        makeEvent(id, 0),
        makeEvent(id, 1),
      ]);
      const stored = await persistence.applicationRecorder.selectEvents(id);
      expect(stored.map((e) => e.originatorVersion)).toEqual([0, 1]);
      await expect(
        persistence.applicationRecorder.maxNotificationId(),
      ).resolves.toBeGreaterThanOrEqual(ids.at(-1) as bigint);
    });
  }

  it.runIf(capabilities.nodeControl)(
    'retries an append whose leader failed after committing it, storing it exactly once',
    async () => {
      const control = controlOf(harness());
      const recorder = recorderOn(harness().multiHostUri);
      const id = randomUUID();
      await recorder.insertEvents([makeEvent(id, 0)]);
      const committedBefore = total(control, 'appendsCommitted');
      const failed = control.failover({ how: 'stop', afterCommit: true });
      const ids = await recorder.insertEvents([makeEvent(id, 1), makeEvent(id, 2)]);
      await failed;
      expect(total(control, 'appendsCommitted')).toBe(committedBefore + 1);
      const stored = await recorder.selectEvents(id);
      expect(stored.map((e) => e.originatorVersion)).toEqual([0, 1, 2]);
      const all = await recorder.selectNotifications({ start: 0n, limit: 1_000_000 });
      const eventIds = all.map((n) => n.eventId);
      expect(new Set(eventIds).size).toBe(eventIds.length);
      expect(all.find((n) => n.eventId === stored[2]?.eventId)?.id).toBe(ids[1]);
    },
  );

  it.runIf(capabilities.nodeControl)(
    'fails an append with OperationalError saying it may have been stored when no node answers, and works once nodes return',
    async () => {
      const control = controlOf(harness());
      const recorder = new KurrentDBApplicationRecorder(
        new KurrentDBConnection({
          uri: `${harness().multiHostUri}&defaultDeadline=2000&maxDiscoverAttempts=2`,
          retry: { initialDelayMs: 50, maxDelayMs: 200 },
        }),
      );
      open.push(recorder);
      const id = randomUUID();
      await recorder.insertEvents([makeEvent(id, 0)]);
      for (const node of control.nodes) await control.stopNode(node.index);
      const error = await rejectionOf(recorder.insertEvents([makeEvent(id, 1)]));
      expect(error).toBeInstanceOf(OperationalError);
      expect((error as Error).message).toMatch(/may or may not have been stored/);
      await startAll(control);
      await recorder.insertEvents([makeEvent(id, 1)]);
      expect((await recorder.selectEvents(id)).map((e) => e.originatorVersion)).toEqual([0, 1]);
    },
  );

  it.runIf(capabilities.nodeControl)(
    'resumes a subscription on another node with no loss and no duplicate',
    async () => {
      const control = controlOf(harness());
      const recorder = recorderOn(harness().multiHostUri);
      const writer = recorderOn(harness().multiHostUri);
      const topic = `Failover.Subscribed-${randomUUID().slice(0, 8)}`;
      const after = await writer.maxNotificationId();
      const subscription = recorder.subscribe({ gt: after, topics: [topic] });
      const seen: Notification[] = [];
      const expected = 40;
      const reading = (async () => {
        for await (const notification of subscription) {
          seen.push(notification);
          if (seen.length === expected) break;
        }
      })();
      const id = randomUUID();
      for (let version = 0; version < expected; version++) {
        await writer.insertEvents([makeEvent(id, version, { topic })]);
        if (version === 10) await control.failover({ how: 'stop' });
        if (version === 25) await control.failover({ how: 'step-down' });
      }
      await reading;
      subscription.stop();
      expect(seen.map((n) => n.originatorVersion)).toEqual(
        Array.from({ length: expected }, (_, v) => v),
      );
      const ids = seen.map((n) => n.id);
      expect([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(ids);
    },
  );
});
