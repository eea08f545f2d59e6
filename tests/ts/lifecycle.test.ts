// tests/ts/lifecycle.test.ts — entities come and go cleanly: a spawn whose init hook (or
// setup) fails leaves nothing behind (no orphan that is updated every frame and that nobody
// can remove), despawning runs the destroy hook once (even when it despawns its own entity
// again) and removes the entity even when the hook throws; an entity spawned during a frame
// first runs in the next one.
import { observe, onAdd, onRemove } from "bitecs";
import { describe, expect, it } from "vitest";
import {
  type BehaviourDef,
  BridgeWorld,
  DeadEntityError,
  defineBehaviour,
  defineComponent,
  FrameDriver,
  ScriptError,
} from "../../engine-bridge/index.ts";
import { follower, Position, Velocity } from "./fixtures/bridge-scripts.ts";

const FIXTURE = new URL("./fixtures/bridge-scripts.ts", import.meta.url).href;

const Body = defineComponent("LifeBody", { x: "f64", n: "f64" });

function mainWorld(...defs: BehaviourDef[]): BridgeWorld {
  const w = new BridgeWorld({ capacity: 16 });
  for (const def of defs) w.addBehaviour(def);
  return w;
}

describe("a spawn whose init hook throws", () => {
  it("is rolled back fully and rethrows: no entity, token or behaviour row is left, nothing is updated", () => {
    let updates = 0;
    const Fragile = defineBehaviour({
      name: "fragile",
      uses: [Body],
      init(self) {
        if (self.x === 1) throw new Error("init fails");
      },
      update() {
        updates++;
      },
    });
    const w = mainWorld(Fragile);
    const tokens = w.runtime.stats().sharedTokens;
    expect(() => w.spawn(Fragile, { x: 1 })).toThrow("init fails");
    expect(w.entityCount).toBe(0);
    expect(w.count(Fragile)).toBe(0);
    expect(w.runtime.stats().sharedTokens).toBe(tokens);
    expect(Array.from(w.behaviourIds).every((id) => id === 0)).toBe(true);
    const driver = new FrameDriver(w, { observeV8Gc: false });
    driver.step(1 / 60);
    expect(updates).toBe(0);
    const ok = w.spawn(Fragile, { x: 2 });
    driver.step(1 / 60);
    expect(updates).toBe(1);
    expect(w.behaviourOf(ok)).toBe(Fragile);
  });

  it("queued from another entity's update becomes a ScriptError of that frame, and no entity", () => {
    const Fragile = defineBehaviour({
      name: "fragile",
      uses: [Body],
      init() {
        throw new Error("init fails");
      },
    });
    const Spawner = defineBehaviour({
      name: "spawner",
      uses: [Body],
      update(_self, _dt, ctx) {
        ctx.spawn(Fragile, { x: 5 });
      },
    });
    const w = mainWorld(Fragile, Spawner);
    w.spawn(Spawner);
    const driver = new FrameDriver(w, { observeV8Gc: false });
    const record = driver.step(1 / 60);
    expect(record.errors).toHaveLength(1);
    expect(record.errors[0]).toBeInstanceOf(ScriptError);
    expect(record.errors[0]?.message).toMatch(
      /behaviour 'fragile' threw in init\(\) of entity \d+.*init fails/,
    );
    expect(w.entityCount).toBe(1);
    expect(w.count(Fragile)).toBe(0);
  });

  it("does not run the destroy hook of the entity that never was", () => {
    let destroyed = 0;
    const Fragile = defineBehaviour({
      name: "fragile",
      uses: [Body],
      init() {
        throw new Error("init fails");
      },
      destroy() {
        destroyed++;
      },
    });
    const w = mainWorld(Fragile);
    expect(() => w.spawn(Fragile)).toThrow("init fails");
    expect(destroyed).toBe(0);
  });
});

describe("despawn", () => {
  it("runs the destroy hook once, even when the hook despawns its own entity again, and frees the id once", () => {
    let destroyed = 0;
    let w: BridgeWorld;
    const Selfish = defineBehaviour({
      name: "selfish",
      uses: [Body],
      destroy(self) {
        destroyed++;
        w.despawn(self.eid);
      },
    });
    w = mainWorld(Selfish);
    const a = w.spawn(Selfish);
    w.despawn(a);
    expect(destroyed).toBe(1);
    expect(() => w.despawn(a)).toThrow(DeadEntityError);
    expect(destroyed).toBe(1);
    const b = w.spawn(Selfish);
    const c = w.spawn(Selfish);
    expect(b).not.toBe(c);
    expect(w.entityCount).toBe(2);
  });

  it("removes the entity even when the destroy hook throws, and rethrows", () => {
    const Faulty = defineBehaviour({
      name: "faulty",
      uses: [Body],
      destroy() {
        throw new Error("destroy fails");
      },
    });
    const w = mainWorld(Faulty);
    const tokens = w.runtime.stats().sharedTokens;
    const a = w.spawn(Faulty);
    expect(() => w.despawn(a)).toThrow("destroy fails");
    expect(w.alive(a)).toBe(false);
    expect(w.count(Faulty)).toBe(0);
    expect(w.runtime.stats().sharedTokens).toBe(tokens);
  });

  it("queued by a script reports a throwing destroy hook as a ScriptError and removes the entity", () => {
    const Faulty = defineBehaviour({
      name: "faulty",
      uses: [Body],
      update(self, _dt, ctx) {
        ctx.despawn(self.eid);
      },
      destroy() {
        throw new Error("destroy fails");
      },
    });
    const w = mainWorld(Faulty);
    const a = w.spawn(Faulty);
    const record = new FrameDriver(w, { observeV8Gc: false }).step(1 / 60);
    expect(record.errors.map((e) => e.message)).toEqual([
      `behaviour 'faulty' threw in destroy() of entity ${a} on the main thread: destroy fails`,
    ]);
    expect(w.alive(a)).toBe(false);
  });
});

describe("an entity spawned during a frame", () => {
  it("runs its first update in the next frame, whichever behaviour spawned it and whichever updates first", () => {
    const Child = defineBehaviour({
      name: "child",
      uses: [Body],
      update(self) {
        self.n += 1;
      },
    });
    // Child is registered first, so its entities update before Parent's in a frame: a child
    // queued in frame 1 still first runs in frame 2 (spawns apply at frame end).
    const Parent = defineBehaviour({
      name: "parent",
      uses: [Body],
      update(self, _dt, ctx) {
        self.n += 1;
        if (self.n === 1) ctx.spawn(Child);
      },
    });
    const w = mainWorld(Child, Parent);
    const parent = w.spawn(Parent);
    const driver = new FrameDriver(w, { observeV8Gc: false });
    driver.step(1 / 60);
    const child = w.entityCount === 2 ? parent + 1 : -1;
    expect(w.store(Body).n[child]).toBe(0);
    const between = w.spawn(Child);
    expect(w.store(Body).n[between]).toBe(0);
    driver.step(1 / 60);
    expect([w.store(Body).n[parent], w.store(Body).n[child], w.store(Body).n[between]]).toEqual([2, 1, 1]);
  });
});

describe("the bridge's entity lifecycle", () => {
  async function world(): Promise<BridgeWorld> {
    const w = new BridgeWorld({ capacity: 10 });
    await w.loadBehaviours(FIXTURE);
    return w;
  }

  it("rolls back a spawn whose setup throws: no entity, share token or script row is left", async () => {
    const w = await world();
    let fail = true;
    observe(w.ecs, onAdd(w.tag(follower)), () => {
      if (fail) throw new Error("observer fails");
    });
    const tokens = w.runtime.stats().sharedTokens;
    expect(() => w.spawn(follower)).toThrow("observer fails");
    expect(w.entityCount).toBe(0);
    expect(w.runtime.stats().sharedTokens).toBe(tokens);
    expect(Array.from(w.behaviourIds).every((id) => id === 0)).toBe(true);
    fail = false;
    const eid = w.spawn(follower);
    expect(w.behaviourOf(eid)).toBe(follower);
  });

  it("rolls back an attach that throws: the entity runs no script and has only its own components", async () => {
    const w = await world();
    const eid = w.spawnEmpty();
    w.addComponent(eid, Position, { x: 3 });
    let fail = true;
    observe(w.ecs, onAdd(w.tag(follower)), () => {
      if (fail) throw new Error("observer fails");
    });
    const tokens = w.runtime.stats().sharedTokens;
    expect(() => w.attach(eid, follower)).toThrow("observer fails");
    expect(w.behaviourOf(eid)).toBeUndefined();
    expect(w.has(eid, Position)).toBe(true);
    expect(w.store(Position).x[eid]).toBe(3);
    expect(w.has(eid, Velocity)).toBe(false);
    expect(w.runtime.stats().sharedTokens).toBe(tokens);
    fail = false;
    w.attach(eid, follower);
    expect(w.behaviourOf(eid)).toBe(follower);
  });

  it("frees an id once when an onRemove observer despawns the entity again", async () => {
    const w = await world();
    let inner = 0;
    observe(w.ecs, onRemove(w.tag(follower)), (eid: number) => {
      if (inner++ === 0 && w.alive(eid)) w.despawn(eid);
    });
    const a = w.spawn(follower);
    w.despawn(a);
    const b = w.spawn(follower);
    const c = w.spawn(follower);
    expect(b).not.toBe(c);
    expect(w.entityCount).toBe(2);
    expect(w.behaviourOf(b)).toBe(follower);
    expect(w.behaviourOf(c)).toBe(follower);
  });
});
