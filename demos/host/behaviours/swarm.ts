// demos/host/behaviours/swarm.ts — the demo's behaviour scripts (wanderers, seekers and
// short-lived bullets), run by ProtoSimulation through the engine bridge. Edit this file
// while the demo runs: the host reloads it live and every entity keeps its state (it lives
// in the component columns), only the code and the parameter defaults change.
//
// Positions are integrated by the host's systems; scripts only steer (write their own
// velocity and timer) and queue spawns/despawns, so they can run on worker threads.

import {
  defineComponent,
  defineScript,
  hashRandom,
  type ScriptContext,
} from "../../../engine-bridge/index.ts";
import { buildGrid, createGrid, type SwarmGrid } from "../../../scripting/examples/swarm.ts";

/** Position and velocity (world units, units per second). */
export const Body = defineComponent("Body", { x: "f64", y: "f64", vx: "f64", vy: "f64" });
/** Milliseconds: a bullet's remaining life, a seeker's time until it may fire. */
export const Timer = defineComponent("Timer", { timer: "f32" });

/** Slots of the world's globals the host fills every frame. */
export const G = { WIDTH: 0, HEIGHT: 1, BULLETS_FREE: 2 } as const;

const MAX_NEIGHBOURS = 8;

/** Turns an acceleration into the new, speed-limited velocity of `self`. */
function drive(
  self: { vx: number; vy: number },
  ax: number,
  ay: number,
  maxForce: number,
  maxSpeed: number,
  dt: number,
): void {
  const a = Math.hypot(ax, ay);
  if (a > maxForce) {
    ax *= maxForce / a;
    ay *= maxForce / a;
  }
  let vx = self.vx + ax * dt;
  let vy = self.vy + ay * dt;
  const v = Math.hypot(vx, vy);
  if (v > maxSpeed) {
    vx *= maxSpeed / v;
    vy *= maxSpeed / v;
  }
  self.vx = vx;
  self.vy = vy;
}

/** Drifts around with a random walk (deterministic: hashRandom of id and frame). */
export const wanderer = defineScript({
  name: "wanderer",
  uses: [Body],
  params: { speed: 40, maxForce: 240 },
  update(self, dt, ctx) {
    const ax = (hashRandom(self.eid, ctx.frame, 1) - 0.5) * 4 * self.maxForce;
    const ay = (hashRandom(self.eid, ctx.frame, 2) - 0.5) * 4 * self.maxForce;
    drive(self, ax, ay, self.maxForce, self.speed, dt);
  },
});

// Per thread: the neighbour grid over wanderers and seekers, the positions it indexes
// and this frame's target (set by prepare, which runs in a thread before its updates).
let grid: SwarmGrid | undefined;
let ids = new Int32Array(0);
let xs: Float64Array = new Float64Array(0);
let ys: Float64Array = new Float64Array(0);
let targetX = 0;
let targetY = 0;

function prepareSeekers(ctx: ScriptContext): void {
  const body = ctx.store(Body);
  const width = ctx.globals[G.WIDTH] as number;
  const height = ctx.globals[G.HEIGHT] as number;
  const size = Math.max(width, height);
  if (grid === undefined || grid.worldSize !== size || grid.items.length !== body.x.length) {
    grid = createGrid(size, seeker.params.radius, body.x.length);
    ids = new Int32Array(body.x.length);
  }
  const a = ctx.entities(wanderer);
  const b = ctx.entities(seeker);
  ids.set(a.ids.subarray(0, a.count), 0);
  ids.set(b.ids.subarray(0, b.count), a.count);
  buildGrid(grid, body.x, body.y, ids, a.count + b.count);
  xs = body.x;
  ys = body.y;
  targetX = width * (0.5 + 0.35 * Math.sin(ctx.time * 0.7));
  targetY = height * (0.5 + 0.35 * Math.sin(ctx.time * 1.1 + 1));
}

/** Steers toward a moving target, keeps away from its neighbours, fires bullets. */
export const seeker = defineScript({
  name: "seeker",
  uses: [Body, Timer],
  params: { speed: 90, maxForce: 240, radius: 12, bulletSpeed: 260, bulletLife: 800 },
  prepare: prepareSeekers,
  update(self, dt, ctx) {
    const x = self.x;
    const y = self.y;
    const speed = self.speed;
    const dx = targetX - x;
    const dy = targetY - y;
    const len = Math.hypot(dx, dy) || 1;
    let ax = (dx / len) * speed - self.vx;
    let ay = (dy / len) * speed - self.vy;
    const g = grid as SwarmGrid;
    const r = self.radius;
    const r2 = r * r;
    const cx0 = Math.max(0, Math.floor((x - r) / g.cellSize));
    const cy0 = Math.max(0, Math.floor((y - r) / g.cellSize));
    const cx1 = Math.min(g.side - 1, Math.floor((x + r) / g.cellSize));
    const cy1 = Math.min(g.side - 1, Math.floor((y + r) / g.cellSize));
    let seen = 0;
    for (let cy = cy0; cy <= cy1 && seen < MAX_NEIGHBOURS; cy++)
      for (let cx = cx0; cx <= cx1 && seen < MAX_NEIGHBOURS; cx++) {
        const c = cy * g.side + cx;
        for (let k = g.start[c] as number, end = g.start[c + 1] as number; k < end; k++) {
          const j = g.items[k] as number;
          if (j === self.eid) continue;
          const ox = x - (xs[j] as number);
          const oy = y - (ys[j] as number);
          const d2 = ox * ox + oy * oy;
          if (d2 > r2 || d2 === 0) continue;
          const push = (r * speed) / d2;
          ax += ox * push;
          ay += oy * push;
          if (++seen >= MAX_NEIGHBOURS) break;
        }
      }
    self.timer -= dt * 1000;
    if (self.timer <= 0 && (ctx.globals[G.BULLETS_FREE] as number) > 0) {
      const v = Math.hypot(self.vx, self.vy) || 1;
      const bs = self.bulletSpeed;
      ctx.spawn(bullet, {
        x,
        y,
        vx: (self.vx / v) * bs,
        vy: (self.vy / v) * bs,
        timer: self.bulletLife * (0.5 + hashRandom(self.eid, ctx.frame, 3)),
      });
      self.timer = 1000 + hashRandom(self.eid, ctx.frame, 4) * 2000;
    }
    drive(self, ax, ay, self.maxForce, speed, dt);
  },
});

/** Flies straight until its life runs out or it leaves the world. */
export const bullet = defineScript({
  name: "bullet",
  uses: [Body, Timer],
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
