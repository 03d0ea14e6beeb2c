/** Small statistics helpers shared by the benchmarks. */

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** One recorder measurement against its raw-client baseline. */
export interface RatioResult {
  readonly name: string;
  readonly unit: string;
  readonly raw: readonly number[];
  readonly ours: readonly number[];
  readonly rawMedian: number;
  readonly oursMedian: number;
  /** ours / raw of each run. */
  readonly ratios: readonly number[];
  /** Median of the per-run ratios ours / raw. */
  readonly ratio: number;
}

/**
 * The heap after a few forced collections, each followed by a turn of the event loop (so that
 * finalisers run). For scripts run with `node --expose-gc`; throws without it.
 */
export async function settledHeap(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}
