import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import {
  createKurrentDBRecorders,
  KurrentDBApplicationRecorder,
  KurrentDBConnection,
} from '../../../src/adapters/kurrentdb/index.js';
import { isProgrammingError } from '../../../src/core/errors.js';
import { makeEvent, rejectionOf, within } from '../../../src/testing/contract/fixtures.js';

const uri = inject('kurrentdbUri');

describe('KurrentDB connection lifecycle', () => {
  it('closes the shared connection when the last recorder closes', async () => {
    const { connection, applicationRecorder, snapshotRecorder } = createKurrentDBRecorders({ uri });
    const id = randomUUID();
    await applicationRecorder.insertEvents([makeEvent(id, 0)]);
    await snapshotRecorder.close();
    expect(connection.closed).toBe(false);
    expect(await applicationRecorder.selectEvents(id)).toHaveLength(1);
    await applicationRecorder.close();
    expect(connection.closed).toBe(true);
    const error = await rejectionOf(applicationRecorder.selectEvents(id));
    expect(isProgrammingError(error)).toBe(true);
    expect(() => new KurrentDBApplicationRecorder(connection)).toThrow(/closed/);
  });

  it('refuses a closed recorder while another keeps the shared connection open', async () => {
    const { connection, applicationRecorder, snapshotRecorder } = createKurrentDBRecorders({ uri });
    const id = randomUUID();
    await applicationRecorder.close();
    expect(connection.closed).toBe(false);
    for (const call of [
      () => applicationRecorder.insertEvents([makeEvent(id, 0)]),
      () => applicationRecorder.selectEvents(id),
      () => applicationRecorder.maxNotificationId(),
    ]) {
      const error = await rejectionOf(call());
      expect(isProgrammingError(error)).toBe(true);
      expect((error as Error).message).toBe('KurrentDBApplicationRecorder is closed');
    }
    await snapshotRecorder.insertEvents([makeEvent(id, 3)]);
    expect(await snapshotRecorder.selectEvents(id)).toHaveLength(1);
    await snapshotRecorder.close();
    expect(connection.closed).toBe(true);
  });

  it('ends an open subscription when the recorder is closed', async () => {
    const recorder = new KurrentDBApplicationRecorder(new KurrentDBConnection({ uri }));
    const subscription = recorder.subscribe({ gt: await recorder.maxNotificationId() });
    const pending = subscription[Symbol.asyncIterator]().next(); // waits for new events
    await new Promise((resolve) => setTimeout(resolve, 100));
    await recorder.close();
    expect(await within(5_000, 'the subscription to end', pending)).toEqual({
      done: true,
      value: undefined,
    });
    expect(subscription.stopped).toBe(true);
  });
});
