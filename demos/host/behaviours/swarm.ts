// demos/host/behaviours/swarm.ts — the demo's behaviour scripts (wanderers, seekers and
// short-lived bullets), run by ProtoSimulation through the engine bridge. Edit this file
// while the demo runs: the host reloads it live and every entity keeps its state (it lives
// in the component columns), only the code and the parameter defaults change.
//
// These behaviours' parameters are the swarm's: PlainSimulation, the plain-JS baseline, reads
// them from here (and the timings from ../SwarmParams.ts), so both simulate the same swarm.
//
// Positions are integrated by the host's systems; scripts only steer (write their own
// velocity and timer) and queue spawns/despawns, so they can run on worker threads.
//
// Written to make no garbage: lengths are Math.sqrt(x * x + y * y), not Math.hypot (which
// V8 11, Node 20, runs as a builtin call that boxes its arguments: about 100 bytes a call),
// and bullets are spawned through the spawn's writer instead of an init object.

import { FIRING, targetX, targetY } from "../../../demos/host/SwarmParams.ts";
import {
  type BehaviourContext,
  defineBehaviour,
  defineComponent,
  hashRandom,
} from "../../../engine-bridge/index.ts";
import { buildGrid, createGrid, type SwarmGrid, separation } from "../../../scripting/examples/swarm.ts";

/** Position and velocity (world units, units per second). */
export const Body = defineComponent("Body", { x: "f64", y: "f64", vx: "f64", vy: "f64" });
/** Milliseconds: a bullet's remaining life, a seeker's time until it may fire. */
export const Timer = defineComponent("Timer", { timer: "f32" });

/** Slots of the world's globals the host fills every frame. */
export const G = { WIDTH: 0, HEIGHT: 1, BULLETS_FREE: 2 } as const;

const push = new Float64Array(2);

/** Turns an acceleration into the new, speed-limited velocity of `self`. */
function drive(
  self: { vx: number; vy: number },
  ax: number,
  ay: number,
  maxForce: number,
  maxSpeed: number,
  dt: number,
): void {
  const a = Math.sqrt(ax * ax + ay * ay);
  if (a > maxForce) {
    ax *= maxForce / a;
    ay *= maxForce / a;
  }
  let vx = self.vx + ax * dt;
  let vy = self.vy + ay * dt;
  const v = Math.sqrt(vx * vx + vy * vy);
  if (v > maxSpeed) {
    vx *= maxSpeed / v;
    vy *= maxSpeed / v;
  }
  self.vx = vx;
  self.vy = vy;
}

/** Drifts around with a random walk (deterministic: hashRandom of id and frame). */
export const wanderer = defineBehaviour({
  name: "wanderer",
  uses: [Body],
  params: { speed: 40, maxForce: 240 },
  update(self, dt, ctx) {
    const ax = (hashRandom(self.eid, ctx.frame, 1) - 0.5) * 4 * self.maxForce;
    const ay = (hashRandom(self.eid, ctx.frame, 2) - 0.5) * 4 * self.maxForce;
    drive(self, ax, ay, self.maxForce, self.speed, dt);
  },
});

/** What prepare builds for the seekers' updates: per world and thread. */
interface SeekerFrame {
  /** The neighbour grid over wanderers and seekers. */
  grid: SwarmGrid;
  ids: Int32Array;
  /** The positions the grid indexes. */
  xs: Float64Array;
  ys: Float64Array;
  /** This frame's target. */
  targetX: number;
  targetY: number;
}

// Keyed by ctx (one world's runner in one thread), so two worlds in one process never
// share a grid or read each other's columns. `current` caches the context whose prepare
// ran last in this thread; its updates follow it within the same frame.
const frames = new WeakMap<BehaviourContext, SeekerFrame>();
let currentCtx: BehaviourContext | undefined;
let current: SeekerFrame | undefined;

function frameOf(ctx: BehaviourContext): SeekerFrame {
  if (ctx !== currentCtx) {
    current = frames.get(ctx);
    currentCtx = ctx;
  }
  return current as SeekerFrame;
}

function prepareSeekers(ctx: BehaviourContext): void {
  const body = ctx.store(Body);
  const width = ctx.globals[G.WIDTH] as number;
  const height = ctx.globals[G.HEIGHT] as number;
  const size = Math.max(width, height);
  let f = frames.get(ctx);
  if (f === undefined || f.grid.worldSize !== size || f.grid.items.length !== body.x.length) {
    f = {
      grid: createGrid(size, seeker.params.radius, body.x.length),
      ids: new Int32Array(body.x.length),
      xs: body.x,
      ys: body.y,
      targetX: 0,
      targetY: 0,
    };
    frames.set(ctx, f);
  }
  const a = ctx.entities(wanderer);
  const b = ctx.entities(seeker);
  const ids = f.ids;
  for (let i = 0; i < a.count; i++) ids[i] = a.ids[i] as number;
  for (let i = 0; i < b.count; i++) ids[a.count + i] = b.ids[i] as number;
  buildGrid(f.grid, body.x, body.y, ids, a.count + b.count);
  f.xs = body.x;
  f.ys = body.y;
  f.targetX = targetX(ctx.time, width);
  f.targetY = targetY(ctx.time, height);
  currentCtx = ctx;
  current = f;
}

/** Steers toward a moving target, keeps away from its neighbours, fires bullets. */
export const seeker = defineBehaviour({
  name: "seeker",
  uses: [Body, Timer],
  // bulletLife: ms on average; each bullet lives bulletLife × (0.5 + r), r in [0, 1).
  params: { speed: 90, maxForce: 240, radius: 12, bulletSpeed: 260, bulletLife: 800 },
  prepare: prepareSeekers,
  update(self, dt, ctx) {
    const f = frameOf(ctx);
    const x = self.x;
    const y = self.y;
    const speed = self.speed;
    const dx = f.targetX - x;
    const dy = f.targetY - y;
    const len = Math.sqrt(dx * dx + dy * dy) || 1;
    let ax = (dx / len) * speed - self.vx;
    let ay = (dy / len) * speed - self.vy;
    const r = self.radius;
    separation(f.grid, f.xs, f.ys, self.eid, r, push);
    ax += (push[0] as number) * r * speed;
    ay += (push[1] as number) * r * speed;
    self.timer -= dt * 1000;
    if (self.timer <= 0 && (ctx.globals[G.BULLETS_FREE] as number) > 0) {
      const svx = self.vx;
      const svy = self.vy;
      const v = Math.sqrt(svx * svx + svy * svy) || 1;
      const bs = self.bulletSpeed;
      // Written through the spawn's writer, not an init object: no garbage per bullet.
      const b = ctx.spawn(bullet);
      b.x = x;
      b.y = y;
      b.vx = (svx / v) * bs;
      b.vy = (svy / v) * bs;
      b.timer = self.bulletLife * (0.5 + hashRandom(self.eid, ctx.frame, 3));
      self.timer = FIRING.refireMs + hashRandom(self.eid, ctx.frame, 4) * FIRING.refireSpreadMs;
    }
    drive(self, ax, ay, self.maxForce, speed, dt);
  },
});

/** Flies straight until its life runs out or it leaves the world. */
export const bullet = defineBehaviour({
  name: "bullet",
  uses: [Body, Timer],
  // A bullet that dies and one fired in the same frame are the same entity, reused: bitECS
  // is not told, and its bookkeeping allocates nothing.
  recycle: true,
  update(self, dt, ctx) {
    self.timer -= dt * 1000;
    const x = self.x;
    const y = self.y;
    if (
      self.timer <= 0 ||
      x < 0 ||
      y < 0 ||
      x >= (ctx.globals[G.WIDTH] as number) ||
      y >= (ctx.globals[G.HEIGHT] as number)
    )
      ctx.despawn(self.eid);
  },
});
