// perf/js/workers.bench.ts — js.workers.swarm.100k.w2: the swarm behaviour over 100 000
// entities on a pool of 2 workers, against the same world on the main thread
// (js.behaviour.swarm.100k, measured by swarm.bench.ts in the same run). Both step a
// FrameDriver with the same behaviour (perf/js/swarm-world.ts).
import { type BenchMetric, type BenchOptions, wanted } from "./bench.ts";
import { swarmMsPerFrame } from "./swarm-world.ts";

export const ids = ["js.workers.swarm.100k.w2"] as const;

export async function run(options: BenchOptions): Promise<BenchMetric[]> {
  const [warmup, frames] = options.quick ? [10, 15] : [40, 80];
  if (!wanted("js.workers.swarm.100k.w2", options)) return [];
  return [
    {
      id: "js.workers.swarm.100k.w2",
      value: await swarmMsPerFrame(100_000, 2, warmup, frames),
      unit: "ms/frame",
      better: "lower",
    },
  ];
}
