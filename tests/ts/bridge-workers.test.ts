// tests/ts/bridge-workers.test.ts — behaviour scripts on the worker pool: the same
// results as one thread, structural changes through command buffers, and failures of a
// worker reported per frame while the driver stays usable.
import { afterEach, describe, expect, it } from "vitest";
import { SWARM_WORLD_SIZE, SwarmBody, swarm } from "../../engine-bridge/examples/swarm.ts";
import { BridgeWorld, FrameDriver, ScriptError, WorkerError } from "../../engine-bridge/index.ts";
import { startPosition, swarmWorldSize } from "../../scripting/examples/swarm.ts";
import {
  Age,
  DIE_ON,
  EXIT_ALL_ON,
  EXIT_ON,
  emitter,
  follower,
  HANG_ON,
  Position,
  THROW_ON,
  Velocity,
} from "./fixtures/bridge-scripts.ts";

const FIXTURE = new URL("./fixtures/bridge-scripts.ts", import.meta.url).href;
const SWARM = new URL("../../engine-bridge/examples/swarm.ts", import.meta.url).href;
const drivers: FrameDriver[] = [];

async function setup(workers: number, options: { workerTimeoutMs?: number } = {}): Promise<FrameDriver> {
  const world = new BridgeWorld({ capacity: 2000 });
  await world.loadBehaviours(FIXTURE);
  const driver = new FrameDriver(world, { observeV8Gc: false, ...options });
  drivers.push(driver);
  for (let i = 0; i < 300; i++)
    world.spawn(follower, { x: (i * 37) % 101, y: i }, i % 10 === 0 ? { gain: 3 } : {});
  for (let i = 0; i < 30; i++) world.spawn(emitter, { x: i });
  const pos = world.store(Position);
  const vel = world.store(Velocity);
  driver.addSystem("integrate", (w, dt) => {
    for (let e = 1; e < w.maxEid; e++) {
      pos.x[e] = (pos.x[e] as number) + (vel.vx[e] as number) * dt;
      pos.y[e] = (pos.y[e] as number) + (vel.vy[e] as number) * dt;
    }
  });
  await driver.setWorkers(workers);
  return driver;
}

function snapshot(driver: FrameDriver): number[] {
  const w = driver.world;
  const out: number[] = [w.entityCount];
  const pos = w.store(Position);
  const vel = w.store(Velocity);
  for (let e = 1; e < w.maxEid; e++) {
    if (!w.alive(e)) continue;
    out.push(
      e,
      w.behaviourIds[e] as number,
      pos.x[e] as number,
      pos.y[e] as number,
      vel.vx[e] as number,
      vel.vy[e] as number,
    );
  }
  return out;
}

afterEach(async () => {
  for (const d of drivers.splice(0)) await d.dispose();
});

describe("the worker pool", () => {
  it("gives the same world as one thread for deterministic scripts (2 workers)", async () => {
    const serial = await setup(0);
    const parallel = await setup(2);
    expect(parallel.workers).toBe(2);
    for (let f = 0; f < 40; f++) {
      expect(serial.step(1 / 60).errors).toEqual([]);
      expect(parallel.step(1 / 60).errors).toEqual([]);
    }
    expect(parallel.world.entityCount).toBeGreaterThan(330); // sparks were spawned through command buffers
    expect(snapshot(parallel)).toEqual(snapshot(serial));
  });

  it("gives the same swarm as one thread for a two-phase script (update, then commit)", async () => {
    const run = async (workers: number) => {
      const world = new BridgeWorld({ capacity: 3000 });
      await world.loadBehaviours(SWARM);
      world.globals[SWARM_WORLD_SIZE] = swarmWorldSize(3000);
      for (let i = 0; i < 3000; i++) {
        const [x, y] = startPosition(i, swarmWorldSize(3000));
        world.spawn(swarm, { x, y }, i % 10 === 0 ? { speed: 90 } : undefined);
      }
      const driver = new FrameDriver(world, { observeV8Gc: false });
      drivers.push(driver);
      await driver.setWorkers(workers);
      for (let f = 0; f < 30; f++) expect(driver.step(1 / 60).errors).toEqual([]);
      return Array.from(world.store(SwarmBody).x);
    };
    const serial = await run(0);
    expect(await run(2)).toEqual(serial);
  });

  it("makes workers' writes visible to the main thread when the frame ends", async () => {
    const driver = await setup(2);
    const vy = driver.world.store(Velocity).vy;
    driver.step(1 / 60);
    let nonZero = 0;
    for (let e = 1; e <= 300; e++) if (vy[e] !== 0) nonZero++;
    expect(nonZero).toBe(300);
  });

  it("reports a script that throws in a worker as a ScriptError of that frame", async () => {
    const driver = await setup(2);
    driver.world.globals[THROW_ON] = 1;
    const record = driver.step(1 / 60);
    expect(record.errors.length).toBeGreaterThan(0);
    const error = record.errors[0] as ScriptError;
    expect(error).toBeInstanceOf(ScriptError);
    expect(error.thread).toBeGreaterThan(0);
    expect(error.message).toMatch(/fails on purpose/);
    driver.world.globals[THROW_ON] = 0;
    expect(driver.step(1 / 60).errors).toEqual([]);
  });

  it("reports a worker that dies as a WorkerError and stays usable, then replaces it", async () => {
    const driver = await setup(2);
    driver.world.globals[EXIT_ON] = 1;
    const record = driver.step(1 / 60);
    driver.world.globals[EXIT_ON] = 0;
    expect(record.errors.some((e) => e instanceof WorkerError && /died/.test(e.message))).toBe(true);
    // The next frames run (the dead worker's range on the main thread) without errors.
    for (let i = 0; i < 5; i++) expect(driver.step(1 / 60).errors).toEqual([]);
    // …and the replacement comes up.
    for (let i = 0; i < 200 && driver.step(1 / 60) && !(await ready(driver)); i++);
    expect(await ready(driver)).toBe(true);
  });

  it("names the entities a worker that dies mid-chunk left without an update, in the message and in entities", async () => {
    const driver = await setup(2);
    const vy = driver.world.store(Velocity).vy;
    driver.step(1 / 60);
    const before = Float64Array.from(vy);
    const victim = 100;
    driver.world.globals[DIE_ON] = victim;
    const record = driver.step(1 / 60);
    driver.world.globals[DIE_ON] = 0;
    const error = record.errors.find((e) => e instanceof WorkerError) as WorkerError;
    expect(error).toBeInstanceOf(WorkerError);
    expect(error.phase).toBe("update");
    expect(error.entities).toHaveLength(1);
    const { first, last } = error.entities[0] as { first: number; last: number };
    expect(first).toBeLessThanOrEqual(victim);
    expect(last).toBeGreaterThanOrEqual(victim);
    expect(error.message).toContain(
      `died (exit code 9) during the frame; entities ${first} to ${last} may have been left without an update this frame`,
    );
    // Every follower outside that range was updated (vy gets a random kick each frame).
    for (let e = 1; e <= 300; e++) if (e < first || e > last) expect(vy[e]).not.toBe(before[e]);
  });

  it("reports that the commands a dying worker had queued that frame are lost", async () => {
    const driver = await setup(2);
    driver.world.globals[DIE_ON] = 5;
    const record = driver.step(1 / 60);
    driver.world.globals[DIE_ON] = 0;
    const error = record.errors.find((e) => e instanceof WorkerError) as WorkerError;
    expect(error.lostCommands).toBe(true);
    expect(error.message).toMatch(/the commands and script errors it had queued this frame are lost$/);
    expect(driver.world.has(5, Age)).toBe(false);
  });

  it("runs the chunks nobody claimed when every worker dies before claiming one", async () => {
    const driver = await setup(1);
    const vy = driver.world.store(Velocity).vy;
    const before = Float64Array.from(vy);
    driver.world.globals[EXIT_ALL_ON] = 1;
    const record = driver.step(1 / 60);
    driver.world.globals[EXIT_ALL_ON] = 0;
    const error = record.errors.find((e) => e instanceof WorkerError) as WorkerError;
    expect(error).toBeInstanceOf(WorkerError);
    expect(error.entities).toEqual([]);
    expect(error.message).not.toMatch(/left without/);
    for (let e = 1; e <= 300; e++) expect(vy[e]).not.toBe(before[e]);
  });

  it("terminates a worker that hangs past the timeout and reports it", async () => {
    const driver = await setup(2, { workerTimeoutMs: 300 });
    driver.world.globals[HANG_ON] = 1;
    const record = driver.step(1 / 60);
    driver.world.globals[HANG_ON] = 0;
    expect(record.errors.some((e) => e instanceof WorkerError && /in time/.test(e.message))).toBe(true);
    expect(driver.step(1 / 60).errors).toEqual([]);
  });
});

async function ready(driver: FrameDriver): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  return driver.readyWorkers === driver.workers;
}
