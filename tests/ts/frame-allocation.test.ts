// tests/ts/frame-allocation.test.ts — the frame path makes no garbage: in steady state,
// FrameDriver.step (hooks, systems, command buffers, the frame record), the worker round
// and the demo host's snapshot and frame encoding allocate at most a few
// hundred bytes per frame at 1 000 entities. Measured from V8's heap use, which between two
// collections grows by exactly what JS allocated. Needs --expose-gc (vitest.config.ts).
import { getHeapStatistics } from "node:v8";
import { describe, expect, it } from "vitest";
import { Body, G, seeker, wanderer } from "../../demos/host/behaviours/swarm.ts";
import { encodeFrameInto, frameMessageBytes } from "../../demos/protocol/FrameMessage.ts";
import { CommandBuffer, CommandMerge } from "../../engine-bridge/CommandBuffer.ts";
import { emptyFrameRecord } from "../../engine-bridge/FrameRecord.ts";
import { type BehaviourDef, BridgeWorld, FrameDriver } from "../../engine-bridge/index.ts";

/** Bytes per frame the steady-state frame path may allocate (a few boxed doubles). */
const LIMIT = 384;

const gc = (globalThis as { gc?: () => void }).gc as () => void;

/**
 * Bytes `frame` allocates per call, over `frames` calls after `warmup` calls: V8's heap use
 * before and after, with no collection in between (the window is retried if one ran). The
 * warm-up is long because code that runs once per frame is optimized late (V8 counts the
 * bytecode a function runs before it compiles it), and until then every double it computes
 * is a heap object.
 */
function allocatedPerFrame(frame: () => void, frames = 400, warmup = 4000): number {
  for (let i = 0; i < warmup; i++) frame();
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 4; attempt++) {
    gc();
    const before = getHeapStatistics().used_heap_size;
    for (let i = 0; i < frames; i++) frame();
    const after = getHeapStatistics().used_heap_size;
    if (after >= before) best = Math.min(best, (after - before) / frames);
  }
  return best;
}

const SWARM = new URL("../../demos/host/behaviours/swarm.ts", import.meta.url).href;

/** The demo's swarm at 1 000 entities (no bullets: no entity is spawned or removed). */
async function swarmWorld(): Promise<BridgeWorld> {
  const world = new BridgeWorld({ capacity: 4000 });
  await world.loadBehaviours(SWARM);
  world.globals[G.WIDTH] = 400;
  world.globals[G.HEIGHT] = 300;
  world.globals[G.BULLETS_FREE] = 0;
  for (let i = 0; i < 1000; i++)
    world.spawn((i % 5 < 3 ? wanderer : seeker) as BehaviourDef, {
      x: (i * 37) % 400,
      y: (i * 91) % 300,
      vx: 10,
      vy: -5,
    });
  return world;
}

function integrate(driver: FrameDriver): void {
  const body = driver.world.store(Body);
  driver.addSystem("integrate", (w, dt) => {
    const ids = w.behaviourIds;
    for (let e = 1, end = w.maxEid; e < end; e++) {
      if (ids[e] === 0) continue;
      body.x[e] = ((((body.x[e] as number) + (body.vx[e] as number) * dt) % 400) + 400) % 400;
      body.y[e] = ((((body.y[e] as number) + (body.vy[e] as number) * dt) % 300) + 300) % 300;
    }
  });
}

describe("the steady-state frame path at 1 000 entities", () => {
  it("FrameDriver.step on the main thread (scripts, systems, commands, record) allocates a few hundred bytes at most", async () => {
    const driver = new FrameDriver(await swarmWorld());
    integrate(driver);
    const bytes = allocatedPerFrame(() => {
      driver.settle();
      driver.step(1 / 60);
    });
    await driver.dispose();
    expect(bytes).toBeLessThanOrEqual(LIMIT);
  });

  it("the worker round allocates nothing on the main thread beyond that", async () => {
    const driver = new FrameDriver(await swarmWorld());
    integrate(driver);
    await driver.setWorkers(1);
    const bytes = allocatedPerFrame(() => driver.step(1 / 60), 400, 3000);
    await driver.dispose();
    expect(bytes).toBeLessThanOrEqual(LIMIT);
  }, 60_000);

  it("queueing and merging commands allocates nothing", () => {
    const a = new CommandBuffer();
    const b = new CommandBuffer();
    const merge = new CommandMerge();
    const buffers = [a, b];
    const bytes = allocatedPerFrame(() => {
      a.clear();
      b.clear();
      for (let i = 0; i < 50; i++) {
        a.issuer = 100 - i;
        a.spawn(1);
        a.value(0, i);
        a.value(3, -i);
        b.issuer = i;
        b.despawn(i + 1);
      }
      merge.merge(buffers, 2);
    });
    expect(bytes).toBeLessThanOrEqual(64);
    expect(merge.count).toBe(100);
  });

  it("the demo host's snapshot and frame encoding allocate nothing", async () => {
    const world = await swarmWorld();
    const body = world.store(Body);
    const x = new Float32Array(4096);
    const y = new Float32Array(4096);
    const kind = new Uint8Array(4096);
    const record = emptyFrameRecord();
    const input = { frame: 0, count: 0, x, y, kind, record };
    const target = new Uint8Array(frameMessageBytes(4096, record));
    const bytes = allocatedPerFrame(() => {
      let n = 0;
      for (let e = 1; e < world.maxEid; e++) {
        if (world.behaviourIds[e] === 0) continue;
        x[n] = body.x[e] as number;
        y[n] = body.y[e] as number;
        kind[n] = 1;
        n++;
      }
      input.frame++;
      input.count = n;
      encodeFrameInto(target, input);
    });
    expect(bytes).toBeLessThanOrEqual(64);
  });
});
