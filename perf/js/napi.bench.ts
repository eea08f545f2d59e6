// perf/js/napi.bench.ts — the cost of crossing from JS into the addon:
// js.napi.noop is ns per call of proto.node's empty noop(), loop included.
import { loadAddon } from "../../scripting/native.ts";
import { type BenchMetric, type BenchOptions, nsPerOp } from "./bench.ts";

export const ids = ["js.napi.noop"] as const;

export function run(options: BenchOptions): BenchMetric[] {
  const addon = loadAddon();
  const value = nsPerOp(
    (count) => {
      for (let i = 0; i < count; i++) addon.noop();
    },
    options.quick
      ? { opsPerRound: 200_000, rounds: 5, warmupRounds: 3 }
      : { opsPerRound: 2_000_000, rounds: 21, warmupRounds: 5 },
  );
  return [{ id: "js.napi.noop", value, unit: "ns/op", better: "lower" }];
}
