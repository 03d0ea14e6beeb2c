import { randomUUID } from 'node:crypto';
import { WrongExpectedVersionError } from '@kurrent/kurrentdb-client';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  KurrentDBApplicationRecorder,
  KurrentDBConnection,
  KurrentDBSnapshotRecorder,
} from '../../../src/adapters/kurrentdb/index.js';
import { isIntegrityError, isProgrammingError } from '../../../src/core/errors.js';
import type { StoredEvent } from '../../../src/core/stored-event.js';
import { BAD_BATCH_CASES, BAD_EVENT_CASES } from '../../../src/testing/contract/bad-events.js';
import { makeEvent, rejectionOf } from '../../../src/testing/contract/fixtures.js';

describe('KurrentDB recorder errors', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.close()));
  });

  it('rejects malformed batches before any I/O (nothing listens on the port)', async () => {
    const connection = new KurrentDBConnection({ uri: 'kurrentdb://127.0.0.1:9?tls=false' });
    const recorder = new KurrentDBApplicationRecorder(connection);
    const snapshots = new KurrentDBSnapshotRecorder(connection);
    open.push(recorder, snapshots);
    const id = randomUUID();

    expect(await recorder.insertEvents([])).toEqual([]);
    const twoAggregates = await rejectionOf(
      recorder.insertEvents([makeEvent(id, 0), makeEvent(randomUUID(), 1)]),
    );
    expect(isProgrammingError(twoAggregates)).toBe(true);
    expect((twoAggregates as Error).message).toMatch(/more than one aggregate/);
    for (const versions of [
      [0, 2],
      [1, 1],
      [2, 1],
    ]) {
      const error = await rejectionOf(recorder.insertEvents(versions.map((v) => makeEvent(id, v))));
      expect(isIntegrityError(error)).toBe(true);
    }
    const notUuid = await rejectionOf(
      recorder.insertEvents([makeEvent(id, 0, { eventId: 'e-1' })]),
    );
    expect(isProgrammingError(notUuid)).toBe(true);
    const negative = await rejectionOf(recorder.insertEvents([makeEvent(id, -1)]));
    expect(isProgrammingError(negative)).toBe(true);

    for (const batch of [[], [makeEvent(id, 0), makeEvent(id, 1)]]) {
      expect(isProgrammingError(await rejectionOf(snapshots.insertEvents(batch)))).toBe(true);
    }
    expect(await snapshots.selectEvents(id, { desc: true, lte: 5 })).toEqual([]);
  });

  it('refuses every malformed event before any I/O (ProgrammingError, not a connection failure)', async () => {
    const connection = new KurrentDBConnection({ uri: 'kurrentdb://127.0.0.1:9?tls=false' });
    const recorder = new KurrentDBApplicationRecorder(connection);
    const snapshots = new KurrentDBSnapshotRecorder(connection);
    open.push(recorder, snapshots);
    const id = randomUUID();
    const batches: Array<[string, unknown]> = [
      ...BAD_EVENT_CASES.map((c): [string, unknown] => [
        c.name,
        [makeEvent(id, 0), c.spoil(makeEvent(id, 1))],
      ]),
      ...BAD_BATCH_CASES.map((c): [string, unknown] => [c.name, c.batch(makeEvent(id, 0))]),
    ];
    for (const [name, batch] of batches) {
      const events = batch as StoredEvent[];
      for (const write of [
        () => recorder.appendEvents(events),
        () => snapshots.appendEvents(Array.isArray(events) ? events.slice(1) : events),
      ]) {
        const error = await rejectionOf(write());
        expect(isProgrammingError(error), `${name}: ${String(error)}`).toBe(true);
      }
    }
    const state = { ...makeEvent(id, 0), state: 'AQID' } as unknown as StoredEvent;
    expect(isProgrammingError(await rejectionOf(recorder.insertEvents([state])))).toBe(true);
  });

  it("refuses originator ids of the snapshot streams' namespace", async () => {
    const recorder = new KurrentDBApplicationRecorder(
      new KurrentDBConnection({ uri: 'kurrentdb://127.0.0.1:9?tls=false' }),
    );
    open.push(recorder);
    const id = `snapshot-$${randomUUID()}`;
    const error = await rejectionOf(recorder.insertEvents([makeEvent(id, 0)]));
    expect(isProgrammingError(error)).toBe(true);
    expect((error as Error).message).toMatch(/snapshot streams/);
    expect(isProgrammingError(await rejectionOf(recorder.deleteStream(id)))).toBe(true);
  });

  it('maps a wrong expected revision to IntegrityError whose cause is the client error', async () => {
    const recorder = new KurrentDBApplicationRecorder(
      new KurrentDBConnection({ uri: inject('kurrentdbUri') }),
    );
    open.push(recorder);
    const id = randomUUID();
    await recorder.insertEvents([makeEvent(id, 0)]);
    for (const batch of [[makeEvent(id, 0)], [makeEvent(id, 5)]]) {
      const error = await rejectionOf(recorder.insertEvents(batch));
      expect(isIntegrityError(error)).toBe(true);
      expect((error as Error).cause).toBeInstanceOf(WrongExpectedVersionError);
    }
  });

  it('gives every event of a batch the commit position of its last event', async () => {
    const recorder = new KurrentDBApplicationRecorder(
      new KurrentDBConnection({ uri: inject('kurrentdbUri') }),
    );
    open.push(recorder);
    const id = randomUUID();
    const start = await recorder.maxNotificationId();
    const ids = await recorder.insertEvents([0, 1, 2].map((v) => makeEvent(id, v)));
    const notifications = (
      await recorder.selectNotifications({ start, inclusiveOfStart: false, limit: 100 })
    ).filter((n) => n.originatorId === id);
    expect(ids).toEqual([0, 1, 2].map(() => notifications[2]?.id));
    expect(notifications[0]?.id).toBeLessThan(notifications[1]?.id as bigint);
    expect(notifications[1]?.id).toBeLessThan(notifications[2]?.id as bigint);
  });
});
