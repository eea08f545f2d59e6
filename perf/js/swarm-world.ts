// perf/js/swarm-world.ts — the swarm workload (perf/README.md) in a BridgeWorld stepped by a
// FrameDriver, on the main thread or a worker pool: what js.behaviour.swarm.* and
// js.workers.swarm.* time. The time per frame includes the frame's bookkeeping (prepare,
// dispatch, commit, commands, records) as a game would see it.
import { SWARM_WORLD_SIZE, swarm } from "../../engine-bridge/examples/swarm.ts";
import { BridgeWorld, FrameDriver } from "../../engine-bridge/index.ts";
import { SWARM_FAST_SPEED, startPosition, swarmWorldSize } from "../../scripting/examples/swarm.ts";
import { median } from "./bench.ts";

const MODULE = new URL("../../engine-bridge/examples/swarm.ts", import.meta.url).href;
const DT = 1 / 60;

/** Median ms per FrameDriver.step of `count` swarm entities on `workers` workers (0: main thread). */
export async function swarmMsPerFrame(
  count: number,
  workers: number,
  warmup: number,
  frames: number,
): Promise<number> {
  const world = new BridgeWorld({ capacity: count });
  await world.loadBehaviours(MODULE);
  const size = swarmWorldSize(count);
  world.globals[SWARM_WORLD_SIZE] = size;
  for (let i = 0; i < count; i++) {
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
