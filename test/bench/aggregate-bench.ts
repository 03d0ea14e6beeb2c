/**
 * Benchmarks of the aggregate runtime (an `Application` on the KurrentDB persistence module)
 * against what a user would write by hand with the raw official client, on the same server in
 * the same run:
 *
 * 1. commands on one aggregate, one at a time, through the held actor (`execute`) — and through
 *    `repository.get` + `execute` — vs `appendToStream` of the same event with a cached revision;
 * 2. commands on 100 aggregates, 20 in flight (20 workers, each round-robin over its 5
 *    aggregates, so globally round-robin) vs the same appends to 100 streams, 20 in flight;
 * 3. rehydrating a 10k-event aggregate from a cold cache (`repository.get`) vs `readStream` +
 *    `JSON.parse` + a fold through XState's pure `transition()` of the same machine, and vs a
 *    plain reducer fold (so the cost of XState itself shows);
 * 4. the same rehydration from a snapshot vs a full replay (the snapshot side averaged over 10
 *    cold loads per operation);
 * 5. heap per cached aggregate (live and passivated), in a child `node --expose-gc`;
 * 6. commands on one aggregate, one at a time, through an aggregate actor spawned by a parent
 *    machine (`fromAggregate`: the parent sends each command with `sendTo` and waits for its
 *    reply) vs `execute` on the repository's actor.
 *
 * As in `recorder-bench.ts`, the sides take turns operation by operation (for the concurrent
 * measurement, chunk by chunk), the side going first rotating every turn; each run adds up each
 * side's times, and a ratio is the median over the runs of the per-run ratio of rates.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FORWARDS, jsonEvent, KurrentDBClient, NO_STREAM, START } from '@kurrent/kurrentdb-client';
import {
  type Actor,
  type AnyMachineSnapshot,
  createActor,
  initialTransition,
  sendTo,
  setup,
  spawnChild,
  transition,
  waitFor,
} from 'xstate';
import { Application } from '../../src/application/application.js';
import {
  type AggregateLogicSnapshot,
  type AggregateReplyEvent,
  fromAggregate,
} from '../../src/application/from-aggregate.js';
import type { StoredEvent } from '../../src/core/stored-event.js';
import type { AggregateActor } from '../../src/runtime/aggregate/aggregate-actor.js';
import { Counter, counterMachine } from '../support/counter.js';
import { median } from './bench-stats.js';

/** One timed operation of a side: resolves with the milliseconds it took (set-up excluded). */
type Operation = () => Promise<number>;

interface Side {
  readonly label: string;
  /** Prepares a run (untimed) and gives its operation. */
  readonly start: () => Promise<Operation>;
  /** Takes part in one turn of every `every` (a slow side, to keep runs short). @defaultValue 1 */
  readonly every?: number;
}

/** `numerator / denominator` of two sides' rates, with the target it should reach. */
interface RatioSpec {
  readonly label: string;
  readonly numerator: number;
  readonly denominator: number;
  readonly target: number;
}

interface Contest {
  /** Items (commands, events) one operation handles. */
  readonly items: number;
  /** Operations of each side per run: a multiple of the number of sides, for fair rotation. */
  readonly turns: number;
  readonly sides: readonly Side[];
  readonly ratios: readonly RatioSpec[];
}

export interface SideResult {
  readonly label: string;
  /** Rate (items/s) of each run. */
  readonly runs: readonly number[];
  readonly median: number;
}

export interface AggregateRatio extends RatioSpec {
  readonly ratios: readonly number[];
  /** Median of the per-run ratios. */
  readonly ratio: number;
}

export interface AggregateBenchResult {
  readonly name: string;
  readonly unit: string;
  readonly items: number;
  readonly sides: readonly SideResult[];
  readonly ratios: readonly AggregateRatio[];
}

export interface HeapResult {
  readonly module: string;
  readonly count: number;
  readonly createMs: number;
  readonly contextBytes: number;
  readonly liveTotalBytes: number;
  readonly passiveTotalBytes: number;
  readonly liveBytes: number;
  readonly passiveBytes: number;
}

export interface AggregateBenchReport {
  readonly results: readonly AggregateBenchResult[];
  readonly heap: HeapResult | undefined;
  readonly load: { readonly before: number; readonly after: number };
}

const RUNS = 5;
const SEQUENTIAL_COMMANDS = 1998;
const AGGREGATES = 100;
const WORKERS = 20;
const CONCURRENT_CHUNK = 200;
const CONCURRENT_TURNS = 12;
const REPLAY_EVENTS = 10_000;
/** Snapshot loads averaged per timed operation (see `coldGet`). */
const SNAPSHOT_GETS_PER_OPERATION = 10;
const HEAP_SCRIPT = fileURLToPath(new URL('./aggregate-heap.js', import.meta.url));

const INCREMENT = { type: 'increment' } as const;
const decoder = new TextDecoder();

function rawIncremented() {
  return jsonEvent({
    type: 'Counter.Incremented',
    data: { by: 1 },
    metadata: { schemaVersion: 1 },
  });
}

function rawStarted() {
  return jsonEvent({ type: 'Counter.Started', data: {}, metadata: { schemaVersion: 1 } });
}

async function timed(operation: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await operation();
  return performance.now() - started;
}

async function run(contest: Contest): Promise<number[]> {
  const operations: Operation[] = [];
  for (const side of contest.sides) operations.push(await side.start());
  const ms = contest.sides.map(() => 0);
  const ops = contest.sides.map(() => 0);
  const n = operations.length;
  for (let turn = 0; turn < contest.turns; turn++) {
    for (let k = 0; k < n; k++) {
      const index = (turn + k) % n;
      if (turn % (contest.sides[index]?.every ?? 1) !== 0) continue;
      ms[index] = (ms[index] as number) + (await (operations[index] as Operation)());
      ops[index] = (ops[index] as number) + 1;
    }
  }
  return ms.map((total, index) => (contest.items * (ops[index] as number) * 1000) / total);
}

async function measure(
  name: string,
  unit: string,
  runs: number,
  contest: Contest,
): Promise<AggregateBenchResult> {
  await run(contest); // warm-up
  const rates: number[][] = contest.sides.map(() => []);
  for (let i = 0; i < runs; i++) {
    const r = await run(contest);
    r.forEach((rate, index) => {
      rates[index]?.push(rate);
    });
  }
  const sides = contest.sides.map((side, index) => ({
    label: side.label,
    runs: rates[index] as number[],
    median: median(rates[index] as number[]),
  }));
  const ratios = contest.ratios.map((spec) => {
    const num = rates[spec.numerator] as number[];
    const den = rates[spec.denominator] as number[];
    const perRun = num.map((value, i) => value / (den[i] as number));
    return { ...spec, ratios: perRun, ratio: median(perRun) };
  });
  return { name, unit, items: contest.items, sides, ratios };
}

function kurrentApp(uri: string, env: Record<string, string> = {}): Application {
  return new Application({
    name: 'aggbench',
    env: {
      PERSISTENCE_MODULE: 'kurrentdb',
      KURRENTDB_URI: uri,
      AGGREGATE_IDLE_TIMEOUT: '0',
      ...env,
    },
  });
}

/** A new started Counter: the held actor. */
async function startedCounter(app: Application): Promise<AggregateActor<typeof counterMachine>> {
  const actor = await app.repository.create(Counter, `bench-${randomUUID()}`);
  await actor.execute({ type: 'start' });
  return actor;
}

/** A new raw stream holding `Counter.Started`; resolves with its name and revision. */
async function startedStream(client: KurrentDBClient): Promise<[string, bigint]> {
  const stream = `Counter-raw-${randomUUID()}`;
  const result = await client.appendToStream(stream, rawStarted(), { streamState: NO_STREAM });
  return [stream, result.nextExpectedRevision];
}

function sequentialContest(app: Application, client: KurrentDBClient): Contest {
  return {
    items: 1,
    turns: SEQUENTIAL_COMMANDS,
    sides: [
      {
        label: 'actor.execute',
        start: async () => {
          const actor = await startedCounter(app);
          return () => timed(() => actor.execute(INCREMENT));
        },
      },
      {
        label: 'appendToStream',
        start: async () => {
          let [stream, revision] = await startedStream(client);
          return () =>
            timed(async () => {
              const result = await client.appendToStream(stream, rawIncremented(), {
                streamState: revision,
              });
              revision = result.nextExpectedRevision;
            });
        },
      },
      {
        label: 'get + execute',
        every: 6,
        start: async () => {
          const { aggregateId } = await startedCounter(app);
          return () =>
            timed(async () => (await app.repository.get(Counter, aggregateId)).execute(INCREMENT));
        },
      },
    ],
    ratios: [
      { label: 'actor.execute / appendToStream', numerator: 0, denominator: 1, target: 0.8 },
      { label: 'get + execute / appendToStream', numerator: 2, denominator: 1, target: 0 },
    ],
  };
}

/**
 * A parent machine that spawns the Counter `id` as an aggregate actor (`fromAggregate`), sends
 * each `increment` it gets to the child with `sendTo`, and hands the reply (`aggregate.executed`
 * / `aggregate.rejected`) to `onReply`. Targetless transitions: the parent's own cost stays the
 * least a machine adds (a two-state idle/waiting parent measured 0.78–0.84 instead of 0.86–0.87);
 * the bench sends the next command only after the reply.
 */
function counterParent(
  app: Application,
  id: string,
  onReply: (reply: AggregateReplyEvent<typeof counterMachine>) => void,
) {
  return setup({
    types: {
      events: {} as typeof INCREMENT | AggregateReplyEvent<typeof counterMachine>,
    },
    actors: { counter: fromAggregate(app, Counter) },
  }).createMachine({
    entry: spawnChild('counter', { id: 'counter', input: { id } }),
    on: {
      increment: { actions: sendTo('counter', INCREMENT) },
      'aggregate.executed': { actions: ({ event }) => onReply(event) },
      'aggregate.rejected': { actions: ({ event }) => onReply(event) },
    },
  });
}

/**
 * Sequential commands through a spawned aggregate actor vs `execute` on the repository's actor.
 * `stop` stops the last parent started.
 */
function actorsContest(app: Application): { contest: Contest; stop: () => void } {
  let parent: Actor<ReturnType<typeof counterParent>> | undefined;
  const stop = () => {
    parent?.stop();
    parent = undefined;
  };
  const contest: Contest = {
    items: 1,
    turns: SEQUENTIAL_COMMANDS,
    sides: [
      {
        label: 'fromAggregate actor (sendTo → reply)',
        start: async () => {
          stop();
          const { aggregateId } = await startedCounter(app);
          let settle: ((reply: AggregateReplyEvent<typeof counterMachine>) => void) | undefined;
          const started = createActor(
            counterParent(app, aggregateId, (reply) => settle?.(reply)),
          ).start();
          parent = started;
          const child = started.getSnapshot().children.counter;
          if (child === undefined) throw new Error('no spawned counter');
          await waitFor(child, (s) => (s as AggregateLogicSnapshot).phase === 'ready');
          return () =>
            timed(async () => {
              const reply = await new Promise<AggregateReplyEvent<typeof counterMachine>>(
                (resolve) => {
                  settle = resolve;
                  started.send(INCREMENT);
                },
              );
              if (reply.type !== 'aggregate.executed') throw reply.error;
            });
        },
      },
      {
        label: 'actor.execute',
        start: async () => {
          const { aggregateId } = await startedCounter(app);
          const actor = await app.repository.get(Counter, aggregateId);
          return () => timed(() => actor.execute(INCREMENT));
        },
      },
    ],
    ratios: [
      { label: 'fromAggregate actor / actor.execute', numerator: 0, denominator: 1, target: 0.9 },
    ],
  };
  return { contest, stop };
}

/** Runs `WORKERS` workers; worker `w` does `perWorker` calls of `work(w, its call count)`. */
function pool(
  perWorker: number,
  work: (worker: number, call: number) => Promise<unknown>,
): Operation {
  const calls = Array.from({ length: WORKERS }, () => 0);
  return () =>
    timed(() =>
      Promise.all(
        calls.map(async (_, w) => {
          for (let j = 0; j < perWorker; j++) {
            const call = calls[w] as number;
            calls[w] = call + 1;
            await work(w, call);
          }
        }),
      ),
    );
}

/** The aggregate a worker's call goes to: worker w owns w, w + 20, w + 40, … (round-robin). */
function target(worker: number, call: number): number {
  return worker + WORKERS * (call % (AGGREGATES / WORKERS));
}

async function inParallel<T>(count: number, make: () => Promise<T>): Promise<T[]> {
  const made: T[] = [];
  for (let i = 0; i < count; i += WORKERS) {
    made.push(...(await Promise.all(Array.from({ length: Math.min(WORKERS, count - i) }, make))));
  }
  return made;
}

function concurrentContest(app: Application, client: KurrentDBClient): Contest {
  const perWorker = CONCURRENT_CHUNK / WORKERS;
  return {
    items: CONCURRENT_CHUNK,
    turns: CONCURRENT_TURNS,
    sides: [
      {
        label: 'actor.execute',
        start: async () => {
          const actors = await inParallel(AGGREGATES, () => startedCounter(app));
          return pool(perWorker, (w, call) =>
            (actors[target(w, call)] as AggregateActor<typeof counterMachine>).execute(INCREMENT),
          );
        },
      },
      {
        label: 'appendToStream',
        start: async () => {
          const streams = await inParallel(AGGREGATES, () => startedStream(client));
          return pool(perWorker, async (w, call) => {
            const entry = streams[target(w, call)] as [string, bigint];
            const result = await client.appendToStream(entry[0], rawIncremented(), {
              streamState: entry[1],
            });
            entry[1] = result.nextExpectedRevision;
          });
        },
      },
      {
        label: 'get + execute',
        every: 3,
        start: async () => {
          const ids = (await inParallel(AGGREGATES, () => startedCounter(app))).map(
            (actor) => actor.aggregateId,
          );
          return pool(perWorker, async (w, call) =>
            (await app.repository.get(Counter, ids[target(w, call)] as string)).execute(INCREMENT),
          );
        },
      },
    ],
    ratios: [
      { label: 'actor.execute / appendToStream', numerator: 0, denominator: 1, target: 0.8 },
      { label: 'get + execute / appendToStream', numerator: 2, denominator: 1, target: 0 },
    ],
  };
}

/** Stores a started Counter with `count` events in all (as the runtime writes them). */
async function fillCounter(app: Application, count: number): Promise<string> {
  const id = `replay-${randomUUID()}`;
  const streamName = Counter.streamName(id);
  const encoder = new TextEncoder();
  const event = (version: number): StoredEvent => ({
    originatorId: streamName,
    originatorVersion: version,
    topic: version === 0 ? 'Counter.Started' : 'Counter.Incremented',
    state: encoder.encode(version === 0 ? '{}' : '{"by":1}'),
    metadata: { schemaVersion: 1 },
    eventId: randomUUID(),
  });
  for (let v = 0; v < count; v += 500) {
    const size = Math.min(500, count - v);
    await app.recorder.insertEvents(Array.from({ length: size }, (_, i) => event(v + i)));
  }
  return id;
}

/**
 * Cold `repository.get`s (the cache holds one aggregate and the sides alternate two ids) of the
 * ids in turn; each operation is `repeat` gets and counts as their average (a snapshot load
 * takes milliseconds, so that one GC pause left by the operation before it does not decide the
 * measurement).
 */
function coldGet(
  app: Application,
  ids: readonly string[],
  expected: number,
  repeat = 1,
): Operation {
  let turn = 0;
  return async () => {
    let ms = 0;
    for (let r = 0; r < repeat; r++) {
      const id = ids[turn++ % ids.length] as string;
      const started = performance.now();
      const actor = await app.repository.get(Counter, id);
      ms += performance.now() - started;
      const count = (actor.getSnapshot().context as { count: number }).count;
      if (count !== expected || app.repository.cacheStats.size !== 1) {
        throw new Error(`cold get: count ${count}, cache ${app.repository.cacheStats.size}`);
      }
    }
    return ms / repeat;
  };
}

/** Reads a Counter stream with the raw client and folds it with `fold`. */
function rawRead<S>(
  client: KurrentDBClient,
  ids: readonly string[],
  initial: () => S,
  fold: (state: S, type: string, data: { by?: number }) => S,
  count: (state: S) => number,
  expected: number,
): Operation {
  let turn = 0;
  return async () => {
    const stream = Counter.streamName(ids[turn++ % ids.length] as string);
    const started = performance.now();
    let state = initial();
    for await (const resolved of client.readStream(stream, {
      fromRevision: START,
      direction: FORWARDS,
    })) {
      const event = resolved.event;
      if (event === undefined) continue;
      const data = JSON.parse(decoder.decode(event.data as Uint8Array)) as { by?: number };
      state = fold(state, event.type, data);
    }
    const ms = performance.now() - started;
    if (count(state) !== expected) throw new Error(`raw fold counted ${count(state)}`);
    return ms;
  };
}

async function rehydrationContest(
  uri: string,
  client: KurrentDBClient,
  apps: Application[],
): Promise<Contest> {
  const cold = { AGGREGATE_CACHE_MAXSIZE: '1' };
  const replayApp = kurrentApp(uri, cold);
  const snapshotApp = kurrentApp(uri, { ...cold, IS_SNAPSHOTTING_ENABLED: 'y' });
  apps.push(replayApp, snapshotApp);
  const ids = [
    await fillCounter(replayApp, REPLAY_EVENTS),
    await fillCounter(replayApp, REPLAY_EVENTS),
  ];
  for (const id of ids) await snapshotApp.takeSnapshot(Counter, id);
  const expected = REPLAY_EVENTS - 1;
  const prefix = 'Counter.'.length;
  return {
    items: REPLAY_EVENTS,
    turns: 4,
    sides: [
      { label: 'repository.get (replay)', start: async () => coldGet(replayApp, ids, expected) },
      {
        label: 'readStream + transition() fold',
        start: async () =>
          rawRead(
            client,
            ids,
            () => initialTransition(counterMachine)[0] as AnyMachineSnapshot,
            (state, type, data) =>
              transition(
                counterMachine,
                state as never,
                {
                  ...data,
                  type: type.slice(prefix),
                } as never,
              )[0] as AnyMachineSnapshot,
            (state) => (state.context as { count: number }).count,
            expected,
          ),
      },
      {
        label: 'readStream + reducer fold',
        start: async () =>
          rawRead(
            client,
            ids,
            () => ({ started: false, count: 0 }),
            (state, type, data) => {
              if (type === 'Counter.Started') return { started: true, count: state.count };
              if (type === 'Counter.Incremented' && state.started) {
                state.count += data.by ?? 0;
                return state;
              }
              throw new Error(`unexpected ${type}`);
            },
            (state) => state.count,
            expected,
          ),
      },
      {
        label: 'repository.get (snapshot)',
        start: async () => coldGet(snapshotApp, ids, expected, SNAPSHOT_GETS_PER_OPERATION),
      },
    ],
    ratios: [
      { label: 'replay / transition() fold', numerator: 0, denominator: 1, target: 0.8 },
      { label: 'replay / reducer fold', numerator: 0, denominator: 2, target: 0 },
      { label: 'transition() fold / reducer fold', numerator: 1, denominator: 2, target: 0 },
      { label: 'snapshot / replay (speed-up)', numerator: 3, denominator: 0, target: 10 },
    ],
  };
}

async function measureHeap(uri: string | undefined): Promise<HeapResult | undefined> {
  const args = ['--expose-gc', HEAP_SCRIPT, ...(uri === undefined ? [] : [uri])];
  const { stdout } = await promisify(execFile)(process.execPath, args, {
    maxBuffer: 1 << 20,
    timeout: 120_000,
  });
  const line = stdout.trim().split('\n').at(-1);
  return line === undefined ? undefined : (JSON.parse(line) as HeapResult);
}

export type AggregateScenario = 'commands' | 'concurrent' | 'rehydrate' | 'heap' | 'actors';
export const AGGREGATE_SCENARIOS: readonly AggregateScenario[] = [
  'commands',
  'concurrent',
  'rehydrate',
  'heap',
  'actors',
];

export async function benchAggregates(
  uri: string,
  scenarios: readonly AggregateScenario[] = AGGREGATE_SCENARIOS,
  runs = RUNS,
): Promise<AggregateBenchReport> {
  const before = loadavg()[0] as number;
  const client = KurrentDBClient.connectionString(uri);
  const app = kurrentApp(uri);
  const apps = [app];
  const results: AggregateBenchResult[] = [];
  let heap: HeapResult | undefined;
  try {
    if (scenarios.includes('commands')) {
      results.push(
        await measure(
          `${SEQUENTIAL_COMMANDS} commands on one aggregate, sequential`,
          'commands/s',
          runs,
          sequentialContest(app, client),
        ),
      );
    }
    if (scenarios.includes('concurrent')) {
      results.push(
        await measure(
          `commands on ${AGGREGATES} aggregates, ${WORKERS} in flight`,
          'commands/s',
          runs,
          concurrentContest(app, client),
        ),
      );
    }
    if (scenarios.includes('rehydrate')) {
      results.push(
        await measure(
          `rehydrate a ${REPLAY_EVENTS / 1000}k-event aggregate (cold cache)`,
          'events/s',
          runs,
          await rehydrationContest(uri, client, apps),
        ),
      );
    }
    if (scenarios.includes('heap')) heap = await measureHeap(uri);
    if (scenarios.includes('actors')) {
      const { contest, stop } = actorsContest(app);
      try {
        results.push(
          await measure(
            `${SEQUENTIAL_COMMANDS} commands on one aggregate, sequential, through a spawned actor`,
            'commands/s',
            runs,
            contest,
          ),
        );
      } finally {
        stop();
      }
    }
  } finally {
    for (const a of apps) await a.close();
    await client.dispose();
  }
  return { results, heap, load: { before, after: loadavg()[0] as number } };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function pad(cells: readonly string[], widths: readonly number[]): string {
  return `| ${cells.map((cell, i) => cell.padEnd(widths[i] as number)).join(' | ')} |`;
}

/** The report as Markdown tables. */
export function formatAggregateReport(report: AggregateBenchReport): string {
  const lines: string[] = [];
  const rows: string[][] = [];
  for (const result of report.results) {
    const perOp = result.items >= 1000;
    const figure = (rate: number) =>
      perOp
        ? `${fmt(rate)} ${result.unit} (${((result.items * 1000) / rate).toFixed(1)} ms)`
        : `${fmt(rate)} ${result.unit}`;
    for (const ratio of result.ratios) {
      const num = result.sides[ratio.numerator] as SideResult;
      const den = result.sides[ratio.denominator] as SideResult;
      const verdict =
        ratio.target === 0
          ? 'info'
          : ratio.ratio >= ratio.target
            ? `ok (≥ ${ratio.target})`
            : `MISS (< ${ratio.target})`;
      rows.push([
        result.name,
        ratio.label,
        figure(num.median),
        figure(den.median),
        `${ratio.ratio.toFixed(2)} [${ratio.ratios.map((r) => r.toFixed(2)).join(' ')}]`,
        verdict,
      ]);
    }
  }
  const header = [
    'scenario',
    'ratio',
    'numerator (median)',
    'denominator (median)',
    'ratio (runs)',
    'target',
  ];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  lines.push(
    pad(header, widths),
    pad(
      widths.map((w) => '-'.repeat(w)),
      widths,
    ),
  );
  for (const row of rows) lines.push(pad(row, widths));
  const heap = report.heap;
  if (heap !== undefined) {
    const b = (n: number) => `${fmt(n)} B`;
    lines.push(
      '',
      `Heap per cached aggregate (${fmt(heap.count)} Counters, start + increment each, ${heap.module} persistence, child node --expose-gc; created in ${fmt(heap.createMs)} ms):`,
      `| state | total per aggregate | context alone | beyond context | target |`,
      `| --- | --- | --- | --- | --- |`,
      `| passivated | ${b(heap.passiveTotalBytes)} | ${b(heap.contextBytes)} | ${b(heap.passiveBytes)} | ${heap.passiveBytes < 2048 ? 'ok' : 'MISS'} (< 2 KB) |`,
      `| live | ${b(heap.liveTotalBytes)} | ${b(heap.contextBytes)} | ${b(heap.liveBytes)} | info |`,
    );
  }
  lines.push(
    '',
    `load average (1 min): ${report.load.before.toFixed(2)} before, ${report.load.after.toFixed(2)} after`,
  );
  return lines.join('\n');
}
