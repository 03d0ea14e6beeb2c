/**
 * `npm run bench`: every benchmark of the project, against the in-process KurrentDB test server
 * (or `KURRENTDB_URI` when set). Prints medians over repeated runs and, for the recorders, the
 * ratio against the raw official client measured in the same run on the same server.
 */
import { cpus } from 'node:os';
import { startKurrentDBTestServer } from '../../src/testing/test-server/start-test-server.js';
import { benchRecorders } from './recorder-bench.js';
import { benchTestServer } from './test-server-bench.js';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);

console.log('\n## Test server (official client → in-process server)');
for (const result of await benchTestServer()) {
  console.log(
    `${result.name}: median ${fmt(result.median)} ${result.unit} (runs: ${result.runs.map(fmt).join(', ')})`,
  );
}

console.log('\n## Recorders vs raw client (same server, same run)');
const external = process.env.KURRENTDB_URI;
const server = external ? undefined : await startKurrentDBTestServer();
try {
  for (const r of await benchRecorders(external ?? (server?.uri as string))) {
    console.log(
      `${r.name}: ratio ${r.ratio.toFixed(2)} (recorder ${fmt(r.oursMedian)} vs raw ${fmt(r.rawMedian)} ${r.unit}, medians of ${r.ours.length} runs)`,
    );
  }
} finally {
  await server?.stop();
}
