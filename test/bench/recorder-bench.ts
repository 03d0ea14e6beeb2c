/**
 * Benchmarks of the KurrentDB recorders against the raw official client on the same server in
 * the same run.
 *
 * The two sides take turns operation by operation (one append call, one 10k-event read, one
 * catch-up subscription), each side going first in every other turn, and each operation is timed
 * on its own. A run adds up each side's times over its operations; the reported ratio is the
 * median over the runs of (recorder rate / raw rate), 1.0 meaning no overhead. Taking turns this
 * finely puts both sides under the same machine load, which on a shared machine varies far more
 * between runs than the recorders' overhead does.
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

const STATE = new TextEncoder().encode(
  JSON.stringify({ amount: 10, currency: 'EUR', note: 'x'.repeat(60) }),
);

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

/** One operation of a side: resolves when done. */
type Operation = () => Promise<void>;

/** What one measurement compares. */
interface Contest {
  /** Items (events) one operation handles. */
  readonly items: number;
  /** Operations of each side per run (even: each side goes first equally often). */
  readonly turns: number;
  /** A fresh sequence of raw-client operations for one run. */
  readonly raw: () => Operation;
  /** A fresh sequence of recorder operations for one run. */
  readonly ours: () => Operation;
}

/**
 * Runs per measurement of appends (after one warm-up run). A run of appends holds thousands of
 * calls per side; a run of reads or subscriptions holds only a few operations per side, whose
 * times vary more (reads most), so those measurements get twice as many runs (less one, to keep
 * the count odd), and reads twice as many operations per run.
 */
const DEFAULT_RUNS = 9;

async function timed(operation: Operation): Promise<number> {
  const started = performance.now();
  await operation();
  return performance.now() - started;
}

/** One run: the rates (items per second) of the raw side and of the recorder. */
async function run(contest: Contest): Promise<[raw: number, ours: number]> {
  const raw = contest.raw();
  const ours = contest.ours();
  let rawMs = 0;
  let oursMs = 0;
  for (let turn = 0; turn < contest.turns; turn++) {
    if (turn % 2 === 0) {
      rawMs += await timed(raw);
      oursMs += await timed(ours);
    } else {
      oursMs += await timed(ours);
      rawMs += await timed(raw);
    }
  }
  const items = contest.items * contest.turns * 1000;
  return [items / rawMs, items / oursMs];
}

async function measure(
  name: string,
  unit: string,
  runs: number,
  contest: Contest,
): Promise<RatioResult> {
  await run(contest); // warm-up
  const raw: number[] = [];
  const ours: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < runs; i++) {
    const [r, o] = await run(contest);
    raw.push(r);
    ours.push(o);
    ratios.push(o / r);
  }
  return {
    name,
    unit,
    raw,
    ours,
    ratios,
    rawMedian: median(raw),
    oursMedian: median(ours),
    ratio: median(ratios),
  };
}

/** Appends of `size` events per call, each side to a new stream per run. */
function appendContest(
  client: KurrentDBClient,
  recorder: KurrentDBApplicationRecorder,
  size: number,
  turns: number,
): Contest {
  return {
    items: size,
    turns,
    raw: () => {
      const stream = `bench-raw-${randomUUID()}`;
      let calls = 0;
      return async () => {
        const events = Array.from({ length: size }, rawEvent);
        await client.appendToStream(stream, events, {
          streamState: calls === 0 ? NO_STREAM : BigInt(calls * size - 1),
        });
        calls += 1;
      };
    },
    ours: () => {
      const id = `bench-rec-${randomUUID()}`;
      let calls = 0;
      return async () => {
        const first = calls * size;
        await recorder.insertEvents(
          Array.from({ length: size }, (_, i) => storedEvent(id, first + i)),
        );
        calls += 1;
      };
    },
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

export async function benchRecorders(uri: string, runs = DEFAULT_RUNS): Promise<RatioResult[]> {
  const longRuns = 2 * runs - 1;
  const client = KurrentDBClient.connectionString(uri);
  const connection = new KurrentDBConnection({ uri });
  const recorder = new KurrentDBApplicationRecorder(connection);
  try {
    const results: RatioResult[] = [];
    results.push(
      await measure(
        'insertEvents, 1 event per call vs appendToStream',
        'events/s',
        runs,
        appendContest(client, recorder, 1, 2000),
      ),
    );
    results.push(
      await measure(
        'insertEvents, 10 events per call vs appendToStream',
        'events/s',
        runs,
        appendContest(client, recorder, 10, 500),
      ),
    );

    const readCount = 10_000;
    const stream = await fillStream(recorder, readCount);
    results.push(
      await measure('selectEvents of a 10k-event stream vs readStream', 'events/s', longRuns, {
        items: readCount,
        turns: 4,
        raw: () => async () => {
          let n = 0;
          for await (const _ of client.readStream(stream, {
            fromRevision: START,
            direction: FORWARDS,
          }))
            n++;
          if (n !== readCount) throw new Error(`raw read ${n} events`);
        },
        ours: () => async () => {
          const events = await recorder.selectEvents(stream);
          if (events.length !== readCount) throw new Error(`selectEvents read ${events.length}`);
        },
      }),
    );

    // Subscriptions: catch up over the 10k events written after a marker, then stop.
    const subCount = 10_000;
    const before = await recorder.maxNotificationId();
    const marker = await lastPosition(client);
    await fillStream(recorder, subCount);
    results.push(
      await measure('subscribe (catch-up of 10k) vs subscribeToAll', 'events/s', longRuns, {
        items: subCount,
        turns: 2,
        raw: () => async () => {
          const sub = client.subscribeToAll({
            fromPosition: marker,
            filter: excludeSystemEvents(),
          });
          let n = 0;
          for await (const resolved of sub) {
            if (resolved.event?.streamId.startsWith('bench-read-')) n++;
            if (n === subCount) break;
          }
          // Not awaited, like the recorder's own clean-up after stop().
          sub.unsubscribe().catch(() => undefined);
        },
        ours: () => async () => {
          const sub = recorder.subscribe({ gt: before });
          let n = 0;
          for await (const notification of sub) {
            if (notification.originatorId.startsWith('bench-read-')) n++;
            if (n === subCount) break;
          }
          sub.stop();
        },
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
  for await (const resolved of client.readAll({
    fromPosition: END,
    direction: BACKWARDS,
    maxCount: 1,
  })) {
    if (resolved.event?.position) return resolved.event.position;
  }
  return START;
}
