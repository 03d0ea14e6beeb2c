/**
 * Backpressure end to end: a 50k-event backlog consumed by a consumer at least 100× slower than
 * the producer, through `pullBatches`, from the KurrentDB recorder (gRPC `$all` subscription)
 * and from the in-memory recorder. The in-process buffer stays within its high-water mark, the
 * retained heap stays far below what the backlog takes, and every event arrives once, in order.
 *
 * A second part shows where the pull reaches the wire: the official client's subscription
 * stream, left unread, stops taking messages from gRPC after a few dozen events.
 */
import type { Readable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KurrentDBApplicationRecorder,
  KurrentDBConnection,
} from '../../src/adapters/kurrentdb/index.js';
import { notificationFilter } from '../../src/adapters/kurrentdb/notification-filter.js';
import { MemoryApplicationRecorder } from '../../src/adapters/memory/index.js';
import type { ApplicationRecorder } from '../../src/core/application-recorder.js';
import type { Notification, StoredEvent } from '../../src/core/stored-event.js';
import type { BufferStats } from '../../src/runtime/projection/bounded-buffer.js';
import { type Batch, pullBatches } from '../../src/runtime/projection/pull-batches.js';
import { makeEvent, newOriginatorId, uniqueTopic } from '../../src/testing/contract/fixtures.js';
import {
  type KurrentDBTestServer,
  startKurrentDBTestServer,
} from '../../src/testing/test-server/start-test-server.js';

// A KurrentDB test server of this file's own: 70k events would slow every other test file that
// reads $all from the start on the shared one.
let server: KurrentDBTestServer | undefined;
beforeAll(async () => {
  server = await startKurrentDBTestServer();
});
afterAll(async () => {
  await server?.stop();
});
const uri = (): string => {
  if (server === undefined) throw new Error('the test server starts in beforeAll');
  return server.uri;
};

const BACKLOG = 50_000;
const PER_CALL = 500;
const BATCH_SIZE = 100;
const HIGH_WATER_MARK = 1_000;
/** The consumer is at least this much slower per item than the producer. */
const SLOWDOWN = 100;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The heap still in use after a full collection. */
function retainedHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** The (protected) function the client's subscription converts each gRPC event with. */
type Convert = (event: unknown) => unknown;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

interface RecorderFactory {
  readonly name: string;
  create(): ApplicationRecorder & { close(): Promise<void> };
}

const factories: RecorderFactory[] = [
  {
    name: 'KurrentDB',
    create: () => new KurrentDBApplicationRecorder(new KurrentDBConnection({ uri: uri() })),
  },
  { name: 'memory', create: () => new MemoryApplicationRecorder() },
];

/** Writes the backlog, `PER_CALL` events per `insertEvents`, one stream after the other. */
async function writeBacklog(recorder: ApplicationRecorder, topic: string): Promise<string[]> {
  const eventIds: string[] = [];
  for (let written = 0; written < BACKLOG; written += PER_CALL) {
    const id = newOriginatorId();
    const events: StoredEvent[] = Array.from({ length: PER_CALL }, (_, version) =>
      makeEvent(id, version, { topic }),
    );
    await recorder.insertEvents(events);
    for (const event of events) eventIds.push(event.eventId);
  }
  return eventIds;
}

/** What a consumption run reports, as it happens. */
interface ConsumeHooks {
  /** A batch arrived (before the consumer works on it). */
  readonly onBatch?: (batch: Batch<Notification>, index: number) => void;
  /** The consumer finished a batch (just before acknowledging it). */
  readonly onDone?: (batch: Batch<Notification>) => void;
  readonly onBufferChange?: (stats: BufferStats) => void;
}

/** Consumes `BACKLOG` notifications; `pace(batchIndex)` is how long the consumer works on each. */
function consume(
  recorder: ApplicationRecorder,
  options: { gt: bigint; topic: string; pace: (batch: number) => number },
  hooks: ConsumeHooks = {},
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let received = 0;
    let index = 0;
    const run = pullBatches(recorder.subscribe({ gt: options.gt, topics: [options.topic] }), {
      batchSize: BATCH_SIZE,
      highWaterMark: HIGH_WATER_MARK,
      ...(hooks.onBufferChange === undefined ? {} : { onBufferChange: hooks.onBufferChange }),
    }).subscribe({
      next: (batch) => {
        const current = index++;
        hooks.onBatch?.(batch, current);
        received += batch.items.length;
        const finish = () => {
          hooks.onDone?.(batch);
          batch.done();
          if (received >= BACKLOG) {
            run.unsubscribe();
            resolve();
          }
        };
        const ms = options.pace(current);
        if (ms > 0) setTimeout(finish, ms);
        else finish();
      },
      error: reject,
    });
  });
}

describe.each(factories)('backpressure from the $name recorder', (factory) => {
  let recorder: ApplicationRecorder & { close(): Promise<void> };
  const topic = uniqueTopic('backpressure');
  let gt = 0n;
  let written: string[] = [];

  beforeAll(async () => {
    recorder = factory.create();
    gt = await recorder.maxNotificationId();
    const started = performance.now();
    written = await writeBacklog(recorder, topic);
    console.log(
      `[backpressure:${factory.name}] wrote ${BACKLOG} events in ${Math.round(performance.now() - started)} ms`,
    );
  }, 60_000);

  afterAll(async () => {
    await recorder?.close();
  });

  it('a consumer 100× slower than the producer keeps the buffer and the heap bounded', async () => {
    // 1. The producer at full speed, and what holding the whole backlog takes: a fast consumer
    //    that keeps an independent copy of every notification.
    const baseline = retainedHeap();
    let kept: Notification[] = [];
    const fastStart = performance.now();
    await consume(
      recorder,
      { gt, topic, pace: () => 0 },
      {
        onBatch: (batch) => {
          for (const n of batch.items) kept.push(structuredClone(n));
        },
      },
    );
    const fastMs = performance.now() - fastStart;
    expect(kept).toHaveLength(BACKLOG);
    const backlogHeap = retainedHeap() - baseline;
    kept = [];
    const perItemMs = fastMs / BACKLOG;

    // 2. A consumer ≥ 100× slower per item, for longer than the producer needs for the whole
    //    backlog (so without backpressure everything would be read ahead), then fast to the end.
    const slowBatchMs = Math.max(2, Math.ceil(SLOWDOWN * perItemMs * BATCH_SIZE));
    const slowPhaseMs = Math.min(12_000, Math.max(2_000, 1.5 * fastMs));
    const slowBatches = Math.ceil(slowPhaseMs / slowBatchMs);
    const heapBefore = retainedHeap();
    let maxBuffered = 0;
    let maxInProcess = 0;
    let outstanding = 0;
    let acknowledged = 0;
    let maxReadAhead = 0;
    let heapPeakDuringSlow = 0;
    const ids: bigint[] = [];
    const eventIds: string[] = [];
    const slowStart = performance.now();
    let slowEnd = 0;
    await consume(
      recorder,
      { gt, topic, pace: (i) => (i < slowBatches ? slowBatchMs : 0) },
      {
        onBatch: (batch, index) => {
          outstanding = batch.items.length;
          for (const n of batch.items) {
            ids.push(n.id);
            eventIds.push(n.eventId);
          }
          if (index < slowBatches && index % 4 === 3) {
            heapPeakDuringSlow = Math.max(heapPeakDuringSlow, retainedHeap() - heapBefore);
          }
          if (index === slowBatches) slowEnd = performance.now();
        },
        onDone: (batch) => {
          acknowledged += batch.items.length;
          outstanding = 0;
        },
        onBufferChange: (stats) => {
          maxBuffered = Math.max(maxBuffered, stats.size);
          maxInProcess = Math.max(maxInProcess, stats.size + outstanding);
          // Items pulled from the source beyond those the consumer finished.
          if (performance.now() - slowStart < slowPhaseMs) {
            maxReadAhead = Math.max(maxReadAhead, stats.read - acknowledged);
          }
        },
      },
    );

    console.log(
      [
        `[backpressure:${factory.name}] producer ${fastMs.toFixed(0)} ms for ${BACKLOG} (${(perItemMs * 1000).toFixed(1)} µs/item);`,
        `consumer ${slowBatchMs} ms per batch of ${BATCH_SIZE} (${Math.round((slowBatchMs / BATCH_SIZE / perItemMs) * 10) / 10}× slower) for ${slowBatches} batches (${Math.round(slowEnd - slowStart)} ms);`,
        `buffer peak ${maxBuffered} (high-water mark ${HIGH_WATER_MARK}), buffer + batch peak ${maxInProcess}, read ahead of the consumer ≤ ${maxReadAhead};`,
        `retained heap growth while slow ≤ ${mb(heapPeakDuringSlow)}, holding the backlog ${mb(backlogHeap)} (${((heapPeakDuringSlow / backlogHeap) * 100).toFixed(1)} %)`,
      ].join(' '),
    );

    expect(slowBatchMs / BATCH_SIZE).toBeGreaterThanOrEqual(SLOWDOWN * perItemMs);
    expect(maxBuffered).toBeLessThanOrEqual(HIGH_WATER_MARK);
    expect(maxInProcess).toBeLessThanOrEqual(HIGH_WATER_MARK + BATCH_SIZE);
    expect(maxReadAhead).toBeLessThanOrEqual(HIGH_WATER_MARK + BATCH_SIZE);
    expect(heapPeakDuringSlow).toBeLessThan(0.25 * backlogHeap);
    // Exactly once and in order.
    expect(eventIds).toEqual(written);
    expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] as bigint))).toBe(true);
  }, 60_000);
});

describe('the official client subscription pauses the gRPC stream while unread', () => {
  it('takes a few dozen events from the wire, then waits; all the rest follows when read', async () => {
    const recorder = new KurrentDBApplicationRecorder(new KurrentDBConnection({ uri: uri() }));
    const client = KurrentDBClient.connectionString(uri());
    try {
      const topic = uniqueTopic('paused-stream');
      const before = await recorder.maxNotificationId();
      const total = 20_000;
      for (let written = 0; written < total; written += PER_CALL) {
        const id = newOriginatorId();
        await recorder.insertEvents(
          Array.from({ length: PER_CALL }, (_, v) => makeEvent(id, v, { topic })),
        );
      }
      const subscription = client.subscribeToAll({
        fromPosition: { commit: before, prepare: before },
        filter: notificationFilter([topic]),
      });
      subscription.on('error', () => undefined);
      // The gRPC call's own stream is piped into the subscription (a Transform).
      let grpc: Readable | undefined;
      const readable = subscription as unknown as Readable;
      readable.on('pipe', (source) => {
        grpc = source;
      });
      // Every event the Transform converted: each one has been taken off the gRPC stream.
      let converted = 0;
      const converting = subscription as unknown as { convertGrpcEvent: Convert };
      const convert = converting.convertGrpcEvent;
      converting.convertGrpcEvent = (event) => {
        converted++;
        return convert(event);
      };
      // Nobody reads: the Readable fills up to its highWaterMark, then the pipe stops.
      readable.pause();
      await sleep(1_500);
      const paused = {
        converted,
        subscriptionBuffered: readable.readableLength,
        transformInput: (subscription as unknown as { writableLength: number }).writableLength,
        grpcBuffered: grpc?.readableLength ?? -1,
        highWaterMark: readable.readableHighWaterMark,
      };
      await sleep(1_000);
      const stillPaused = converted;

      let read = 0;
      for await (const _ of readable) {
        read++;
        if (read >= total) break;
      }
      console.log(
        `[backpressure:wire] unread for 2.5 s: ${paused.converted} of ${total} events taken from gRPC (then ${stillPaused}); buffered: subscription ${paused.subscriptionBuffered} (highWaterMark ${paused.highWaterMark}), transform input ${paused.transformInput}, gRPC call stream ${paused.grpcBuffered}; read afterwards: ${read}`,
      );
      expect(grpc).toBeDefined();
      expect(paused.converted).toBeLessThan(200);
      expect(stillPaused).toBe(paused.converted);
      expect(read).toBe(total);
      await subscription.unsubscribe();
    } finally {
      await client.dispose();
      await recorder.close();
    }
  }, 60_000);
});
