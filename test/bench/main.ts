/**
 * `npm run bench`: every benchmark of the project, against the in-process KurrentDB test server
 * (or `KURRENTDB_URI` when set). Prints medians over repeated runs and, for the recorders, the
 * ratio against the raw official client measured in the same run on the same server.
 *
 * Optional arguments select sections: `server`, `recorders`, `aggregates`, `projections`,
 * `cluster`, `processes`, or scenarios of the aggregates (`aggregates:commands`, `aggregates:concurrent`,
 * `aggregates:rehydrate`, `aggregates:heap`, `aggregates:actors`) and of the projections
 * (`projections:catchup`, `projections:heap`); e.g.
 * `node dist/test/bench/main.js aggregates:rehydrate`.
 */
import { cpus } from 'node:os';
import { startKurrentDBTestServer } from '../../src/testing/test-server/start-test-server.js';
import {
  AGGREGATE_SCENARIOS,
  type AggregateScenario,
  benchAggregates,
  formatAggregateReport,
} from './aggregate-bench.js';
import { benchCluster, formatClusterReport } from './cluster-bench.js';
import { benchProcesses, formatProcessReport } from './process-bench.js';
import {
  benchProjections,
  formatProjectionReport,
  PROJECTION_SCENARIOS,
} from './projection-bench.js';
import { benchRecorders } from './recorder-bench.js';
import { benchTestServer } from './test-server-bench.js';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const only = process.argv.slice(2);
const selected = (section: string) =>
  only.length === 0 || only.some((o) => o === section || o.startsWith(`${section}:`));
const scenarios = AGGREGATE_SCENARIOS.filter(
  (s: AggregateScenario) =>
    only.length === 0 || only.includes('aggregates') || only.includes(`aggregates:${s}`),
);
const projectionScenarios = PROJECTION_SCENARIOS.filter(
  (s) => only.length === 0 || only.includes('projections') || only.includes(`projections:${s}`),
);

console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);

if (selected('server')) {
  console.log('\n## Test server (official client → in-process server)');
  for (const result of await benchTestServer()) {
    console.log(
      `${result.name}: median ${fmt(result.median)} ${result.unit} (runs: ${result.runs.map(fmt).join(', ')})`,
    );
  }
}

const external = process.env.KURRENTDB_URI;
// The shared server serves the sections below (the cluster section starts its own nodes).
const needsServer =
  selected('recorders') ||
  scenarios.length > 0 ||
  projectionScenarios.length > 0 ||
  selected('processes');
const server = external || !needsServer ? undefined : await startKurrentDBTestServer();
try {
  const uri = external ?? (server?.uri as string);
  if (selected('recorders')) {
    console.log('\n## Recorders vs raw client (same server, same run)');
    for (const r of await benchRecorders(uri)) {
      console.log(
        `${r.name}: ratio ${r.ratio.toFixed(2)} (recorder ${fmt(r.oursMedian)} vs raw ${fmt(r.rawMedian)} ${r.unit}, medians of ${r.ours.length} runs)`,
      );
    }
  }
  if (scenarios.length > 0) {
    console.log(
      '\n## Aggregates (Application, kurrentdb module) vs raw client (same server, same run)',
    );
    console.log(formatAggregateReport(await benchAggregates(uri, scenarios)));
  }
  if (projectionScenarios.length > 0) {
    console.log('\n## Projections (ProjectionRunner, kurrentdb module) vs raw client (same run)');
    console.log(formatProjectionReport(await benchProjections(uri, projectionScenarios)));
  }
  if (selected('processes')) {
    console.log('\n## Process managers (ProcessRunner, kurrentdb module) vs by hand (same run)');
    console.log(formatProcessReport(await benchProcesses(uri)));
  }
} finally {
  await server?.stop();
}

if (selected('cluster')) {
  console.log('\n## Cluster (in-process three-node test cluster vs one test node, same run)');
  console.log(formatClusterReport(await benchCluster()));
}
