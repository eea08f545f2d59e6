// tests/ts/messages.test.ts — error messages read like JavaScript's own: they name the
// function and the argument, say what was expected and what was received (type and, for
// a primitive, the value). A wrong type is a TypeError, a wrong value of the right type a
// RangeError, and no call ends in a raw "Cannot read properties of null".
import { describe, expect, it } from "vitest";
import { BridgeWorld, DeadEntityError, FrameDriver, ScriptError } from "../../engine-bridge/index.ts";
import { Runtime } from "../../scripting/index.ts";
import { follower } from "./fixtures/bridge-scripts.ts";

const FIXTURE = new URL("./fixtures/bridge-scripts.ts", import.meta.url).href;
const runtime = new Runtime();

async function world(): Promise<BridgeWorld> {
  const w = new BridgeWorld({ capacity: 10 });
  await w.loadBehaviours(FIXTURE);
  return w;
}

/** The error `call` throws (fails the test if it throws none). */
function thrown(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to throw");
}

describe("error messages", () => {
  it("extend({}, null) names the options argument and the null it got", () => {
    const error = thrown(() => runtime.object({}).extend({}, null as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("extend(attributes, options): expected options to be an object, got null");
    expect(() => runtime.object({}, null as never)).toThrow(
      "object(attributes, options): expected options to be an object, got null",
    );
  });

  it("str.equals() takes a JS string like concat() and indexOf() do, and names what else it got", () => {
    const abc = runtime.string("abc");
    expect(abc.equals("abc")).toBe(true);
    expect(abc.equals("abd")).toBe(false);
    const error = thrown(() => abc.equals(5 as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(
      "equals(other): expected other to be a ProtoString or a string, got a number (5)",
    );
  });

  it("world.despawn('1') is a TypeError about the id's type, not a dead entity 1", async () => {
    const w = await world();
    const eid = w.spawn(follower);
    expect(eid).toBe(1);
    const error = thrown(() => w.despawn("1" as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(DeadEntityError);
    expect(error.message).toBe(
      'despawn(entity): expected an entity id or handle (a non-negative integer), got a string ("1")',
    );
    expect(w.alive(1)).toBe(true);
    expect(() => w.despawn(-1)).toThrow(
      "despawn(entity): expected an entity id or handle (a non-negative integer), got a number (-1)",
    );
    expect(() => w.despawn(7)).toThrow(DeadEntityError);
    expect(() => w.despawn(7)).toThrow("despawn(entity): entity 7 is not alive");
    expect(() => w.object(1.5)).toThrow(
      "object(entity): expected an entity id or handle (a non-negative integer), got a number (1.5)",
    );
    expect(() => w.has(null as never, follower.uses[0])).toThrow(
      "has(entity, component): expected an entity id or handle",
    );
  });

  it("ctx.despawn('1') in a script is reported as a ScriptError naming the id's type", async () => {
    const w = await world();
    const { defineBehaviour } = await import("../../engine-bridge/index.ts");
    const bad = defineBehaviour({
      name: "badDespawn",
      uses: [],
      update(_self, _dt, ctx) {
        ctx.despawn("1" as never);
      },
    });
    w.addBehaviour(bad);
    w.spawn(bad);
    const driver = new FrameDriver(w, { observeV8Gc: false });
    const [error] = driver.step(1 / 60).errors;
    await driver.dispose();
    expect(error).toBeInstanceOf(ScriptError);
    expect(error?.message).toMatch(
      /despawn\(entity\): expected an entity id or handle \(a non-negative integer\), got a string \("1"\)$/,
    );
  });

  it("the frame driver's step, setWorkers and setBudget tell a wrong type from a wrong value", async () => {
    const driver = new FrameDriver(await world(), { observeV8Gc: false });
    expect(thrown(() => driver.step("1" as never))).toBeInstanceOf(TypeError);
    expect(() => driver.step("1" as never)).toThrow(
      'step(dt): expected dt to be a number of seconds, got a string ("1")',
    );
    expect(() => driver.step(-1)).toThrow(RangeError);
    await expect(driver.setWorkers("2" as never)).rejects.toThrow(TypeError);
    await expect(driver.setWorkers(2.5)).rejects.toThrow(RangeError);
    expect(() => driver.setBudget("1" as never)).toThrow(
      'setBudget(ms): expected ms to be a number, got a string ("1")',
    );
    expect(() => driver.setBudget(0)).toThrow(RangeError);
    await driver.dispose();
  });

  it("a world's options say which option is wrong", () => {
    expect(() => new BridgeWorld({ capacity: "10" as never })).toThrow(
      'new BridgeWorld(options): expected options.capacity to be a number, got a string ("10")',
    );
    expect(() => new BridgeWorld({ capacity: 0 })).toThrow(RangeError);
    expect(() => new BridgeWorld({ capacity: 10, globals: "8" as never })).toThrow(
      'new BridgeWorld(options): expected options.globals to be a number, got a string ("8")',
    );
  });

  it("never end in a raw 'Cannot read properties' error for a null or undefined argument", async () => {
    const w = await world();
    const calls: (() => unknown)[] = [
      () => w.runner.store(null as never),
      () => w.runner.entities(undefined as never),
      () => w.commands.add(1, null as never),
      () => w.commands.remove(1, undefined as never),
      () => w.commands.spawn(null as never),
      () => w.tag(null as never),
      () => w.spawn(undefined as never),
      () => w.store(null as never),
      () => runtime.object({}).extend(undefined, null as never),
      () => runtime.tuple([]).concat(null as never),
      () => runtime.string("a").slice(null as never),
    ];
    for (const call of calls) {
      const error = thrown(call);
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).not.toMatch(/Cannot read properties/);
      expect(error.message).toMatch(/\): expected .*, got (null|undefined)$/);
    }
  });

  it("describe long strings shortened and lone surrogates escaped", async () => {
    const driver = new FrameDriver(await world(), { observeV8Gc: false });
    const long = "x".repeat(100);
    expect(() => driver.step(long as never)).toThrow(`got a string ("${"x".repeat(40)}…")`);
    expect(() => driver.step("\uD800" as never)).toThrow('got a string ("\\ud800")');
    await driver.dispose();
  });
});
