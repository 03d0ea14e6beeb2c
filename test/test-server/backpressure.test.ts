import { randomUUID } from 'node:crypto';
import { binaryEvent, jsonEvent, START } from '@kurrent/kurrentdb-client';
import { describe, expect, it } from 'vitest';
import { useOwnServer } from './support/own-server.js';
import { eventually, openRead, streamsPb } from './support/raw-grpc.js';
import { readRequest, streamFrom } from './support/requests.js';

const own = useOwnServer();

const PAYLOAD = new Uint8Array(2_048).fill(7);

async function appendBurst(stream: string, batches: number, size: number): Promise<void> {
  for (let b = 0; b < batches; b++) {
    await own.client.appendToStream(
      stream,
      Array.from({ length: size }, () => binaryEvent({ type: 'Burst', data: PAYLOAD })),
    );
  }
}

describe('a subscriber that stops reading', () => {
  it('falls behind, catches up again and gets every event exactly once, in order', async () => {
    const stream = `bp-${randomUUID()}`;
    const call = openRead(
      own.raw,
      readRequest((options) => {
        options.setStream(streamFrom(stream));
        options.setSubscription(new streamsPb.ReadReq.Options.SubscriptionOptions());
      }),
    );
    const revisions: number[] = [];
    let caughtUp = 0;
    call.on('data', (bytes: Buffer) => {
      const response = streamsPb.ReadResp.deserializeBinary(new Uint8Array(bytes));
      if (response.hasCaughtUp()) caughtUp++;
      const revision = response.getEvent()?.getEvent()?.getStreamRevision();
      if (revision !== undefined) revisions.push(Number(revision));
    });
    call.on('error', () => undefined);
    await eventually(() => caughtUp === 1);

    call.pause();
    await appendBurst(stream, 30, 100);
    expect(revisions.length).toBeLessThan(3_000);
    call.resume();

    // `caught_up` follows the last event of the catch-up in a later message: wait for both.
    await eventually(() => revisions.length >= 3_000 && caughtUp >= 2, 20_000);
    expect(revisions).toEqual(Array.from({ length: 3_000 }, (_, i) => i));
    expect(caughtUp).toBeGreaterThanOrEqual(2);

    // Live again: a new event arrives right away.
    await own.client.appendToStream(stream, [jsonEvent({ type: 'After', data: {} })]);
    await eventually(() => revisions.length === 3_001);
    call.cancel();
  }, 30_000);

  it('does not stop the server or other readers when it disconnects mid-read', async () => {
    const stream = `bp-${randomUUID()}`;
    await appendBurst(stream, 20, 100);
    const call = openRead(
      own.raw,
      readRequest((options) => {
        options.setStream(streamFrom(stream));
        options.setCount('2000');
      }),
    );
    let received = 0;
    call.on('data', () => {
      received++;
      if (received === 10) call.pause();
    });
    call.on('error', () => undefined);
    await eventually(() => received >= 10);
    call.cancel();

    let read = 0;
    for await (const _ of own.client.readStream(stream, { fromRevision: START })) read++;
    expect(read).toBe(2_000);
  });
});
