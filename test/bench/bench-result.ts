/** One benchmark figure: every run's value and their median. */
export type BenchResult = {
  readonly name: string;
  readonly unit: string;
  readonly runs: number[];
  readonly median: number;
};
