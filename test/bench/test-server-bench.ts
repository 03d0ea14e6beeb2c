/**
 * Benchmark of the in-process test server through the official client. (Placeholder while the
 * server is being built.)
 */
import type { BenchResult } from './bench-result.js';

/** Runs the test-server benchmarks. */
export async function benchTestServer(): Promise<BenchResult[]> {
  return [];
}
