// engine-bridge/examples/swarm.ts — the swarm workload (perf/README.md) as a bridge
// behaviour script, for js.script.swarm.100k and js.workers.swarm.100k.w2. The math is
// scripting/examples/swarm.ts's, shared with js.script.swarm.10k and js.bitecs.swarm.10k,
// so every swarm metric does the same work per entity.
//
// prepare() runs in every thread that runs the script: each builds its own neighbour grid
// over all entities (ctx.entities) and moves the target for this frame. The grid is kept
// per world (keyed by ctx), never in plain module state, so worlds stay independent. update() reads the
// current state (SwarmBody) and writes the next one (SwarmNext); commit() makes next
// current once every thread has finished its updates. Two reasons: a script never reads a row
// another thread is writing, so results do not depend on the thread count; and threads
// do not fight over cache lines (measured: writing positions in place while the other
// worker reads them as neighbours made each of 2 workers as slow as one thread alone).
import {
  buildGrid,
  createGrid,
  moveTarget,
  SWARM_PARAMS,
  type SwarmWorld,
  steer,
} from "../../scripting/examples/swarm.ts";
import { type BehaviourContext, defineBehaviour } from "../Behaviour.ts";
import { defineComponent } from "../Component.ts";

/** Position and velocity of a swarm entity (this frame's). */
export const SwarmBody = defineComponent("SwarmBody", { x: "f64", y: "f64", vx: "f64", vy: "f64" });
/** Position and velocity the scripts computed for the next frame. */
export const SwarmNext = defineComponent("SwarmNext", { nx: "f64", ny: "f64", nvx: "f64", nvy: "f64" });

/** The globals slot holding the world size (set by the host: swarmWorldSize(count)). */
export const SWARM_WORLD_SIZE = 0;

const out = new Float64Array(4);

// The neighbour grid and target, per world and thread: a BehaviourContext is one world's
// runner in one thread, so two worlds in the same thread (or process) never share a grid
// or read each other's columns. `current` caches the context whose prepare ran last in
// this thread; its updates follow (a frame runs prepare, then the updates, synchronously).
const worlds = new WeakMap<BehaviourContext, SwarmWorld>();
let currentCtx: BehaviourContext | undefined;
let current: SwarmWorld | undefined;

function worldOf(ctx: BehaviourContext): SwarmWorld {
  if (ctx !== currentCtx) {
    current = worlds.get(ctx);
    currentCtx = ctx;
  }
  return current as SwarmWorld;
}

/** The swarm behaviour: speed and radius are inherited from the prototype unless overridden. */
export const swarm = defineBehaviour({
  name: "swarm",
  uses: [SwarmBody, SwarmNext],
  params: { speed: SWARM_PARAMS.speed as number, radius: SWARM_PARAMS.radius as number },
  prepare(ctx) {
    const body = ctx.store(SwarmBody);
    const size = ctx.globals[SWARM_WORLD_SIZE] as number;
    let world = worlds.get(ctx);
    if (world === undefined || world.grid.worldSize !== size || world.grid.items.length !== body.x.length) {
      world = {
        grid: createGrid(size, SWARM_PARAMS.radius, body.x.length),
        xs: body.x,
        ys: body.y,
        targetX: 0,
        targetY: 0,
      };
      worlds.set(ctx, world);
    }
    moveTarget(world, ctx.frame);
    const list = ctx.entities(swarm);
    buildGrid(world.grid, body.x, body.y, list.ids, list.count);
    currentCtx = ctx;
    current = world;
  },
  update(self, dt, ctx) {
    steer(self.eid, self.x, self.y, self.vx, self.vy, self.speed, self.radius, worldOf(ctx), dt, out);
    self.nx = out[0] as number;
    self.ny = out[1] as number;
    self.nvx = out[2] as number;
    self.nvy = out[3] as number;
  },
  commit(self) {
    self.x = self.nx;
    self.y = self.ny;
    self.vx = self.nvx;
    self.vy = self.nvy;
  },
});
