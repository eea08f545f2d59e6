// tests/ts/caller-objects.test.ts — objects callers hand in (init values, overrides,
// options, definitions) are read by their own, known fields only, with the same type
// checks everywhere: nothing inherited is read, and no caller key is ever written by name
// into a JS object, so nothing can pollute a prototype.
import { describe, expect, it } from "vitest";
import {
  type BehaviourDef,
  BridgeWorld,
  defineBehaviour,
  defineComponent,
  FrameDriver,
} from "../../engine-bridge/index.ts";
import { Runtime } from "../../scripting/index.ts";
import { Age, follower, Position } from "./fixtures/bridge-scripts.ts";

const FIXTURE = new URL("./fixtures/bridge-scripts.ts", import.meta.url).href;

async function world(): Promise<BridgeWorld> {
  const w = new BridgeWorld({ capacity: 100 });
  await w.loadBehaviours(FIXTURE);
  return w;
}

/** Runs `body` with `Object.prototype[key]` set to `value`, then removes it. */
function polluted<T>(key: string, value: unknown, body: () => T): T {
  Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true });
  try {
    return body();
  } finally {
    delete (Object.prototype as Record<string, unknown>)[key];
  }
}

describe("addComponent(eid, component, init)", () => {
  it("refuses a JSON '__proto__' key as an unknown field and leaves Object.prototype alone", async () => {
    const w = await world();
    const eid = w.spawnEmpty();
    const init = JSON.parse('{"__proto__": 7}');
    expect(() => w.addComponent(eid, Age, init)).toThrow(TypeError);
    expect(() => w.addComponent(eid, Age, init)).toThrow(`component 'Age' has no field "__proto__"`);
    expect(({} as Record<number, unknown>)[eid]).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, eid)).toBe(false);
    expect(w.has(eid, Age)).toBe(false);
  });

  it("refuses {toString: 1} and Object.prototype.toString stays a function", async () => {
    const w = await world();
    const eid = w.spawnEmpty();
    const original = Object.prototype.toString;
    expect(() => w.addComponent(eid, Age, { toString: 1 } as never)).toThrow(/has no field "toString"/);
    expect(Object.prototype.toString).toBe(original);
  });

  it("refuses values that are not numbers, as spawn() does, and adds nothing", async () => {
    const w = await world();
    const eid = w.spawnEmpty();
    expect(() => w.addComponent(eid, Age, { age: "12" } as never)).toThrow(TypeError);
    expect(() => w.addComponent(eid, Age, { age: "12" } as never)).toThrow(
      /^addComponent\(entity, component, init\): expected init\.age to be a number, got a string/,
    );
    expect(() => w.addComponent(eid, Age, { age: {} } as never)).toThrow(/expected init\.age to be a number/);
    expect(() => w.spawn(follower, { x: "12" } as never)).toThrow(/expected init\.x to be a number/);
    expect(w.has(eid, Age)).toBe(false);
    w.addComponent(eid, Age, { age: 3 });
    expect(w.store(Age).age[eid]).toBe(3);
  });

  it("is what ctx.add goes through: a bad init becomes a frame error and pollutes nothing", async () => {
    const w = new BridgeWorld({ capacity: 100 });
    const Marker = defineComponent("Marker", { mark: "f64" });
    const adder: BehaviourDef = defineBehaviour({
      name: "adder",
      uses: [Position],
      update(self, _dt, ctx) {
        ctx.add(self.eid, Marker, JSON.parse('{"__proto__": 9}'));
        ctx.add(self.eid, Marker, { mark: "1" } as never);
      },
    });
    w.store(Marker);
    w.addBehaviour(adder);
    const eid = w.spawn(adder);
    const driver = new FrameDriver(w, { observeV8Gc: false });
    const record = driver.step(1 / 60);
    await driver.dispose();
    expect(record.errors.map((e) => e.message)).toEqual([
      `add 'Marker' command: component 'Marker' has no field "__proto__"`,
      expect.stringMatching(/^add 'Marker' command: expected init\.mark to be a number, got a string/),
    ]);
    expect(({} as Record<number, unknown>)[eid]).toBeUndefined();
    expect(w.has(eid, Marker)).toBe(false);
  });
});

describe("spawn(script, init, overrides)", () => {
  it("reads the caller's own fields only, never inherited ones", async () => {
    const w = await world();
    const eid = w.spawn(follower, Object.create({ x: 5 }), Object.create({ gain: 9 }));
    expect(w.store(Position).x[eid]).toBe(0);
    expect(w.object(eid).find("gain").where).toBe("inherited");
  });

  it("refuses a '__proto__' override as an unknown parameter", async () => {
    const w = await world();
    expect(() => w.spawn(follower, {}, JSON.parse('{"__proto__": 1}'))).toThrow(
      `behaviour 'follower' has no parameter "__proto__"`,
    );
    expect(w.entityCount).toBe(0);
  });
});

describe("definitions and options", () => {
  it("take runtime options from the caller's own properties only", () => {
    expect(() => new Runtime(Object.create({ heapLimitMb: 77 }))).not.toThrow();
  });

  it("never take a behaviour hook from a polluted Object.prototype, also through extends", async () => {
    let calls = 0;
    const world = new BridgeWorld({ capacity: 4 });
    polluted(
      "update",
      () => calls++,
      () => {
        const Plain = defineBehaviour({ name: "plainNoUpdate", uses: [Position] });
        const Child = defineBehaviour({ name: "childNoUpdate", extends: Plain });
        world.addBehaviour(Child);
        world.spawn(Child);
        world.spawn(Plain);
        const driver = new FrameDriver(world, { observeV8Gc: false });
        driver.step(1 / 60);
      },
    );
    expect(calls).toBe(0);
  });

  it("never take a script hook from a polluted Object.prototype", () => {
    const def = polluted(
      "commit",
      () => {},
      () => defineBehaviour({ name: "noCommit", uses: [Position], update() {} }),
    );
    expect(def.hooks.commit).toBeUndefined();
    expect(Object.getPrototypeOf(def.hooks)).toBe(null);
  });

  it("let an extending behaviour use names Object.prototype also has", () => {
    const Odd = defineComponent("Odd", { propertyIsEnumerable: "f64" });
    const Base = defineBehaviour({ name: "baseOwn", uses: [Position], params: { speed: 1 } });
    const Child = defineBehaviour({
      name: "childOwn",
      extends: Base,
      uses: [Odd],
      params: { isPrototypeOf: 2 },
    });
    const world = new BridgeWorld({ capacity: 4 });
    world.addBehaviour(Child);
    const e = world.spawn(Child, { propertyIsEnumerable: 4 }, { isPrototypeOf: 3 });
    expect(world.object(e).get("isPrototypeOf")).toBe(3);
    expect(world.store(Odd).propertyIsEnumerable[e]).toBe(4);
  });
});
