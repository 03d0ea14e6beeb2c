/**
 * Benchmarks of the `ProjectionRunner` (a projection of a training school on the KurrentDB
 * persistence module, counting dogs and tricks into a view with a tracking record per event)
 * against what a user would write with the raw official client, on the same server in the same
 * run:
 *
 * 1. catching up over a backlog of 20k `Dog` events into a memory view, a SQLite view (a file
 *    in a temporary directory) and a PostgreSQL view (a fresh schema per run), the SQL views at
 *    the runner's default batch size (100 events per view transaction) and at 500 — vs a raw
 *    filtered `subscribeToAll` drain of the same events that counts them and parses their JSON;
 * 2. catching up over 100k events into the memory view, in a child `node --expose-gc`, with the
 *    peak heap while it runs vs the heap of holding all 100k notifications (what the bounded
 *    buffer saves), and the raw drain's speed in the same child.
 *
 * Each view of (1) starts from a fresh view whose tracking record is at the last notification
 * before its backlog (so the subscription starts where the raw one does) and is timed from the
 * runner's start to `runner.wait(lastId)`; building the view (tables, schema) and disposing of it
 * are not timed (a PostgreSQL view gets a fresh schema per run; its statements are written with
 * `trackedStatement`, pipelined within a batch). Each view is paired with a raw drain of the
 * backlog run right before or after it (the order alternating), the pairs' order rotating
 * every run; a view's ratio is the median over the runs of its rate / its paired raw drain's, so
 * both sides of a ratio see the same machine load.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import pg from 'pg';
import type { ViewClass } from '../../src/application/create-view.js';
import { ProjectionRunner } from '../../src/application/projection-runner.js';
import { type PostgresHarness, startPostgresHarness } from '../../src/testing/postgres-harness.js';
import {
  type BenchCountersView,
  BenchCountProjection,
  BenchSchool,
  MemoryBenchCountersView,
  PostgresBenchCountersView,
  SQLiteBenchCountersView,
} from './bench-counters-view.js';
import {
  type Backlog,
  backlogEvents,
  encodeBacklog,
  rawDrain,
  writeBacklog,
} from './bench-dogs.js';
import { median } from './bench-stats.js';
import type { ProjectionHeapResult } from './projection-heap.js';

const RUNS = 5;
const CATCH_UP_DOGS = 200;
const HEAP_DOGS = 1000;
const HEAP_WARM_UP_DOGS = 50;
const EVENTS_PER_DOG = 100;
const WAIT_TIMEOUT_MS = 120_000;
const HEAP_SCRIPT = fileURLToPath(new URL('./projection-heap.js', import.meta.url));

/** One view of the catch-up contest, paired with a raw drain of the same backlog. */
interface Pair {
  readonly label: string;
  readonly backlog: Backlog;
  /** The catch-up: resolves with its milliseconds. */
  readonly run: () => Promise<number>;
  /** The target ratio to the raw drain (0: for information). */
  readonly target: number;
}

export interface CatchUpSide {
  readonly label: string;
  readonly events: number;
  readonly target: number;
  /** events/s of each run, and of the raw drain paired with it. */
  readonly rates: readonly number[];
  readonly rawRates: readonly number[];
  readonly median: number;
  readonly rawMedian: number;
  /** This side's rate / its raw drain's, per run, and their median. */
  readonly ratios: readonly number[];
  readonly ratio: number;
}

export interface ProjectionBenchReport {
  readonly runs: number;
  readonly sides: readonly CatchUpSide[];
  readonly postgres: string | undefined;
  readonly heap: ProjectionHeapResult | undefined;
  readonly load: { readonly before: number; readonly after: number };
  readonly seconds: number;
}

export type ProjectionScenario = 'catchup' | 'heap';
export const PROJECTION_SCENARIOS: readonly ProjectionScenario[] = ['catchup', 'heap'];

async function timed(operation: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await operation();
  return performance.now() - started;
}

/**
 * Catches up over `backlog` with a fresh runner and view (built by `env`), untimed set-up and
 * disposal; checks the counters; resolves with the catch-up's milliseconds.
 */
async function catchUp(
  app: BenchSchool,
  backlog: Backlog,
  view: ViewClass<BenchCountersView>,
  env: Record<string, string>,
  batchSize: number | undefined,
): Promise<number> {
  const runner = new ProjectionRunner<BenchSchool, BenchCountersView, BenchCountProjection>({
    application: app,
    projection: BenchCountProjection,
    view,
    env,
    ...(batchSize === undefined ? {} : { batchSize, highWaterMark: Math.max(1000, batchSize) }),
    start: false,
    progressLine: false,
  });
  try {
    if (backlog.after > 0n) {
      // Also sets up the view's tables: the catch-up starts after the backlog's start.
      await runner.view.insertTracking({
        applicationName: app.name,
        notificationId: backlog.after,
      });
    }
    const ms = await timed(async () => {
      runner.start();
      await runner.wait(backlog.last, { timeout: WAIT_TIMEOUT_MS });
    });
    // At least the backlog: the runner may go on into a later backlog until it is disposed of.
    const dogs = await runner.view.getDogCounter();
    const tricks = await runner.view.getTrickCounter();
    if (dogs < backlog.dogs || tricks < backlog.dogs * (backlog.eventsPerDog - 1)) {
      throw new Error(`${runner.viewModule} view counted ${dogs} dogs and ${tricks} tricks`);
    }
    return ms;
  } finally {
    await runner[Symbol.asyncDispose]();
  }
}

function pairs(
  app: BenchSchool,
  backlog: Backlog,
  dir: string,
  harness: PostgresHarness | undefined,
): Pair[] {
  let file = 0;
  const sqlite = (batchSize: number | undefined): Pair => ({
    label: `SQLite view, batch ${batchSize ?? 100}`,
    backlog,
    target: batchSize === undefined ? 0.5 : 0,
    run: async () => {
      const dbName = join(dir, `view-${file++}.db`);
      try {
        return await catchUp(
          app,
          backlog,
          SQLiteBenchCountersView,
          { COUNTS_PERSISTENCE_MODULE: 'sqlite', COUNTS_SQLITE_DBNAME: dbName },
          batchSize,
        );
      } finally {
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbName}${suffix}`, { force: true });
      }
    },
  });
  const result: Pair[] = [
    {
      label: 'memory view, batch 100',
      backlog,
      target: 0.8,
      run: () =>
        catchUp(
          app,
          backlog,
          MemoryBenchCountersView,
          { COUNTS_PERSISTENCE_MODULE: 'memory' },
          undefined,
        ),
    },
    sqlite(undefined),
    sqlite(500),
  ];
  if (harness === undefined) return result;
  const postgresPair = (batchSize: number | undefined): Pair => ({
    label: `PostgreSQL view, batch ${batchSize ?? 100}`,
    backlog,
    target: batchSize === undefined ? 0.5 : 0,
    run: async () => {
      const schema = `bench_${randomBytes(6).toString('hex')}`;
      try {
        return await catchUp(
          app,
          backlog,
          PostgresBenchCountersView,
          {
            COUNTS_PERSISTENCE_MODULE: 'postgres',
            COUNTS_DATABASE_URL: harness.connectionString,
            COUNTS_POSTGRES_SCHEMA: schema,
          },
          batchSize,
        );
      } finally {
        const admin = new pg.Client({ connectionString: harness.connectionString });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => admin.end());
      }
    },
  });
  result.push(postgresPair(undefined), postgresPair(500));
  return result;
}

/**
 * Run `i`: every pair once, from pair `i` on; within a pair the raw drain goes first in every
 * other turn. Resolves with [view events/s, raw events/s] per pair.
 */
async function run(
  client: KurrentDBClient,
  contest: readonly Pair[],
  i: number,
): Promise<[number, number][]> {
  const rates = contest.map((): [number, number] => [0, 0]);
  for (let k = 0; k < contest.length; k++) {
    const index = (i + k) % contest.length;
    const pair = contest[index] as Pair;
    const events = backlogEvents(pair.backlog);
    const raw = () => timed(() => rawDrain(client, pair.backlog));
    let viewMs: number;
    let rawMs: number;
    if ((i + k) % 2 === 0) {
      rawMs = await raw();
      viewMs = await pair.run();
    } else {
      viewMs = await pair.run();
      rawMs = await raw();
    }
    rates[index] = [(events * 1000) / viewMs, (events * 1000) / rawMs];
  }
  return rates;
}

async function measureHeap(
  uri: string,
  warmUp: Backlog,
  backlog: Backlog,
): Promise<ProjectionHeapResult> {
  const args = ['--expose-gc', HEAP_SCRIPT, uri, encodeBacklog(warmUp), encodeBacklog(backlog)];
  const { stdout } = await promisify(execFile)(process.execPath, args, {
    maxBuffer: 1 << 20,
    timeout: 180_000,
  });
  const line = stdout.trim().split('\n').at(-1);
  if (line === undefined) throw new Error('projection-heap printed nothing');
  return JSON.parse(line) as ProjectionHeapResult;
}

export async function benchProjections(
  uri: string,
  scenarios: readonly ProjectionScenario[] = PROJECTION_SCENARIOS,
  runs = RUNS,
): Promise<ProjectionBenchReport> {
  const started = performance.now();
  const before = loadavg()[0] as number;
  const client = KurrentDBClient.connectionString(uri);
  const app = new BenchSchool({
    name: 'projbench',
    env: { PERSISTENCE_MODULE: 'kurrentdb', KURRENTDB_URI: uri },
  });
  const dir = mkdtempSync(join(tmpdir(), 'projection-bench-'));
  let harness: PostgresHarness | undefined;
  const results: CatchUpSide[] = [];
  let heap: ProjectionHeapResult | undefined;
  try {
    if (scenarios.includes('catchup')) {
      harness = await startPostgresHarness().catch((error: unknown) => {
        console.warn(`PostgreSQL unavailable, skipping its view: ${(error as Error).message}`);
        return undefined;
      });
      const backlog = await writeBacklog(app.recorder, CATCH_UP_DOGS, EVENTS_PER_DOG);
      const contest = pairs(app, backlog, dir, harness);
      await run(client, contest, 0); // warm-up
      const rates: [number, number][][] = contest.map(() => []);
      for (let i = 0; i < runs; i++) {
        (await run(client, contest, i + 1)).forEach((pair, index) => {
          rates[index]?.push(pair);
        });
      }
      contest.forEach((pair, index) => {
        const own = (rates[index] as [number, number][]).map(([view]) => view);
        const raw = (rates[index] as [number, number][]).map(([, r]) => r);
        const ratios = own.map((rate, i) => rate / (raw[i] as number));
        results.push({
          label: pair.label,
          events: backlogEvents(pair.backlog),
          target: pair.target,
          rates: own,
          rawRates: raw,
          median: median(own),
          rawMedian: median(raw),
          ratios,
          ratio: median(ratios),
        });
      });
    }
    if (scenarios.includes('heap')) {
      const warmUp = await writeBacklog(app.recorder, HEAP_WARM_UP_DOGS, EVENTS_PER_DOG);
      const backlog = await writeBacklog(app.recorder, HEAP_DOGS, EVENTS_PER_DOG);
      heap = await measureHeap(uri, warmUp, backlog);
    }
  } finally {
    await app.close();
    await client.dispose();
    await harness?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    runs,
    sides: results,
    postgres: harness?.source,
    heap,
    load: { before, after: loadavg()[0] as number },
    seconds: (performance.now() - started) / 1000,
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** The report as Markdown tables. */
export function formatProjectionReport(report: ProjectionBenchReport): string {
  const lines: string[] = [];
  if (report.sides.length > 0) {
    const rate = (events: number, value: number) =>
      `${fmt(value)} events/s (${((events * 1000) / value).toFixed(0)} ms)`;
    lines.push(
      `Catch-up from a fresh view (a tracking record per event), streams of ${EVENTS_PER_DOG} Dog events, medians of ${report.runs} runs after a warm-up; each view vs a raw filtered subscribeToAll drain (count + JSON.parse) of its backlog right before or after it (PostgreSQL: ${report.postgres ?? 'unavailable'}):`,
      '',
      ...table(
        [
          'backlog',
          'ProjectionRunner →',
          'view (median)',
          'paired raw drain (median)',
          'ratio (runs)',
          'target',
        ],
        report.sides.map((side) => [
          `${fmt(side.events)} events`,
          side.label,
          rate(side.events, side.median),
          rate(side.events, side.rawMedian),
          `${side.ratio.toFixed(2)} [${side.ratios.map((r) => r.toFixed(2)).join(' ')}]`,
          side.target === 0
            ? 'info'
            : side.ratio >= side.target
              ? `ok (≥ ${side.target})`
              : `MISS (< ${side.target})`,
        ]),
      ),
    );
  }
  const heap = report.heap;
  if (heap !== undefined) {
    const row = (label: string, p: (typeof heap)['raw'], ratio: string) => [
      label,
      `${fmt(p.eventsPerSecond)} events/s (${(p.ms / 1000).toFixed(2)} s)`,
      ratio,
      mb(p.peakBytes),
      mb(p.peakLiveBytes),
      mb(p.retainedBytes),
      String(p.samples),
    ];
    lines.push(
      '',
      `Catch-up over ${fmt(heap.events)} events in a child node --expose-gc, after a warm-up (heap settled by gc before each pass, base ${mb(heap.baseBytes)}; heapUsed sampled every 20 ms and per batch, garbage included; live heap sampled after a forced gc every 500 ms):`,
      '',
      ...table(
        [
          'pass',
          'speed',
          'ratio to raw',
          'peak heapUsed growth',
          'peak live heap growth',
          'retained at end',
          'samples',
        ],
        [
          row('raw subscribeToAll drain (count + JSON.parse)', heap.raw, '1.00'),
          row(
            'ProjectionRunner → memory view (bounded buffer, hwm 1000)',
            heap.runner,
            (heap.runner.eventsPerSecond / heap.raw.eventsPerSecond).toFixed(2),
          ),
          row(
            'recorder.subscribe, holding all notifications',
            heap.holdAll,
            (heap.holdAll.eventsPerSecond / heap.raw.eventsPerSecond).toFixed(2),
          ),
        ],
      ),
      '',
      `Runner peak live heap growth: ${mb(heap.runner.peakLiveBytes)}, ${((heap.runner.peakLiveBytes / heap.holdAll.retainedBytes) * 100).toFixed(1)}% of what holding the ${fmt(heap.events)} notifications retains (${mb(heap.holdAll.retainedBytes)}, ${fmt(heap.holdAll.retainedBytes / heap.events)} B each).`,
    );
  }
  lines.push(
    '',
    `load average (1 min): ${report.load.before.toFixed(2)} before, ${report.load.after.toFixed(2)} after; section took ${report.seconds.toFixed(0)} s`,
  );
  return lines.join('\n');
}
