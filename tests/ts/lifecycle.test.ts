// tests/ts/lifecycle.test.ts — entities come and go cleanly: a spawn that fails leaves
// nothing behind (no orphan that is updated every frame and that nobody can destroy), and
// destroying is idempotent (a destroy hook that destroys its own entity again frees the
// slot once). The same for the engine bridge's spawn, attach and despawn.
import { observe, onAdd, onRemove } from "bitecs";
import { describe, expect, it } from "vitest";
import { BridgeWorld } from "../../engine-bridge/index.ts";
import { Runtime } from "../../scripting/index.ts";
import { follower, Position, Velocity } from "./fixtures/bridge-scripts.ts";

const FIXTURE = new URL("./fixtures/bridge-scripts.ts", import.meta.url).href;

describe("a behaviour's spawn() whose init throws", () => {
  it("is rolled back fully and rethrows: no entity is left, counted or updated", () => {
    const runtime = new Runtime();
    let failInit = true;
    let updates = 0;
    const Fragile = runtime.defineBehaviour({
      name: "fragile",
      state: { x: "f64" },
      init(self) {
        self.x = 7;
        if (failInit) throw new Error("init fails");
      },
      update() {
        updates++;
      },
    });
    expect(() => Fragile.spawn({}, { x: 1 })).toThrow("init fails");
    expect(Fragile.count).toBe(0);
    expect(Fragile.slots).toEqual([]);
    expect(Fragile.entities()).toEqual([]);
    runtime.update(1 / 60);
    expect(updates).toBe(0);
    failInit = false;
    const e = Fragile.spawn();
    expect(e.self.slot).toBe(0);
    expect(Fragile.columns.x[0]).toBe(7);
    runtime.update(1 / 60);
    expect(updates).toBe(1);
  });

  it("is rolled back when it happens inside another entity's update", () => {
    const runtime = new Runtime();
    const Fragile = runtime.defineBehaviour({
      name: "fragile",
      init() {
        throw new Error("init fails");
      },
    });
    const errors: unknown[] = [];
    const Spawner = runtime.defineBehaviour({
      name: "spawner",
      update() {
        try {
          Fragile.spawn();
        } catch (error) {
          errors.push(error);
        }
      },
    });
    Spawner.spawn();
    Spawner.spawn();
    runtime.update(1 / 60);
    expect(errors).toHaveLength(2);
    expect(Fragile.count).toBe(0);
  });

  it("does not run the destroy method of the entity that never was", () => {
    const runtime = new Runtime();
    let destroys = 0;
    const Fragile = runtime.defineBehaviour({
      name: "fragile",
      init() {
        throw new Error("init fails");
      },
      destroy() {
        destroys++;
      },
    });
    expect(() => Fragile.spawn()).toThrow("init fails");
    expect(destroys).toBe(0);
  });
});

describe("entity.destroy()", () => {
  it("is idempotent when the destroy method destroys its own entity again: the slot is freed once", () => {
    const runtime = new Runtime();
    let destroys = 0;
    const Reentrant = runtime.defineBehaviour({
      name: "reentrant",
      state: { x: "f64" },
      destroy(self) {
        destroys++;
        self.entity.destroy();
      },
    });
    const a = Reentrant.spawn({}, { x: 1 });
    const b = Reentrant.spawn({}, { x: 2 });
    a.destroy();
    a.destroy();
    expect(destroys).toBe(1);
    expect(a.alive).toBe(false);
    const c = Reentrant.spawn();
    const d = Reentrant.spawn();
    expect(c.self.slot).toBe(0);
    expect(d.self.slot).toBe(2);
    expect([b, c, d].map((e) => e.self.slot).every((slot) => slot >= 0)).toBe(true);
    expect(Reentrant.count).toBe(3);
  });

  it("destroys the entity even when the destroy method throws, and rethrows", () => {
    const runtime = new Runtime();
    const Failing = runtime.defineBehaviour({
      name: "failing",
      destroy() {
        throw new Error("destroy fails");
      },
    });
    const e = Failing.spawn();
    expect(() => e.destroy()).toThrow("destroy fails");
    expect(e.alive).toBe(false);
    expect(Failing.count).toBe(0);
    e.destroy();
    expect(Failing.spawn().self.slot).toBe(0);
  });
});

describe("an entity spawned during update()", () => {
  it("runs from the next frame, also in a behaviour that updates later in the same frame", () => {
    const runtime = new Runtime();
    const spawned: { self: { n: number } }[] = [];
    let Late: ReturnType<typeof defineLate> | undefined;
    const Spawner = runtime.defineBehaviour({
      name: "spawner",
      update() {
        if (Late !== undefined && spawned.length === 0) spawned.push(Late.spawn());
      },
    });
    function defineLate() {
      return runtime.defineBehaviour({
        name: "late",
        state: { n: "f64" },
        update(self) {
          self.n += 1;
        },
      });
    }
    Late = defineLate();
    Spawner.spawn();
    runtime.update(1 / 60);
    expect(spawned).toHaveLength(1);
    expect(spawned[0]?.self.n).toBe(0);
    runtime.update(1 / 60);
    expect(spawned[0]?.self.n).toBe(1);
  });

  it("runs from the next frame in its own behaviour, and one spawned between frames runs in the next", () => {
    const runtime = new Runtime();
    let children = 0;
    const Cell = runtime.defineBehaviour({
      name: "cell",
      state: { n: "f64" },
      update(self) {
        self.n += 1;
        if (children++ === 0) Cell.spawn();
      },
    });
    const first = Cell.spawn();
    runtime.update(1 / 60);
    expect(first.self.n).toBe(1);
    const [, child] = Cell.entities();
    expect(child?.self.n).toBe(0);
    const between = Cell.spawn();
    runtime.update(1 / 60);
    expect([first.self.n, child?.self.n, between.self.n]).toEqual([2, 1, 1]);
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
