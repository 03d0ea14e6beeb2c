/**
 * Benchmarks of the KurrentDB recorders against the raw official client on the same server in
 * the same run. Each measurement alternates raw and recorder runs and reports the median
 * throughput of each and the median of the per-pair ratios (recorder / raw; 1.0 = no overhead).
 */
import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  binaryEvent,
  END,
  excludeSystemEvents,
  FORWARDS,
  KurrentDBClient,
  NO_STREAM,
  START,
} from '@kurrent/kurrentdb-client';
import { KurrentDBApplicationRecorder } from '../../src/adapters/kurrentdb/kurrentdb-application-recorder.js';
import { KurrentDBConnection } from '../../src/adapters/kurrentdb/kurrentdb-connection.js';
import type { StoredEvent } from '../../src/core/stored-event.js';
import { median, type RatioResult } from './bench-stats.js';

const STATE = new TextEncoder().encode(JSON.stringify({ amount: 10, currency: 'EUR', note: 'x'.repeat(60) }));

function storedEvent(originatorId: string, version: number): StoredEvent {
  return {
    originatorId,
    originatorVersion: version,
    topic: 'Bench.Happened',
    state: STATE,
    metadata: { userId: 'bench' },
    eventId: randomUUID(),
  };
}

function rawEvent() {
  return binaryEvent({ type: 'Bench.Happened', data: STATE, metadata: { userId: 'bench' } });
}

async function rate(count: number, body: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await body();
  return count / ((performance.now() - started) / 1000);
}

interface Pair {
  raw: () => Promise<number>;
  ours: () => Promise<number>;
}

async function measure(name: string, unit: string, runs: number, pair: Pair): Promise<RatioResult> {
  await pair.raw();
  await pair.ours(); // warm-up
  const raw: number[] = [];
  const ours: number[] = [];
  for (let i = 0; i < runs; i++) {
    raw.push(await pair.raw());
    ours.push(await pair.ours());
  }
  const ratios = ours.map((o, i) => o / (raw[i] ?? o));
  return { name, unit, raw, ours, rawMedian: median(raw), oursMedian: median(ours), ratio: median(ratios) };
}

/** Appends `calls` sequential batches of `size` events to one new stream. */
function appendPair(client: KurrentDBClient, recorder: KurrentDBApplicationRecorder, size: number, calls: number): Pair {
  return {
    raw: () =>
      rate(calls * size, async () => {
        const stream = `bench-raw-${randomUUID()}`;
        for (let c = 0; c < calls; c++) {
          const events = Array.from({ length: size }, rawEvent);
          await client.appendToStream(stream, events, {
            streamState: c === 0 ? NO_STREAM : BigInt(c * size - 1),
          });
        }
      }),
    ours: () =>
      rate(calls * size, async () => {
        const id = `bench-rec-${randomUUID()}`;
        for (let c = 0; c < calls; c++) {
          await recorder.insertEvents(
            Array.from({ length: size }, (_, i) => storedEvent(id, c * size + i)),
          );
        }
      }),
  };
}

/** Fills a stream of `count` events and returns its name. */
async function fillStream(recorder: KurrentDBApplicationRecorder, count: number): Promise<string> {
  const id = `bench-read-${randomUUID()}`;
  for (let v = 0; v < count; v += 500) {
    const size = Math.min(500, count - v);
    await recorder.insertEvents(Array.from({ length: size }, (_, i) => storedEvent(id, v + i)));
  }
  return id;
}

export async function benchRecorders(uri: string, runs = 5): Promise<RatioResult[]> {
  const client = KurrentDBClient.connectionString(uri);
  const connection = new KurrentDBConnection({ uri });
  const recorder = new KurrentDBApplicationRecorder(connection);
  try {
    const results: RatioResult[] = [];
    results.push(await measure('insertEvents, 1 event per call vs appendToStream', 'events/s', runs, appendPair(client, recorder, 1, 300)));
    results.push(await measure('insertEvents, 10 events per call vs appendToStream', 'events/s', runs, appendPair(client, recorder, 10, 100)));

    const readCount = 10_000;
    const stream = await fillStream(recorder, readCount);
    results.push(
      await measure('selectEvents of a 10k-event stream vs readStream', 'events/s', runs, {
        raw: () =>
          rate(readCount, async () => {
            let n = 0;
            for await (const _ of client.readStream(stream, { fromRevision: START, direction: FORWARDS })) n++;
            if (n !== readCount) throw new Error(`raw read ${n} events`);
          }),
        ours: () =>
          rate(readCount, async () => {
            const events = await recorder.selectEvents(stream);
            if (events.length !== readCount) throw new Error(`selectEvents read ${events.length}`);
          }),
      }),
    );

    // Subscriptions: catch up over the 10k events written after a marker, then stop.
    const subCount = 10_000;
    const before = await recorder.maxNotificationId();
    const marker = await lastPosition(client);
    await fillStream(recorder, subCount);
    results.push(
      await measure('subscribe (catch-up of 10k) vs subscribeToAll', 'events/s', runs, {
        raw: () =>
          rate(subCount, async () => {
            const sub = client.subscribeToAll({ fromPosition: marker, filter: excludeSystemEvents() });
            let n = 0;
            for await (const resolved of sub) {
              if (resolved.event?.streamId.startsWith('bench-read-')) n++;
              if (n === subCount) break;
            }
            await sub.unsubscribe();
          }),
        ours: () =>
          rate(subCount, async () => {
            const sub = recorder.subscribe({ gt: before });
            let n = 0;
            for await (const notification of sub) {
              if (notification.originatorId.startsWith('bench-read-')) n++;
              if (n === subCount) break;
            }
            sub.stop();
          }),
      }),
    );
    return results;
  } finally {
    await recorder.close();
    await connection.close();
    await client.dispose();
  }
}

async function lastPosition(client: KurrentDBClient) {
  for await (const resolved of client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 })) {
    if (resolved.event?.position) return resolved.event.position;
  }
  return START;
}
