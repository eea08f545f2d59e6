// perf/js/swarm.bench.ts — the swarm workload (perf/README.md) run through
// the scripting API (js.script.swarm.10k: one behaviour, 10 000 entities, each
// running update(self, dt) with parameters inherited from the behaviour
// prototype, 1 in 10 overriding speed) against the same math as a hand-written
// bitECS system over plain typed arrays (js.bitecs.swarm.10k). Both call the
// functions of scripting/examples/swarm.ts, so the work per entity is identical.
import { addComponent, addEntity, createWorld, query } from "bitecs";
import {
  buildGrid,
  createGrid,
  defineSwarm,
  moveTarget,
  SWARM_FAST_SPEED,
  SWARM_PARAMS,
  type SwarmWorld,
  startPosition,
  steer,
  swarmWorldSize,
} from "../../scripting/examples/swarm.ts";
import { Runtime } from "../../scripting/index.ts";
import { type BenchMetric, type BenchOptions, median, wanted } from "./bench.ts";

export const ids = ["js.script.swarm.10k", "js.bitecs.swarm.10k"] as const;

const COUNT = 10_000;
const DT = 1 / 60;

/** Median ms per frame of `frame` after `warmup` untimed frames. */
function msPerFrame(frame: (index: number) => void, warmup: number, frames: number): number {
  for (let i = 0; i < warmup; i++) frame(i);
  const times: number[] = [];
  for (let i = 0; i < frames; i++) {
    const start = process.hrtime.bigint();
    frame(warmup + i);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

function scripted(warmup: number, frames: number): number {
  const runtime = new Runtime();
  const { world } = defineSwarm(runtime, COUNT);
  return msPerFrame(
    (i) => {
      moveTarget(world, i);
      runtime.update(DT);
    },
    warmup,
    frames,
  );
}

function bitecs(warmup: number, frames: number): number {
  const ecs = createWorld();
  const Position = { x: new Float64Array(COUNT + 1), y: new Float64Array(COUNT + 1) };
  const Velocity = { x: new Float64Array(COUNT + 1), y: new Float64Array(COUNT + 1) };
  const Swarm = { speed: new Float64Array(COUNT + 1), radius: new Float64Array(COUNT + 1) };
  const worldSize = swarmWorldSize(COUNT);
  for (let i = 0; i < COUNT; i++) {
    const eid = addEntity(ecs);
    addComponent(ecs, eid, Position);
    addComponent(ecs, eid, Velocity);
    addComponent(ecs, eid, Swarm);
    const [x, y] = startPosition(i, worldSize);
    Position.x[eid] = x;
    Position.y[eid] = y;
    Swarm.speed[eid] = i % 10 === 0 ? SWARM_FAST_SPEED : SWARM_PARAMS.speed;
    Swarm.radius[eid] = SWARM_PARAMS.radius;
  }
  const world: SwarmWorld = {
    grid: createGrid(worldSize, SWARM_PARAMS.radius, COUNT + 1),
    xs: Position.x,
    ys: Position.y,
    targetX: 0,
    targetY: 0,
  };
  const out = new Float64Array(4);
  const swarmSystem = (dt: number) => {
    const ents = query(ecs, [Position, Velocity, Swarm]);
    buildGrid(world.grid, Position.x, Position.y, ents, ents.length);
    for (let k = 0; k < ents.length; k++) {
      const eid = ents[k] as number;
      steer(
        eid,
        Position.x[eid] as number,
        Position.y[eid] as number,
        Velocity.x[eid] as number,
        Velocity.y[eid] as number,
        Swarm.speed[eid] as number,
        Swarm.radius[eid] as number,
        world,
        dt,
        out,
      );
      Position.x[eid] = out[0] as number;
      Position.y[eid] = out[1] as number;
      Velocity.x[eid] = out[2] as number;
      Velocity.y[eid] = out[3] as number;
    }
  };
  return msPerFrame(
    (i) => {
      moveTarget(world, i);
      swarmSystem(DT);
    },
    warmup,
    frames,
  );
}

export function run(options: BenchOptions): BenchMetric[] {
  const [warmup, frames] = options.quick ? [20, 20] : [120, 300];
  const metrics: BenchMetric[] = [];
  if (wanted("js.bitecs.swarm.10k", options))
    metrics.push({
      id: "js.bitecs.swarm.10k",
      value: bitecs(warmup, frames),
      unit: "ms/frame",
      better: "lower",
    });
  if (wanted("js.script.swarm.10k", options))
    metrics.push({
      id: "js.script.swarm.10k",
      value: scripted(warmup, frames),
      unit: "ms/frame",
      better: "lower",
    });
  return metrics;
}
