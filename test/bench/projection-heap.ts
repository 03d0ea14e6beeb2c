/**
 * Peak heap of a projection catching up over a large backlog, run as a child process by
 * `projection-bench.ts` with
 * `node --expose-gc projection-heap.js <uri> <warm-up backlog JSON> <backlog JSON>`, so the
 * figures hold only the application, the runner and the client (the test server and the backlog
 * it stores stay in the parent's heap).
 *
 * After a warm-up (the raw drain and the runner over a small backlog), three passes over the same
 * backlog, each from a settled (garbage-collected) heap, sampling `heapUsed` every 20 ms (and
 * after each batch), and the live heap (after a forced collection) every 500 ms:
 * 1. the raw client's filtered `subscribeToAll`, counting and parsing (the speed baseline);
 * 2. the `ProjectionRunner` into a memory counters view (bounded buffer: flat memory);
 * 3. holding every notification of the backlog in an array (what an unbounded buffer costs).
 *
 * Prints one JSON line ({@link ProjectionHeapResult}).
 */
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { ProjectionRunner } from '../../src/application/projection-runner.js';
import type { Notification } from '../../src/core/stored-event.js';
import {
  type BenchCountersView,
  BenchCountProjection,
  BenchSchool,
  MemoryBenchCountersView,
} from './bench-counters-view.js';
import { type Backlog, backlogEvents, DOG_TOPICS, decodeBacklog, rawDrain } from './bench-dogs.js';
import { settledHeap } from './bench-stats.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

export interface HeapPass {
  readonly ms: number;
  readonly eventsPerSecond: number;
  /** Peak `heapUsed` while running (garbage included), minus the settled heap before. */
  readonly peakBytes: number;
  /** Peak live heap (sampled after a forced collection every 500 ms), minus the one before. */
  readonly peakLiveBytes: number;
  /** Settled heap at the end (before releasing what the pass holds), minus the one before. */
  readonly retainedBytes: number;
  readonly samples: number;
}

export interface ProjectionHeapResult {
  readonly events: number;
  readonly baseBytes: number;
  readonly raw: HeapPass;
  readonly runner: HeapPass;
  readonly holdAll: HeapPass;
}

/**
 * Samples `heapUsed` every 20 ms (and on `sample()`), and the live heap after a forced collection
 * every 500 ms, until `stop()`; tracks the peaks.
 */
function sampler() {
  let peak = 0;
  let peakLive = 0;
  let samples = 0;
  const sample = () => {
    const used = process.memoryUsage().heapUsed;
    samples++;
    if (used > peak) peak = used;
  };
  const sampleLive = () => {
    sample();
    gc?.();
    const live = process.memoryUsage().heapUsed;
    if (live > peakLive) peakLive = live;
  };
  const timer = setInterval(sample, 20);
  const liveTimer = setInterval(sampleLive, 500);
  return {
    sample,
    stop: () => {
      clearInterval(timer);
      clearInterval(liveTimer);
      sampleLive();
      return { peak, peakLive, samples };
    },
  };
}

/** Runs `work` from a settled heap, sampling; `work` resolves with what it holds at the end. */
async function pass(events: number, work: (sample: () => void) => Promise<unknown>) {
  const base = await settledHeap();
  const s = sampler();
  const started = performance.now();
  let held: unknown = await work(s.sample);
  const ms = performance.now() - started;
  const { peak, peakLive, samples } = s.stop();
  const retained = await settledHeap();
  const result: HeapPass = {
    ms,
    eventsPerSecond: (events * 1000) / ms,
    peakBytes: peak - base,
    peakLiveBytes: peakLive - base,
    retainedBytes: retained - base,
    samples,
  };
  held = undefined;
  return { result, base, held };
}

const [uri, warmUpArg, backlogArg] = process.argv.slice(2);
if (uri === undefined || warmUpArg === undefined || backlogArg === undefined) {
  throw new Error('usage: projection-heap.js <uri> <warm-up backlog JSON> <backlog JSON>');
}
const warmUp = decodeBacklog(warmUpArg);
const backlog = decodeBacklog(backlogArg);
const events = backlogEvents(backlog);
const client = KurrentDBClient.connectionString(uri);
const app = new BenchSchool({
  name: 'projbench',
  env: { PERSISTENCE_MODULE: 'kurrentdb', KURRENTDB_URI: uri },
});
try {
  await rawDrain(client, warmUp);
  await project(warmUp, () => undefined);
  const raw = await pass(events, () => rawDrain(client, backlog));
  const runnerPass = await pass(events, (sample) => project(backlog, sample));
  const holdAll = await pass(events, async (sample) => {
    const all: Notification[] = [];
    const subscription = app.recorder.subscribe({ gt: backlog.after, topics: DOG_TOPICS });
    for await (const notification of subscription) {
      all.push(notification);
      if (all.length % 1000 === 0) sample();
      if (notification.id >= backlog.last) break;
    }
    subscription.stop();
    if (all.length !== events) throw new Error(`held ${all.length} notifications`);
    return all;
  });

  const result: ProjectionHeapResult = {
    events,
    baseBytes: runnerPass.base,
    raw: raw.result,
    runner: runnerPass.result,
    holdAll: holdAll.result,
  };
  console.log(JSON.stringify(result));
} finally {
  await app.close();
  await client.dispose();
}

/** The runner into a fresh memory view, from `backlog.after` to `backlog.last`. */
async function project(backlog: Backlog, sample: () => void): Promise<void> {
  const runner = new ProjectionRunner<BenchSchool, BenchCountersView, BenchCountProjection>({
    application: app,
    projection: BenchCountProjection,
    view: MemoryBenchCountersView,
    env: { COUNTS_PERSISTENCE_MODULE: 'memory' },
    start: false,
    progressLine: false,
  });
  try {
    if (backlog.after > 0n) {
      await runner.view.insertTracking({
        applicationName: app.name,
        notificationId: backlog.after,
      });
    }
    const progress = runner.progress$.subscribe(sample);
    runner.start();
    await runner.wait(backlog.last, { timeout: 180_000 });
    progress.unsubscribe();
    const tricks = await runner.view.getTrickCounter();
    if (tricks < backlog.dogs * (backlog.eventsPerDog - 1)) {
      throw new Error(`runner counted ${tricks} tricks`);
    }
  } finally {
    await runner[Symbol.asyncDispose]();
  }
}
