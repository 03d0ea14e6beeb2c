/**
 * Benchmarks of a process manager: the `MoneyTransfer` process (`machines/money-transfer.ts`)
 * run by a `ProcessRunner` (memory process store) over an application on the KurrentDB
 * persistence module, against the same transfers done by hand — the three commands a transfer
 * takes (withdraw, deposit, complete) executed in order through the repository's actors, with
 * the same command ids — on the same server in the same run.
 *
 * 1. Throughput: 200 transfers requested 8 at a time; transfers per second from the first
 *    request until the runner has processed the last one (the transfers are completed).
 * 2. Latency: 50 transfers one after the other; from `execute(request)` to the step that
 *    completed the transfer (its `steps$` report), median and 95th percentile.
 *
 * Each run uses fresh accounts and transfers; the process runs and the hand-written runs
 * alternate, and each ratio is the median of the per-run ratios.
 */
import { randomUUID } from 'node:crypto';
import { filter, firstValueFrom } from 'rxjs';
import { BankAccount } from '../../machines/bank-account.js';
import { MoneyTransfer } from '../../machines/money-transfer.js';
import { Transfer } from '../../machines/transfer.js';
import { Application } from '../../src/application/application.js';
import { ProcessRunner } from '../../src/application/process-runner.js';
import { defineProcess } from '../../src/runtime/process/define-process.js';
import { median } from './bench-stats.js';

const RUNS = 5;
const THROUGHPUT_TRANSFERS = 200;
const CONCURRENCY = 8;
const LATENCY_TRANSFERS = 50;
const ACCOUNTS = 16;

export interface ProcessBenchResult {
  readonly processRate: readonly number[];
  readonly handRate: readonly number[];
  readonly rateRatio: number;
  /** Median latency of each run, ms. */
  readonly processLatency: readonly number[];
  readonly processLatencyP95: readonly number[];
  readonly handLatency: readonly number[];
}

type Pair = readonly [from: string, to: string];

async function openAccounts(app: Application): Promise<string[]> {
  const run = randomUUID().slice(0, 8);
  const ids: string[] = [];
  for (let index = 0; index < ACCOUNTS; index++) {
    const id = `bench-${run}-${index}`;
    const account = await app.repository.create(BankAccount, id);
    await account.execute({ type: 'open', owner: id });
    await account.execute({ type: 'deposit', amount: 1_000_000 });
    ids.push(id);
  }
  return ids;
}

const pairOf = (accounts: readonly string[], index: number): Pair => [
  accounts[index % accounts.length] as string,
  accounts[(index * 7 + 3) % accounts.length] === accounts[index % accounts.length]
    ? (accounts[(index + 1) % accounts.length] as string)
    : (accounts[(index * 7 + 3) % accounts.length] as string),
];

/** A transfer requested, and its position. */
async function request(app: Application, id: string, [from, to]: Pair): Promise<bigint> {
  const transfer = await app.repository.create(Transfer, id);
  const [requested] = await transfer.execute({ type: 'request', from, to, amount: 1 });
  return requested?.notification.id as bigint;
}

/** What the process does for one transfer, by hand. */
async function byHand(app: Application, id: string, [from, to]: Pair): Promise<void> {
  await request(app, id, [from, to]);
  await (await app.repository.get(BankAccount, from)).execute(
    { type: 'withdraw', amount: 1 },
    { commandId: `${id}-debit` },
  );
  await (await app.repository.get(BankAccount, to)).execute(
    { type: 'deposit', amount: 1 },
    { commandId: `${id}-credit` },
  );
  await (await app.repository.get(Transfer, id)).execute(
    { type: 'complete' },
    { commandId: `${id}-outcome` },
  );
}

async function inParallel(count: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/**
 * The transfer process for the transfers whose ids start with `prefix` only (the server keeps
 * every run's transfers, the hand-made ones included).
 */
function transfersOf(prefix: string) {
  return defineProcess({
    name: MoneyTransfer.name,
    machine: MoneyTransfer.machine,
    topics: MoneyTransfer.topics,
    aggregates: MoneyTransfer.aggregates,
    correlate: (event) => (event.aggregateId.startsWith(prefix) ? event.aggregateId : undefined),
  });
}

async function processThroughput(app: Application, accounts: string[]): Promise<number> {
  const run = randomUUID().slice(0, 8);
  await using runner = new ProcessRunner({ application: app, process: transfersOf(`p-${run}-`) });
  const positions: bigint[] = [];
  const started = performance.now();
  await inParallel(THROUGHPUT_TRANSFERS, async (index) => {
    positions.push(await request(app, `p-${run}-${index}`, pairOf(accounts, index)));
  });
  const last = positions.sort((a, b) => (a < b ? -1 : 1)).at(-1) as bigint;
  await runner.wait(last, { timeout: 120_000 });
  return (THROUGHPUT_TRANSFERS * 1000) / (performance.now() - started);
}

async function handThroughput(app: Application, accounts: string[]): Promise<number> {
  const run = randomUUID().slice(0, 8);
  const started = performance.now();
  await inParallel(THROUGHPUT_TRANSFERS, (index) =>
    byHand(app, `h-${run}-${index}`, pairOf(accounts, index)),
  );
  return (THROUGHPUT_TRANSFERS * 1000) / (performance.now() - started);
}

async function processLatency(app: Application, accounts: string[]): Promise<number[]> {
  const run = randomUUID().slice(0, 8);
  await using runner = new ProcessRunner({ application: app, process: transfersOf(`l-${run}-`) });
  const latencies: number[] = [];
  for (let index = 0; index < LATENCY_TRANSFERS; index++) {
    const id = `l-${run}-${index}`;
    const completed = firstValueFrom(
      runner.steps$.pipe(
        filter((step) => step.correlationId === id && step.state.snapshot.status === 'done'),
      ),
    );
    const started = performance.now();
    await request(app, id, pairOf(accounts, index));
    await completed;
    latencies.push(performance.now() - started);
  }
  return latencies;
}

async function handLatency(app: Application, accounts: string[]): Promise<number[]> {
  const run = randomUUID().slice(0, 8);
  const latencies: number[] = [];
  for (let index = 0; index < LATENCY_TRANSFERS; index++) {
    const started = performance.now();
    await byHand(app, `lh-${run}-${index}`, pairOf(accounts, index));
    latencies.push(performance.now() - started);
  }
  return latencies;
}

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] as number;
};

export async function benchProcesses(uri: string): Promise<ProcessBenchResult> {
  const processRate: number[] = [];
  const handRate: number[] = [];
  const ratios: number[] = [];
  const processLatencies: number[] = [];
  const processP95: number[] = [];
  const handLatencies: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    await using app = new Application({
      name: `bench-bank-${randomUUID().slice(0, 8)}`,
      env: { PERSISTENCE_MODULE: 'kurrentdb', KURRENTDB_URI: uri },
    });
    const accounts = await openAccounts(app);
    let ours: number;
    let theirs: number;
    if (run % 2 === 0) {
      ours = await processThroughput(app, accounts);
      theirs = await handThroughput(app, accounts);
    } else {
      theirs = await handThroughput(app, accounts);
      ours = await processThroughput(app, accounts);
    }
    processRate.push(ours);
    handRate.push(theirs);
    ratios.push(ours / theirs);
    const latencies = await processLatency(app, accounts);
    processLatencies.push(median(latencies));
    processP95.push(percentile(latencies, 95));
    handLatencies.push(median(await handLatency(app, accounts)));
  }
  return {
    processRate,
    handRate,
    rateRatio: median(ratios),
    processLatency: processLatencies,
    processLatencyP95: processP95,
    handLatency: handLatencies,
  };
}

export function formatProcessReport(result: ProcessBenchResult): string {
  const fmt = (n: number) => n.toFixed(n < 10 ? 2 : 0);
  return [
    `MoneyTransfer process, ${THROUGHPUT_TRANSFERS} transfers ${CONCURRENCY} at a time: median ${fmt(median(result.processRate))} transfers/s (runs: ${result.processRate.map(fmt).join(', ')}) vs by hand ${fmt(median(result.handRate))} transfers/s; ratio ${result.rateRatio.toFixed(2)}`,
    `end-to-end latency (request → completed), one at a time: median ${fmt(median(result.processLatency))} ms, p95 ${fmt(median(result.processLatencyP95))} ms (medians of ${RUNS} runs of ${LATENCY_TRANSFERS}) vs by hand ${fmt(median(result.handLatency))} ms`,
  ].join('\n');
}
