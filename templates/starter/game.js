// The game world: a bitECS world whose components live in Proto, the wanderers, and the
// frame driver that runs their behaviour and records each frame (GC pauses of both heaps).
import { BridgeWorld, FrameDriver } from "proto/engine-bridge";
import { Body, HEIGHT, WIDTH, wanderer } from "./behaviours.js";

export const WORLD = { width: 960, height: 540 };

export async function createGame(entities = 2000) {
  const world = new BridgeWorld({ capacity: entities });
  await world.loadBehaviours(new URL("./behaviours.js", import.meta.url));
  world.globals[WIDTH] = WORLD.width;
  world.globals[HEIGHT] = WORLD.height;
  for (let i = 0; i < entities; i++) {
    const init = { x: Math.random() * WORLD.width, y: Math.random() * WORLD.height, vx: 1, vy: 0 };
    world.spawn(wanderer, init, i % 10 === 0 ? { speed: 150 } : undefined);
  }
  const driver = new FrameDriver(world);
  driver.setBudget(0.5); // ms of GC pause per frame, both heaps together
  return { world, driver, body: world.store(Body) };
}

/** Positions of every live entity, rounded, as [x0, y0, x1, y1, ...]. */
export function positions({ world, body }) {
  const out = [];
  for (let e = 1; e < world.maxEid; e++)
    if (world.alive(e)) out.push(Math.round(body.x[e] ?? 0), Math.round(body.y[e] ?? 0));
  return out;
}
