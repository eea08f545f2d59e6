// tests/ts/behaviours.test.ts — the one behaviour model: behaviours as prototype objects
// (defaults, extends, hooks), entities whose objects delegate to them, parameters of any
// Proto value, live tuning, versioned handles and the error policy of a frame.
import { describe, expect, it } from "vitest";
import {
  type BehaviourDef,
  BridgeWorld,
  DeadEntityError,
  defineBehaviour,
  defineComponent,
  FrameDriver,
  ScriptError,
  StaleEntityError,
} from "../../engine-bridge/index.ts";

const Body = defineComponent("Body", { x: "f64", vx: "f64" });

function setUp(...defs: BehaviourDef[]): { w: BridgeWorld; step: (dt?: number) => Error[] } {
  const w = new BridgeWorld({ capacity: 64 });
  for (const def of defs) if (w.behaviours.byName.get(def.name) === undefined) w.addBehaviour(def);
  const driver = new FrameDriver(w, { observeV8Gc: false });
  return { w, step: (dt = 1) => [...driver.step(dt).errors] };
}

const Mover = defineBehaviour({
  name: "mover",
  uses: [Body],
  params: { speed: 2, radius: 1 },
  init(self) {
    self.vx = self.speed;
  },
  update(self, dt) {
    self.x += self.vx * dt;
  },
});

describe("a behaviour", () => {
  it("is a prototype object holding its name and parameter defaults", () => {
    const { w } = setUp(Mover);
    expect(w.prototype(Mover).get("speed")).toBe(2);
    expect(w.prototype(Mover).get("__behaviour")).toBe("mover");
  });

  it("spawns entities whose objects delegate to it and own only their overrides", () => {
    const { w } = setUp(Mover);
    const plain = w.spawn(Mover);
    const fast = w.spawn(Mover, {}, { speed: 7 });
    expect(w.object(plain).parent?.is(w.prototype(Mover))).toBe(true);
    expect(w.object(plain).find("speed").where).toBe("inherited");
    expect(w.object(fast).find("speed")).toEqual({ where: "own", mutable: false, value: 7 });
    expect(w.object(fast).get("__eid")).toBe(fast);
  });

  it("runs init at spawn and update once per frame with dt", () => {
    const { w, step } = setUp(Mover);
    const e = w.spawn(Mover, { x: 1 });
    expect(w.store(Body).vx[e]).toBe(2);
    step(0.5);
    step(0.5);
    expect(w.store(Body).x[e]).toBe(3);
  });

  it("inherits components, parameters and hooks from the behaviour it extends", () => {
    const Tag = defineComponent("Tag", { boosted: "u8" });
    const Fast = defineBehaviour({
      name: "fast",
      extends: Mover,
      uses: [Tag],
      params: { speed: 5, boost: 1 },
    });
    const { w, step } = setUp(Fast);
    const e = w.spawn(Fast);
    step(1);
    expect(w.store(Body).x[e]).toBe(5);
    expect(w.has(e, Tag)).toBe(true);
    expect(w.prototype(Fast).parent?.is(w.prototype(Mover))).toBe(true);
    expect(w.object(e).find("speed").where).toBe("inherited");
    expect(w.count(Mover)).toBe(0);
    expect(Fast.params).toEqual({ speed: 5, radius: 1, boost: 1 });
  });

  it("lets an extending behaviour replace a hook while the parent keeps its own", () => {
    const Jumper = defineBehaviour({
      name: "jumper",
      extends: Mover,
      update(self) {
        self.x += 100;
      },
    });
    const { w, step } = setUp(Mover, Jumper);
    const m = w.spawn(Mover);
    const j = w.spawn(Jumper);
    step(1);
    expect([w.store(Body).x[m], w.store(Body).x[j]]).toEqual([2, 100]);
  });

  it("keeps parameters read-only on self", () => {
    let caught: unknown;
    const Reader = defineBehaviour({
      name: "reader",
      extends: Mover,
      init(self) {
        try {
          (self as unknown as Record<string, number>).speed = 3;
        } catch (error) {
          caught = error;
        }
      },
    });
    const { w } = setUp(Reader);
    w.spawn(Reader);
    expect(caught).toBeInstanceOf(TypeError);
    expect(String(caught)).toMatch(/parameter 'speed' is read-only/);
  });

  it("takes parameters of any Proto value and reads the others through the entity's object", () => {
    const { w: world } = setUp();
    const home = world.runtime.object({ x: 5 });
    const seen: unknown[] = [];
    const Homing = defineBehaviour({
      name: "homing",
      uses: [Body],
      params: { home, label: "scout", armed: false, speed: 1 },
      update(self) {
        seen.push(self.home.get("x"), self.label, self.armed, self.speed, self.object.get("__eid"));
      },
    });
    world.addBehaviour(Homing);
    const driver = new FrameDriver(world, { observeV8Gc: false });
    const e = world.spawn(Homing, {}, { label: "leader", armed: true });
    expect(driver.step(1).errors).toEqual([]);
    expect(seen).toEqual([5, "leader", true, 1, e]);
    expect(() => world.spawn(Homing, {}, { label: 3 } as never)).toThrow(
      /parameter 'label' of 'homing' is a string, got a number \(3\)/,
    );
  });
});

describe("live tuning", () => {
  it("makes a new default reach every entity that does not override it, from the next frame, without a reload", () => {
    const Tuned = defineBehaviour({
      name: "tuned",
      extends: Mover,
      update(self) {
        self.vx = self.speed;
      },
    });
    const Child = defineBehaviour({ name: "tunedChild", extends: Tuned, params: { boost: 1 } });
    const { w, step } = setUp(Tuned, Child);
    const plain = w.spawn(Tuned);
    const own = w.spawn(Tuned, {}, { speed: 7 });
    const child = w.spawn(Child);
    step();
    w.setParam(Mover, "speed", 10);
    step();
    expect([plain, own, child].map((e) => w.store(Body).vx[e])).toEqual([10, 7, 10]);
    expect([plain, own, child].map((e) => w.object(e).get("speed"))).toEqual([10, 7, 10]);
    expect(w.prototype(Mover).get("speed")).toBe(10);
  });

  it("changes one entity's override, and undefined gives the default back", () => {
    const seen: number[] = [];
    const Watch = defineBehaviour({
      name: "watch",
      extends: Mover,
      update(self) {
        seen.push(self.speed);
      },
    });
    const { w, step } = setUp(Watch);
    const e = w.spawn(Watch);
    step();
    w.setOverride(e, "speed", 4);
    step();
    w.setOverride(e, "speed", undefined);
    step();
    expect(seen).toEqual([2, 4, 2]);
    expect(w.object(e).find("speed").where).toBe("inherited");
  });

  it("refuses an unknown parameter, a value of another kind, and an inherited parameter set on the child", () => {
    const Fast = defineBehaviour({ name: "fastMover", extends: Mover, params: { boost: 1 } });
    const { w } = setUp(Fast);
    expect(() => w.setParam(Mover, "sped", 1)).toThrow(/behaviour 'mover' has no parameter "sped"/);
    expect(() => w.setParam(Mover, "speed", "fast")).toThrow(/'speed' of 'mover' is a number, got a string/);
    expect(() => w.setParam(Fast, "speed", 3)).toThrow(/'speed' of 'fastMover' is inherited from 'mover'/);
    expect(w.prototype(Mover).get("speed")).toBe(2);
  });
});

describe("entity handles", () => {
  it("name the same entity while it lives and fail clearly once its id is reused", () => {
    const { w } = setUp(Mover);
    const a = w.spawn(Mover);
    const handle = w.handle(a);
    expect(handle).not.toBe(a);
    expect(w.resolve(handle)).toBe(a);
    expect(w.alive(handle)).toBe(true);
    w.despawn(handle);
    const b = w.spawn(Mover);
    expect(b).toBe(a); // bitECS recycles the id
    expect(() => w.resolve(handle)).toThrow(StaleEntityError);
    expect(() => w.despawn(handle)).toThrow(/handle \d+ is stale: entity \d+ it referred to is gone/);
    expect(w.alive(handle)).toBe(false);
    expect(w.alive(b)).toBe(true);
  });

  it("are checked when a queued command applies: a stale one is an error of that frame only", () => {
    let target = 0;
    const Killer = defineBehaviour({
      name: "killer",
      uses: [Body],
      update(_self, _dt, ctx) {
        if (target !== 0) ctx.despawn(target);
      },
    });
    const { w, step } = setUp(Mover, Killer);
    w.spawn(Killer);
    const victim = w.spawn(Mover);
    target = w.handle(victim);
    w.despawn(victim);
    const reuse = w.spawn(Mover);
    const errors = step();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(StaleEntityError);
    expect(w.alive(reuse)).toBe(true);
    target = 0;
    expect(step()).toEqual([]);
  });
});

describe("a frame", () => {
  it("reports an entity whose hook throws in its errors and runs every other entity", () => {
    const Flaky = defineBehaviour({
      name: "flaky",
      extends: Mover,
      update(self) {
        if (self.eid % 2 === 0) throw new Error("bug");
        self.x += 1;
      },
    });
    const { w, step } = setUp(Flaky);
    const ids = Array.from({ length: 6 }, () => w.spawn(Flaky));
    const errors = step();
    expect(errors).toHaveLength(3);
    expect(errors.every((e) => e instanceof ScriptError)).toBe(true);
    expect(ids.filter((e) => e % 2 === 1).every((e) => w.store(Body).x[e] === 1)).toBe(true);
    expect(() => w.despawn(999)).toThrow(DeadEntityError);
  });
});
