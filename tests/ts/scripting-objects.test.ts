// tests/ts/scripting-objects.test.ts — Proto objects through the scripting API:
// delegation, override, missing vs nil, mutable vs immutable attributes.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ProtoObject, type ProtoSymbol, Runtime } from "../../scripting/index.ts";

const runtime = new Runtime();

describe("a Proto object seen from JS", () => {
  it("reads its own attributes", () => {
    const o = runtime.object({ speed: 3, name: "bob", on: true });
    expect([o.get("speed"), o.get("name"), o.get("on")]).toEqual([3, "bob", true]);
  });

  it("delegates a missing attribute to its parent", () => {
    const base = runtime.object({ speed: 3 });
    const child = base.extend({ radius: 2 });
    expect(child.get("speed")).toBe(3);
    expect(child.find("speed")).toEqual({ where: "inherited", mutable: false, value: 3 });
    expect(child.find("radius")).toEqual({ where: "own", mutable: false, value: 2 });
  });

  it("lets a child override an inherited attribute without changing the parent", () => {
    const base = runtime.object({ speed: 3 });
    const fast = base.extend({ speed: 9 });
    expect([fast.get("speed"), base.get("speed")]).toEqual([9, 3]);
  });

  it("returns undefined for a missing attribute and null for a nil one", () => {
    const o = runtime.object({ target: null });
    expect(o.get("target")).toBeNull();
    expect(o.get("absent")).toBeUndefined();
    expect(o.has("target")).toBe(true);
    expect(o.has("absent")).toBe(false);
    expect(o.find("absent")).toEqual({ where: "missing", mutable: false, value: undefined });
  });

  it("writes a mutable attribute through its cell, seen by every object delegating to it", () => {
    const base = runtime.object({}, { mutable: { hp: 10 } });
    const child = base.extend();
    child.set("hp", 4);
    expect([base.get("hp"), child.get("hp")]).toEqual([4, 4]);
    expect(base.find("hp").mutable).toBe(true);
  });

  it("refuses to write an immutable attribute with a TypeError coded NotMutable", () => {
    const o = runtime.object({ speed: 3 });
    expect(() => o.set("speed", 4)).toThrow(TypeError);
    expect(() => o.set("speed", 4)).toThrow(/'speed' is immutable/);
    try {
      o.set("speed", 4);
    } catch (error) {
      expect((error as { code?: string }).code).toBe("NotMutable");
    }
    expect(o.get("speed")).toBe(3);
  });

  it("refuses to write a missing attribute with a RangeError coded Missing", () => {
    const o = runtime.object({});
    expect(() => o.set("hp", 1)).toThrow(RangeError);
    try {
      o.set("hp", 1);
    } catch (error) {
      expect((error as { code?: string }).code).toBe("Missing");
    }
  });

  it("makes a changed copy with with(), leaving the original as it was", () => {
    const o = runtime.object({ speed: 3 });
    const copy = o.with("speed", 5).with("radius", 1);
    expect([o.get("speed"), o.get("radius"), copy.get("speed"), copy.get("radius")]).toEqual([
      3,
      undefined,
      5,
      1,
    ]);
  });

  it("stores objects as attribute values and reads the same object back", () => {
    const target = runtime.object({ x: 1 });
    const o = runtime.object({ target });
    const read = o.get("target");
    expect(read).toBeInstanceOf(ProtoObject);
    expect((read as ProtoObject).is(target)).toBe(true);
    expect((read as ProtoObject).get("x")).toBe(1);
  });

  it("knows its parent and its own attribute names", () => {
    const base = runtime.object({ a: 1 });
    const child = base.extend({ b: 2, c: 3 });
    expect(child.parent?.is(base)).toBe(true);
    expect(base.parent).toBeNull();
    expect(child.ownNames().sort()).toEqual(["b", "c"]);
  });

  it("never stores undefined: it means missing", () => {
    expect(() => runtime.object({ a: undefined as unknown as null })).toThrow(TypeError);
    const o = runtime.object({}, { mutable: { a: 1 } });
    expect(() => o.set("a", undefined as unknown as null)).toThrow(/use null/);
  });
});

describe("the scripting modules", () => {
  // Objects and ropes share their base class and conversions through value.ts.
  it("keep object.ts and rope.ts apart: neither imports the other", () => {
    const imports = (file: string) =>
      [
        ...readFileSync(new URL(`../../scripting/${file}`, import.meta.url), "utf8").matchAll(
          /from "([^"]+)"/g,
        ),
      ].map((m) => m[1]);
    expect(imports("object.ts")).not.toContain("./rope.ts");
    expect(imports("rope.ts")).not.toContain("./object.ts");
  });

  it("describes every wrapper by its class in error messages", () => {
    const o = runtime.object({});
    expect(() => o.is(runtime.string("x") as unknown as ProtoObject)).toThrow(/got a ProtoString$/);
    expect(() => o.is(runtime.tuple([1]) as unknown as ProtoObject)).toThrow(/got a ProtoTuple$/);
    expect(() => runtime.string("a").concat(o as unknown as string)).toThrow(/got a ProtoObject$/);
  });
});

describe("a read through the runtime's fast path (a symbol interned once)", () => {
  const base = runtime.object(
    { speed: 1.5, name: "bob", on: true, off: false, none: null, text: runtime.string("hi") },
    { mutable: { hp: 10 } },
  );
  const entity = base.extend({ x: 1 }).extend({});

  it("answers what a read by name answers, for every kind of value", () => {
    for (const name of ["speed", "name", "on", "off", "none", "hp", "x", "absent"]) {
      expect(entity.get(runtime.symbol(name))).toEqual(entity.get(name));
      expect(entity.has(runtime.symbol(name))).toBe(entity.has(name));
    }
    expect(String(entity.get(runtime.symbol("text")))).toBe("hi");
    expect(entity.get(runtime.symbol("absent"))).toBeUndefined();
  });

  it("sees a write to a mutable attribute at the next read", () => {
    const hp = runtime.symbol("hp");
    entity.set("hp", 7);
    expect(entity.get(hp)).toBe(7);
    base.set("hp", 3.25);
    expect(entity.get(hp)).toBe(3.25);
    base.set("hp", "dead");
    expect(entity.get(hp)).toBe("dead");
  });

  it("gives the same symbol for the same name, and a number any environment can use", () => {
    expect(runtime.symbol("speed")).toBe(runtime.symbol("speed"));
    expect(typeof runtime.symbol("speed")).toBe("number");
    expect(() => runtime.symbol("")).toThrow(/must not be empty/);
    expect(() => runtime.symbol(5 as unknown as string)).toThrow(TypeError);
  });

  it("refuses a number that is no interned symbol instead of reading garbage", () => {
    expect(() => entity.get(4_000_000_000 as ProtoSymbol)).toThrow(/not interned/);
    expect(() => entity.get(0 as ProtoSymbol)).toThrow(RangeError);
    expect(() => entity.get(1.5 as ProtoSymbol)).toThrow(/whole number/);
    expect(entity.get(runtime.symbol("speed"))).toBe(1.5); // still usable
  });
});
