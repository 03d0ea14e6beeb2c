/**
 * Benchmarks of the library on the in-process three-node test cluster (issue 8 item 7), in the
 * same run as a single test node:
 *
 * 1. command throughput through aggregate actors (100 aggregates, 20 commands in flight), with
 *    the Application connected to the cluster (multi-host URI: the client finds the leader) vs to
 *    a single test node; runs alternate, the ratio is the median of per-run ratios;
 * 2. the time from a leader failure (it stops, or steps down) to the first successful command that
 *    was started after it, with commands flowing on 20 aggregates, median and worst of the trials.
 */
import { randomUUID } from 'node:crypto';
import { Application } from '../../src/application/application.js';
import type { AggregateActor } from '../../src/runtime/aggregate/aggregate-actor.js';
import { startKurrentDBTestCluster } from '../../src/testing/test-cluster/start-test-cluster.js';
import { startKurrentDBTestServer } from '../../src/testing/test-server/start-test-server.js';
import { Counter, type counterMachine } from '../support/counter.js';
import { median } from './bench-stats.js';

const RUNS = 5;
const AGGREGATES = 100;
const IN_FLIGHT = 20;
const COMMANDS_PER_RUN = 2_000;
const FAILOVER_TRIALS = 6;

type CounterActor = AggregateActor<typeof counterMachine>;

export interface ClusterBenchReport {
  readonly single: readonly number[];
  readonly cluster: readonly number[];
  readonly ratios: readonly number[];
  readonly ratio: number;
  /** Milliseconds from the failure to the first command started after it that succeeded. */
  readonly recovery: Readonly<Record<'stop' | 'step-down', readonly number[]>>;
}

function app(uri: string): Application {
  return new Application({
    name: 'clusterbench',
    env: { PERSISTENCE_MODULE: 'kurrentdb', KURRENTDB_URI: uri, AGGREGATE_IDLE_TIMEOUT: '0' },
  });
}

async function startedCounters(application: Application, count: number): Promise<CounterActor[]> {
  const actors: CounterActor[] = [];
  for (let i = 0; i < count; i++) {
    const actor = await application.repository.create(Counter, `bench-${randomUUID()}`);
    await actor.execute({ type: 'start' });
    actors.push(actor);
  }
  return actors;
}

/** Commands/s of `COMMANDS_PER_RUN` increments, `IN_FLIGHT` at a time, round-robin. */
async function throughput(actors: readonly CounterActor[]): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < COMMANDS_PER_RUN) {
        const n = next++;
        await (actors[n % actors.length] as CounterActor).execute({ type: 'increment' });
      }
    }),
  );
  return (COMMANDS_PER_RUN * 1000) / (performance.now() - started);
}

export async function benchCluster(): Promise<ClusterBenchReport> {
  const server = await startKurrentDBTestServer();
  const cluster = await startKurrentDBTestCluster({ nodes: 3 });
  const singleApp = app(server.uri);
  const clusterApp = app(cluster.multiHostUri);
  try {
    const singleActors = await startedCounters(singleApp, AGGREGATES);
    const clusterActors = await startedCounters(clusterApp, AGGREGATES);
    await throughput(singleActors); // warm-up
    await throughput(clusterActors);
    const single: number[] = [];
    const clustered: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      if (run % 2 === 0) {
        single.push(await throughput(singleActors));
        clustered.push(await throughput(clusterActors));
      } else {
        clustered.push(await throughput(clusterActors));
        single.push(await throughput(singleActors));
      }
    }
    const ratios = clustered.map((rate, i) => rate / (single[i] as number));

    const recovery: Record<'stop' | 'step-down', number[]> = { stop: [], 'step-down': [] };
    const flowing = clusterActors.slice(0, IN_FLIGHT);
    for (let trial = 0; trial < FAILOVER_TRIALS; trial++) {
      const how = trial % 2 === 0 ? 'stop' : 'step-down';
      for (const node of cluster.nodes) {
        if (node.state === 'stopped') await cluster.startNode(node.index);
      }
      let failedAt: number | undefined;
      let recoveredAt: number | undefined;
      let stop = false;
      const flow = Promise.all(
        flowing.map(async (actor) => {
          while (!stop) {
            const began = performance.now();
            try {
              await actor.execute({ type: 'increment' });
              if (failedAt !== undefined && began >= failedAt && recoveredAt === undefined) {
                recoveredAt = performance.now();
                stop = true;
              }
            } catch {
              // A command that failed during the failover: the next one goes on.
            }
          }
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      failedAt = performance.now();
      await cluster.failover({ how });
      await flow;
      recovery[how].push((recoveredAt as number) - failedAt);
    }
    return { single, cluster: clustered, ratios, ratio: median(ratios), recovery };
  } finally {
    await Promise.all([singleApp.close(), clusterApp.close()]);
    await Promise.all([server.stop(), cluster.stop()]);
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function formatClusterReport(report: ClusterBenchReport): string {
  const lines = [
    `Commands through aggregate actors (${AGGREGATES} aggregates, ${IN_FLIGHT} in flight, ${COMMANDS_PER_RUN} per run, ${RUNS} runs alternating):`,
    `- cluster leader (multi-host URI) vs single test node: ratio ${report.ratio.toFixed(2)} [${report.ratios.map((r) => r.toFixed(2)).join(' ')}] (cluster ${fmt(median(report.cluster))} vs single ${fmt(median(report.single))} commands/s, medians)`,
  ];
  for (const how of ['stop', 'step-down'] as const) {
    const ms = report.recovery[how];
    lines.push(
      `- leader ${how === 'stop' ? 'stops' : 'steps down'} → first successful command started after it: median ${fmt(median(ms))} ms, worst ${fmt(Math.max(...ms))} ms (${ms.length} trials: ${ms.map(fmt).join(', ')})`,
    );
  }
  return lines.join('\n');
}
