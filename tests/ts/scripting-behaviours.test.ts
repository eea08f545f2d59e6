// tests/ts/scripting-behaviours.test.ts — behaviours as prototype objects:
// parameters, per-entity state, lifecycle methods, extends, entities, frames.
import { describe, expect, it } from "vitest";
import { Runtime } from "../../scripting/index.ts";

describe("a behaviour", () => {
  it("is a prototype object holding its parameter defaults", () => {
    const runtime = new Runtime();
    const Mover = runtime.defineBehaviour({ name: "mover", params: { speed: 2 } });
    expect(Mover.prototype.get("speed")).toBe(2);
    expect(Mover.prototype.get("__behaviour")).toBe("mover");
  });

  it("spawns entities whose objects delegate to it and own only their overrides", () => {
    const runtime = new Runtime();
    const Mover = runtime.defineBehaviour({ name: "mover", params: { speed: 2, radius: 1 } });
    const plain = Mover.spawn();
    const fast = Mover.spawn({ speed: 7 });
    expect(plain.object.parent?.is(Mover.prototype)).toBe(true);
    expect(plain.object.find("speed").where).toBe("inherited");
    expect(fast.object.find("speed")).toEqual({ where: "own", mutable: false, value: 7 });
    expect([plain.self.speed, fast.self.speed, fast.self.radius]).toEqual([2, 7, 1]);
  });

  it("keeps per-entity state in typed-array columns indexed by slot", () => {
    const runtime = new Runtime();
    const Mover = runtime.defineBehaviour({ name: "mover", state: { x: "f64", hits: "i32" } });
    const e = Mover.spawn({}, { x: 1.5 });
    e.self.hits = 3;
    expect(Mover.columns.x[e.self.slot]).toBe(1.5);
    expect(Mover.columns.hits[e.self.slot]).toBe(3);
    Mover.columns.x[e.self.slot] = 9;
    expect(e.self.x).toBe(9);
    expect(Mover.columns.hits).toBeInstanceOf(Int32Array);
  });

  it("runs init at spawn and update once per frame with dt", () => {
    const runtime = new Runtime();
    const Mover = runtime.defineBehaviour({
      name: "mover",
      params: { speed: 2 },
      state: { x: "f64" },
      init(self) {
        self.x = 10;
      },
      update(self, dt) {
        self.x += self.speed * dt;
      },
    });
    const e = Mover.spawn();
    expect(e.self.x).toBe(10);
    const record = runtime.update(0.5);
    runtime.update(0.5);
    expect(e.self.x).toBe(12);
    expect(record.frame).toBeGreaterThan(0);
    expect(record.gcPauseMs).toBeGreaterThanOrEqual(0);
  });

  it("inherits parameters, state and methods from the behaviour it extends", () => {
    const runtime = new Runtime();
    const Mover = runtime.defineBehaviour({
      name: "mover",
      params: { speed: 2 },
      state: { x: "f64" },
      update(self, dt) {
        self.x += self.speed * dt;
      },
    });
    const Fast = runtime.defineBehaviour({ name: "fast", extends: Mover, params: { speed: 5, boost: 1 } });
    const e = Fast.spawn();
    runtime.update(1);
    expect(e.self.x).toBe(5);
    expect(e.self.boost).toBe(1);
    expect(Fast.prototype.parent?.is(Mover.prototype)).toBe(true);
    expect(e.object.find("speed").where).toBe("inherited");
  });

  it("lets an extending behaviour override a method", () => {
    const runtime = new Runtime();
    const Base = runtime.defineBehaviour({
      name: "base",
      state: { x: "f64" },
      update(self) {
        self.x += 1;
      },
    });
    const Child = runtime.defineBehaviour({
      name: "child",
      extends: Base,
      update(self) {
        self.x += 100;
      },
    });
    const b = Base.spawn();
    const c = Child.spawn();
    runtime.update(1);
    expect([b.self.x, c.self.x]).toEqual([1, 100]);
  });

  it("makes parameters read-only on self and rejects unknown fields", () => {
    const runtime = new Runtime();
    const Mover = runtime.defineBehaviour({ name: "mover", params: { speed: 2 }, state: { x: "f64" } });
    const self = Mover.spawn().self as unknown as Record<string, unknown>;
    expect(() => {
      self.speed = 3;
    }).toThrow(TypeError);
    expect(() => {
      self.sped = 3;
    }).toThrow(TypeError);
    expect(() => {
      self.x = "fast";
    }).toThrow(/state 'x' must be a number/);
    expect(self.speed).toBe(2);
  });

  it("runs destroy, frees the slot for reuse and refuses later use of the entity", () => {
    const runtime = new Runtime();
    const destroyed: number[] = [];
    const Mover = runtime.defineBehaviour({
      name: "mover",
      state: { x: "f64" },
      destroy(self) {
        destroyed.push(self.x);
      },
    });
    const a = Mover.spawn({}, { x: 4 });
    const slot = a.self.slot;
    a.destroy();
    expect(destroyed).toEqual([4]);
    expect(a.alive).toBe(false);
    expect(Mover.count).toBe(0);
    expect(() => a.self.x).toThrow(/after destroy/);
    expect(() => a.object).toThrow(/after destroy/);
    a.destroy(); // idempotent: nothing happens, destroy does not run again
    expect(destroyed).toEqual([4]);
    const b = Mover.spawn();
    expect(b.self.slot).toBe(slot);
    expect(b.self.x).toBe(0);
  });

  it("lets scripts destroy and spawn entities during update", () => {
    const runtime = new Runtime();
    const Mover = runtime.defineBehaviour({
      name: "mover",
      state: { x: "f64" },
      update(self) {
        self.x += 1;
        if (self.x === 2) self.entity.destroy();
      },
    });
    const first = Mover.spawn({}, { x: 1 });
    const others = [Mover.spawn(), Mover.spawn()];
    runtime.update(1);
    expect(first.alive).toBe(false);
    expect(others.map((e) => e.self.x)).toEqual([1, 1]);
    expect(Mover.count).toBe(2);
    runtime.update(1);
    expect(Mover.count).toBe(0);
  });

  it("keeps updating exactly the live entities after many are destroyed in one frame", () => {
    const runtime = new Runtime();
    const Mover = runtime.defineBehaviour({
      name: "mover",
      state: { x: "f64", n: "f64" },
      update(self) {
        self.n += 1;
        if (self.x % 3 === 0) self.entity.destroy();
      },
    });
    const all = Array.from({ length: 200 }, (_, i) => Mover.spawn({}, { x: i }));
    runtime.update(1);
    const live = all.filter((e) => e.alive);
    expect(live.length).toBe(200 - 67);
    expect(Mover.count).toBe(live.length);
    expect([...Mover.slots].sort((a, b) => a - b)).toEqual(
      live.map((e) => e.self.slot).sort((a, b) => a - b),
    );
    runtime.update(1);
    expect(live.every((e) => e.self.n === 2)).toBe(true);
  });

  it("keeps every entity's state when its columns grow", () => {
    const runtime = new Runtime();
    const Mover = runtime.defineBehaviour({ name: "mover", state: { x: "f64", y: "f32" } });
    const entities = Array.from({ length: 300 }, (_, i) => Mover.spawn({}, { x: i, y: i / 2 }));
    expect(entities.every((e, i) => e.self.x === i && e.self.y === i / 2)).toBe(true);
    expect(Mover.columns.x.length).toBeGreaterThanOrEqual(300);
  });

  it("ends a frame whose script throws, rethrows, and runs the next frame normally", () => {
    const runtime = new Runtime();
    let fail = true;
    const Mover = runtime.defineBehaviour({
      name: "mover",
      state: { x: "f64" },
      update(self) {
        if (fail) throw new Error("script bug");
        self.x += 1;
      },
    });
    const e = Mover.spawn();
    expect(() => runtime.update(1)).toThrow("script bug");
    fail = false;
    runtime.update(1);
    expect(e.self.x).toBe(1);
  });

  it("allows object-valued parameters and resolves them on self", () => {
    const runtime = new Runtime();
    const home = runtime.object({ x: 5 });
    const Mover = runtime.defineBehaviour({ name: "mover", params: { home } });
    expect(Mover.spawn().self.home.get("x")).toBe(5);
  });
});
