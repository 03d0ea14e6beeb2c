import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemorySnapshotRecorder } from '../../../src/adapters/memory/index.js';
import type { StoredEvent } from '../../../src/core/stored-event.js';

const snapshot = (originatorId: string, version: number): StoredEvent => ({
  originatorId,
  originatorVersion: version,
  topic: 'test:Aggregate.Snapshot',
  state: new Uint8Array([version]),
  metadata: {},
  eventId: randomUUID(),
});

describe('MemorySnapshotRecorder', () => {
  it('filters ascending reads by originator version', async () => {
    const recorder = new MemorySnapshotRecorder();
    const id = randomUUID();
    for (const v of [2, 4, 9]) await recorder.insertEvents([snapshot(id, v)]);
    const versions = async (o: Parameters<MemorySnapshotRecorder['selectEvents']>[1]) =>
      (await recorder.selectEvents(id, o)).map((s) => s.originatorVersion);
    await expect(versions({ gt: 2, lte: 9 })).resolves.toEqual([4, 9]);
    await expect(versions({ lte: 4 })).resolves.toEqual([2, 4]);
    await expect(versions({ desc: true, gt: 2 })).resolves.toEqual([9, 4]);
  });

  it('never resolves a write with notification ids', async () => {
    const recorder = new MemorySnapshotRecorder();
    await expect(recorder.insertEvents([snapshot(randomUUID(), 1)])).resolves.toEqual([]);
  });
});
