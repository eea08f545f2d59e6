// tests/ts/bridge-world.test.ts — the engine bridge on the main thread: components over
// Proto columns used by bitECS, entities bound to Proto objects, the frame driver, errors.
import { addComponent, addEntity, observe, onRemove, query, removeEntity } from "bitecs";
import { describe, expect, it } from "vitest";
import type { FrameRecord } from "../../engine-bridge/FrameRecord.ts";
import {
  BridgeWorld,
  CapacityError,
  DeadEntityError,
  defineBehaviour,
  defineComponent,
  FrameDriver,
  ScriptError,
} from "../../engine-bridge/index.ts";
import { loadAddon } from "../../scripting/index.ts";
import { Age, emitter, follower, Position, spark, THROW_ON, Velocity } from "./fixtures/bridge-scripts.ts";

const FIXTURE = new URL("./fixtures/bridge-scripts.ts", import.meta.url).href;

async function world(capacity = 1000): Promise<BridgeWorld> {
  const w = new BridgeWorld({ capacity });
  await w.loadBehaviours(FIXTURE);
  return w;
}

describe("bridge components", () => {
  it("are typed arrays over Proto columns that bitECS queries and systems use directly", async () => {
    const w = await world();
    const pos = w.store(Position);
    expect(pos.x).toBeInstanceOf(Float64Array);
    expect(pos.x.length).toBe(w.capacity + 1);
    const a = w.spawn(follower, { x: 5 });
    const b = w.spawn(follower, { x: 7 });
    expect([...query(w.ecs, [pos, w.store(Velocity)])].sort()).toEqual([a, b].sort());
    expect(pos.x[a]).toBe(5);
  });

  it("let bitECS queries see what scripts wrote in the same frame", async () => {
    const w = await world();
    const driver = new FrameDriver(w, { observeV8Gc: false });
    const eid = w.spawn(follower, { x: 0 }, { gain: 0, drag: 0 });
    w.store(Position).x[eid + 1] = 0;
    let seen = Number.NaN;
    const vel = w.store(Velocity);
    driver.addSystem("read", (world) => {
      for (const e of query(world.ecs, [vel])) if (e === eid) seen = vel.vy[e] as number;
    });
    driver.step(1);
    expect(seen).not.toBe(0);
    expect(seen).toBe(vel.vy[eid]);
  });

  it("let scripts see what systems wrote in the previous frame", async () => {
    const w = await world();
    const driver = new FrameDriver(w, { observeV8Gc: false });
    const eid = w.spawn(follower, {}, { gain: 1, drag: 0 });
    const pos = w.store(Position);
    driver.addSystem("place", () => {
      pos.x[eid] = -10;
    });
    driver.step(1);
    const before = w.store(Velocity).vx[eid] as number;
    driver.step(1);
    // gain · (neighbours' mean (0) − x (−10)) · dt = +10
    expect((w.store(Velocity).vx[eid] as number) - before).toBeCloseTo(10);
  });

  it("start zeroed when a recycled id gets them again", async () => {
    const w = await world();
    const eid = w.spawn(spark, { x: 3, age: 1 });
    w.despawn(eid);
    const again = w.spawn(spark);
    expect(again).toBe(eid);
    expect(w.store(Position).x[again]).toBe(0);
    expect(w.store(Age).age[again]).toBe(0);
  });

  it("work with bitECS's own addEntity and addComponent", async () => {
    const w = await world();
    const eid = addEntity(w.ecs);
    addComponent(w.ecs, eid, w.store(Age));
    w.store(Age).age[eid] = 2;
    expect(w.has(eid, Age)).toBe(true);
    expect(w.has(eid, Position)).toBe(false);
  });

  it("reject a component with another schema under a taken name", async () => {
    const w = await world();
    expect(() => w.store(defineComponent("Position", { x: "f32" }))).toThrow(/different schema/);
  });
});

describe("bridge capacity", () => {
  it("is fixed: spawning past it throws a RangeError and leaves the world usable", async () => {
    const w = await world(3);
    for (let i = 0; i < 3; i++) w.spawn(spark);
    expect(() => w.spawn(spark)).toThrow(CapacityError);
    expect(() => w.spawn(spark)).toThrow(RangeError);
    expect(w.entityCount).toBe(3);
    w.despawn(1);
    expect(w.spawn(spark)).toBe(1);
  });

  it("keeps every view valid for the world's life", async () => {
    const w = await world(100);
    const x = w.store(Position).x;
    for (let i = 0; i < 100; i++) w.spawn(spark, { x: i });
    expect(w.store(Position).x).toBe(x);
    expect(x[100]).toBe(99);
  });
});

describe("bridge entities and objects", () => {
  it("get a Proto object whose parent holds the script's parameters", async () => {
    const w = await world();
    const plain = w.spawn(follower);
    const fast = w.spawn(follower, {}, { gain: 5 });
    expect(w.object(plain).find("gain")).toMatchObject({ where: "inherited", value: 2 });
    expect(w.object(fast).find("gain")).toMatchObject({ where: "own", value: 5 });
    expect(w.object(fast).get("__eid")).toBe(fast);
    expect(w.object(fast).parent?.get("__behaviour")).toBe("follower");
  });

  it("run with their resolved parameters on self", async () => {
    const w = await world();
    const probe = defineBehaviour({
      name: "probe",
      uses: [Age],
      params: { speed: 1 },
      update(self) {
        self.age = self.speed;
      },
    });
    w.addBehaviour(probe);
    const a = w.spawn(probe);
    const b = w.spawn(probe, {}, { speed: 4 });
    new FrameDriver(w, { observeV8Gc: false }).step(0.016);
    expect(w.store(Age).age[a]).toBe(1);
    expect(w.store(Age).age[b]).toBe(4);
  });

  it("release their object when bitECS's removeEntity removes them", async () => {
    const w = await world();
    const before = loadAddon().memory.stats().sharedTokens;
    const eid = w.spawn(follower);
    expect(loadAddon().memory.stats().sharedTokens).toBe(before + 1);
    let observed = 0;
    observe(w.ecs, onRemove(w.tag(follower)), (e: number) => {
      observed = e;
    });
    removeEntity(w.ecs, eid);
    expect(observed).toBe(eid);
    expect(loadAddon().memory.stats().sharedTokens).toBe(before);
    expect(w.alive(eid)).toBe(false);
  });

  it("are a clear error once dead", async () => {
    const w = await world();
    const eid = w.spawn(follower);
    w.despawn(eid);
    expect(() => w.object(eid)).toThrow(DeadEntityError);
    expect(() => w.despawn(eid)).toThrow(/entity \d+ is not alive/);
    expect(() => w.addComponent(eid, Age)).toThrow(DeadEntityError);
    expect(() => w.attach(999, follower)).toThrow(DeadEntityError);
  });

  it("make a command on a dead entity an error of that frame only", async () => {
    const w = await world();
    const driver = new FrameDriver(w, { observeV8Gc: false });
    const eid = w.spawn(spark);
    w.despawn(eid);
    w.commands.add(eid, Age);
    const record = driver.step(0.01);
    expect(record.errors).toHaveLength(1);
    expect(record.errors[0]).toBeInstanceOf(DeadEntityError);
    expect(driver.step(0.01).errors).toEqual([]);
  });

  it("can be despawned twice in one frame by two scripts without an error", async () => {
    const w = await world();
    const driver = new FrameDriver(w, { observeV8Gc: false });
    const eid = w.spawn(spark, {}, { life: 0 });
    w.commands.despawn(eid);
    const record = driver.step(0.01);
    expect(record.errors).toEqual([]);
    expect(w.alive(eid)).toBe(false);
  });
});

describe("the frame driver", () => {
  it("rejects a missing world, a non-numeric worker timeout and an unnamed system", async () => {
    const w = await world();
    expect(() => new FrameDriver(undefined as unknown as BridgeWorld)).toThrow(TypeError);
    expect(
      () => new FrameDriver(w, { observeV8Gc: false, workerTimeoutMs: "5" as unknown as number }),
    ).toThrow(TypeError);
    expect(() => new FrameDriver(w, { observeV8Gc: false, workerTimeoutMs: -5 })).toThrow(RangeError);
    const driver = new FrameDriver(w, { observeV8Gc: false });
    expect(() => driver.addSystem(undefined as unknown as string, () => {})).toThrow(TypeError);
  });

  it("applies spawns and despawns queued by scripts at frame end", async () => {
    const w = await world();
    const driver = new FrameDriver(w, { observeV8Gc: false });
    w.spawn(emitter, { x: 1 });
    const counts: number[] = [];
    for (let f = 0; f < 12; f++) counts.push(driver.step(0.02).entities);
    expect(Math.max(...counts)).toBeGreaterThan(1);
    // sparks live 0.05 s = 3 frames of 0.02 s, one is born every 3 frames
    expect(counts.at(-1)).toBeLessThanOrEqual(3);
  });

  it("closes records the overlay and trace accept", async () => {
    const w = await world();
    const driver = new FrameDriver(w);
    w.spawn(follower);
    driver.setBudget(0.5);
    loadAddon().memory.collect(); // liveObjects counts what the last cycle found alive
    const record = driver.step(0.016);
    const asOverlay: FrameRecord = record;
    expect(asOverlay.frame).toBe(0);
    expect(record.budgetMs).toBe(0.5);
    expect(record.entities).toBe(1);
    expect(record.heapBytes).toBeGreaterThan(0);
    expect(record.liveObjects).toBeGreaterThan(0);
    expect(record.phases.renderMs).toBe(0);
    expect(record.phases.scriptsMs).toBeGreaterThanOrEqual(0);
    expect(driver.step(0.016).frame).toBe(1);
    await driver.dispose();
  });

  it("records the budget in force, however it was set", async () => {
    const w = await world();
    const driver = new FrameDriver(w);
    w.runtime.setGcBudgetMs(2); // not through the driver
    expect(driver.budgetMs).toBe(2);
    expect(driver.step(0.016).budgetMs).toBe(2);
    driver.setBudget(0.5);
    expect(driver.step(0.016).budgetMs).toBe(0.5);
    await driver.dispose();
  });

  it("reports a throwing script as a ScriptError and keeps running the others", async () => {
    const w = await world();
    const driver = new FrameDriver(w, { observeV8Gc: false });
    for (let i = 0; i < 20; i++) w.spawn(follower);
    w.globals[THROW_ON] = 1;
    const record = driver.step(0.01);
    expect(record.errors.length).toBe(2); // entities 7 and 14
    expect(record.errors[0]).toBeInstanceOf(ScriptError);
    expect((record.errors[0] as ScriptError).eid).toBe(7);
    expect(w.store(Velocity).vy[20]).not.toBe(0);
    w.globals[THROW_ON] = 0;
    expect(driver.step(0.01).errors).toEqual([]);
  });

  it("keeps memory bounded while 100 000 entities are spawned and despawned", async () => {
    const w = await world(4096);
    const driver = new FrameDriver(w, { observeV8Gc: false });
    const addon = loadAddon();
    const tokens = addon.memory.stats().sharedTokens;
    const samples: number[] = [];
    let spawned = 0;
    for (let frame = 0; spawned < 100_000; frame++) {
      for (let i = 0; i < 1000; i++, spawned++) w.commands.spawn(spark, { x: i }, { life: 0.02 });
      driver.step(0.01);
      if (frame % 10 === 9) {
        // let V8 finalise dropped wrappers, as a host yields between frames
        await new Promise((resolve) => setImmediate(resolve));
        samples.push(addon.memory.stats().liveObjects);
      }
    }
    for (let i = 0; i < 5; i++) driver.step(0.01);
    expect(w.entityCount).toBe(0);
    expect(w.maxEid).toBeLessThanOrEqual(3001);
    expect(addon.memory.stats().sharedTokens).toBe(tokens);
    addon.memory.collect();
    await new Promise((resolve) => setImmediate(resolve));
    addon.memory.collect();
    // No growth trend: the last samples are no larger than a bound set by one frame's churn.
    const late = samples.slice(-3);
    for (const live of late) expect(live).toBeLessThan(200_000);
    expect(addon.memory.stats().liveObjects).toBeLessThan(100_000);
  });
});
