// perf/js/swarm.bench.ts — the swarm workload (perf/README.md) on the behaviour model
// (js.behaviour.swarm.{10k,100k}: one behaviour, each entity running update and commit with
// parameters inherited from the behaviour prototype, 1 in 10 overriding speed, stepped by a
// FrameDriver on the main thread) against the same math as a hand-written bitECS system
// over plain typed arrays (js.bitecs.swarm.{10k,100k}). Both call the functions of
// scripting/examples/swarm.ts, so the work per entity is the same.
import { addComponent, addEntity, createWorld, query } from "bitecs";
import {
  buildGrid,
  createGrid,
  moveTarget,
  SWARM_FAST_SPEED,
  SWARM_PARAMS,
  type SwarmWorld,
  startPosition,
  steer,
  swarmWorldSize,
} from "../../scripting/examples/swarm.ts";
import { type BenchMetric, type BenchOptions, median, wanted } from "./bench.ts";
import { swarmMsPerFrame } from "./swarm-world.ts";

export const ids = [
  "js.behaviour.swarm.10k",
  "js.bitecs.swarm.10k",
  "js.behaviour.swarm.100k",
  "js.bitecs.swarm.100k",
] as const;

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

function bitecs(count: number, warmup: number, frames: number): number {
  const ecs = createWorld();
  const Position = { x: new Float64Array(count + 1), y: new Float64Array(count + 1) };
  const Velocity = { x: new Float64Array(count + 1), y: new Float64Array(count + 1) };
  const Swarm = { speed: new Float64Array(count + 1), radius: new Float64Array(count + 1) };
  const worldSize = swarmWorldSize(count);
  for (let i = 0; i < count; i++) {
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
    grid: createGrid(worldSize, SWARM_PARAMS.radius, count + 1),
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

export async function run(options: BenchOptions): Promise<BenchMetric[]> {
  const metrics: BenchMetric[] = [];
  const sizes: [string, number, number, number][] = [
    ["10k", 10_000, options.quick ? 20 : 120, options.quick ? 20 : 300],
    ["100k", 100_000, options.quick ? 10 : 40, options.quick ? 15 : 80],
  ];
  for (const [size, count, warmup, frames] of sizes) {
    if (wanted(`js.bitecs.swarm.${size}`, options))
      metrics.push({
        id: `js.bitecs.swarm.${size}`,
        value: bitecs(count, warmup, frames),
        unit: "ms/frame",
        better: "lower",
      });
    if (wanted(`js.behaviour.swarm.${size}`, options))
      metrics.push({
        id: `js.behaviour.swarm.${size}`,
        value: await swarmMsPerFrame(count, 0, warmup, frames),
        unit: "ms/frame",
        better: "lower",
      });
  }
  return metrics;
}
