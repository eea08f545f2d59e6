// perf/js/workers.bench.ts — the swarm workload (perf/README.md) through the engine
// bridge with 100 000 entities: js.script.swarm.100k runs the behaviour script on the main
// thread, js.workers.swarm.100k.w2 on a pool of 2 workers over the same Proto columns
// (baseline: the one-thread run). Both step a FrameDriver with the same script, so the
// time per frame includes the frame's bookkeeping (prepare, dispatch, commit, commands,
// records) as a game would see it.

import { SWARM_WORLD_SIZE, swarm } from "../../engine-bridge/examples/swarm.ts";
import { BridgeWorld, FrameDriver } from "../../engine-bridge/index.ts";
import { SWARM_FAST_SPEED, startPosition, swarmWorldSize } from "../../scripting/examples/swarm.ts";
import { type BenchMetric, type BenchOptions, median, wanted } from "./bench.ts";

export const ids = ["js.script.swarm.100k", "js.workers.swarm.100k.w2"] as const;

const COUNT = 100_000;
const DT = 1 / 60;
const MODULE = new URL("../../engine-bridge/examples/swarm.ts", import.meta.url).href;

async function msPerFrame(workers: number, warmup: number, frames: number): Promise<number> {
  const world = new BridgeWorld({ capacity: COUNT });
  await world.loadBehaviours(MODULE);
  const size = swarmWorldSize(COUNT);
  world.globals[SWARM_WORLD_SIZE] = size;
  for (let i = 0; i < COUNT; i++) {
    const [x, y] = startPosition(i, size);
    world.spawn(swarm, { x, y }, i % 10 === 0 ? { speed: SWARM_FAST_SPEED } : undefined);
  }
  const driver = new FrameDriver(world, { observeV8Gc: false });
  await driver.setWorkers(workers);
  try {
    for (let i = 0; i < warmup; i++) driver.step(DT);
    const times: number[] = [];
    for (let i = 0; i < frames; i++) {
      const start = process.hrtime.bigint();
      const record = driver.step(DT);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (record.errors.length > 0) throw record.errors[0];
    }
    return median(times);
  } finally {
    await driver.dispose();
    world.clear();
  }
}

export async function run(options: BenchOptions): Promise<BenchMetric[]> {
  const [warmup, frames] = options.quick ? [10, 15] : [40, 80];
  const metrics: BenchMetric[] = [];
  if (wanted("js.script.swarm.100k", options))
    metrics.push({
      id: "js.script.swarm.100k",
      value: await msPerFrame(0, warmup, frames),
      unit: "ms/frame",
      better: "lower",
    });
  if (wanted("js.workers.swarm.100k.w2", options))
    metrics.push({
      id: "js.workers.swarm.100k.w2",
      value: await msPerFrame(2, warmup, frames),
      unit: "ms/frame",
      better: "lower",
    });
  return metrics;
}
