/**
 * Heap per cached aggregate, run as a child process by `aggregate-bench.ts` with
 * `node --expose-gc aggregate-heap.js [kurrentdb-uri]`, so the figures hold only the application
 * and its client (the test server stays in the parent's heap). Without a URI it uses the memory
 * persistence module, whose stored events then count too.
 *
 * Prints one JSON line: bytes per aggregate (live, and passivated) beyond the size of its context
 * alone, measured as heapUsed deltas after forced garbage collections.
 */
import { Application } from '../../src/application/application.js';
import { Counter } from '../support/counter.js';
import { settledHeap } from './bench-stats.js';

const COUNT = 10_000;
const WARM_UP = 500;
const WORKERS = 20;

const uri = process.argv[2];
const app = new Application({
  name: 'heapbench',
  env: {
    ...(uri === undefined
      ? { PERSISTENCE_MODULE: 'memory' }
      : { PERSISTENCE_MODULE: 'kurrentdb', KURRENTDB_URI: uri }),
    AGGREGATE_CACHE_MAXSIZE: '0',
    AGGREGATE_IDLE_TIMEOUT: '0',
  },
});

async function createMany(prefix: string, count: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (next < count) {
        const id = `${prefix}-${next++}`;
        const actor = await app.repository.create(Counter, id);
        await actor.execute({ type: 'start' });
        await actor.execute({ type: 'increment' });
      }
    }),
  );
}

try {
  const run = `${process.pid}-${Date.now()}`;
  await createMany(`warm-${run}`, WARM_UP);
  app.repository.passivateIdle(0);

  // The context alone: the same objects the machine's assign makes, in an array of COUNT.
  const beforeContexts = await settledHeap();
  let contexts: { count: number }[] | undefined = Array.from({ length: COUNT }, (_, i) => ({
    count: i + 1,
  }));
  const afterContexts = await settledHeap();
  const contextBytes = (afterContexts - beforeContexts) / COUNT;
  if (contexts.length !== COUNT) throw new Error('unreachable');
  contexts = undefined;

  const base = await settledHeap();
  const started = performance.now();
  await createMany(`heap-${run}`, COUNT);
  const createMs = performance.now() - started;
  const liveStats = app.repository.cacheStats;
  const live = await settledHeap();
  const passivated = app.repository.passivateIdle(0);
  const passiveStats = app.repository.cacheStats;
  const passive = await settledHeap();
  console.log(
    JSON.stringify({
      module: uri === undefined ? 'memory' : 'kurrentdb',
      count: COUNT,
      createMs,
      contextBytes,
      liveTotalBytes: (live - base) / COUNT,
      passiveTotalBytes: (passive - base) / COUNT,
      liveBytes: (live - base) / COUNT - contextBytes,
      passiveBytes: (passive - base) / COUNT - contextBytes,
      liveStats,
      passiveStats,
      passivated,
    }),
  );
} finally {
  await app.close();
}
