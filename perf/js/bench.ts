// perf/js/bench.ts — the contract between perf/run.mjs and a JS benchmark module,
// and the timing helpers every JS benchmark shares (warm-up, rounds, median).
//
// A JS benchmark is a file perf/js/NAME.bench.ts (or .mjs) that exports
//   export const ids: readonly string[]          // every metric id it can report
//   export function run(options: BenchOptions): BenchMetric[] | Promise<BenchMetric[]>
// The harness runs each module in its own Node process (with --expose-gc and tsx),
// so one benchmark's JIT and heap state never leak into the next.

/** What the harness passes to run(). */
export interface BenchOptions {
  /** --quick: every metric once, small sizes; the whole suite in under 2 minutes. */
  readonly quick: boolean;
  /**
   * --only PART when it selects some of this module's ids (not the module as a whole):
   * the module may skip metrics for which wanted() is false. The harness drops them anyway.
   */
  readonly only: string | undefined;
}

/** One measured value, in perf/README.md's schema (the harness adds ratio). */
export interface BenchMetric {
  readonly id: string;
  readonly value: number;
  /** e.g. "ns/op", "ms/frame", "Mops/s", "us", "frames". */
  readonly unit: string;
  readonly better: "lower" | "higher";
  /** Overrides perf/baselines.mjs for this metric; the harness computes ratio. */
  readonly baseline?: string;
}

/** The shape of a benchmark module, as the harness checks it. */
export interface BenchModule {
  readonly ids: readonly string[];
  run(options: BenchOptions): BenchMetric[] | Promise<BenchMetric[]>;
}

/** True if the metric should run under --only (prefix match on the id). */
export function wanted(id: string, options: BenchOptions): boolean {
  return options.only === undefined || id.startsWith(options.only);
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median() of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** A batch runs the operation `count` times in a tight loop; the loop is part of what is measured. */
export type Batch = (count: number) => void;

export interface NsPerOpOptions {
  /** Operations per timed round. */
  readonly opsPerRound: number;
  /** Timed rounds; the median round is reported. */
  readonly rounds: number;
  /** Untimed rounds first, so the JIT has optimised the batch. */
  readonly warmupRounds: number;
}

/** Nanoseconds per operation: the median over timed rounds, after warm-up rounds. */
export function nsPerOp(batch: Batch, options: NsPerOpOptions): number {
  for (let i = 0; i < options.warmupRounds; i++) batch(options.opsPerRound);
  const perOp: number[] = [];
  for (let i = 0; i < options.rounds; i++) {
    const start = process.hrtime.bigint();
    batch(options.opsPerRound);
    const elapsed = Number(process.hrtime.bigint() - start);
    perOp.push(elapsed / options.opsPerRound);
  }
  return median(perOp);
}
