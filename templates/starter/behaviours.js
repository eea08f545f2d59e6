// The game's one behaviour: wanderers drift, turn a little at random and bounce off the
// edges. The world loads this file by path (world.loadBehaviours), so it runs the same on the
// main thread or in worker threads; `speed` and `turn` live on the behaviour's prototype
// and an entity may override them.
import { defineBehaviour, defineComponent, hashRandom } from "proto/engine-bridge";

/** Position and velocity, as Proto columns that bitECS systems and the renderer read too. */
export const Body = defineComponent("Body", { x: "f64", y: "f64", vx: "f64", vy: "f64" });
/** Slots of world.globals. */
export const WIDTH = 0;
export const HEIGHT = 1;

export const wanderer = defineBehaviour({
  name: "wanderer",
  uses: [Body],
  params: { speed: 60, turn: 3 },
  update(self, dt, ctx) {
    const heading =
      Math.atan2(self.vy, self.vx) + (hashRandom(self.eid, ctx.frame) - 0.5) * self.turn * dt * 20;
    self.vx = Math.cos(heading) * self.speed;
    self.vy = Math.sin(heading) * self.speed;
    const width = ctx.globals[WIDTH] ?? 0;
    const height = ctx.globals[HEIGHT] ?? 0;
    if ((self.x < 0 && self.vx < 0) || (self.x > width && self.vx > 0)) self.vx = -self.vx;
    if ((self.y < 0 && self.vy < 0) || (self.y > height && self.vy > 0)) self.vy = -self.vy;
    self.x += self.vx * dt;
    self.y += self.vy * dt;
  },
});
