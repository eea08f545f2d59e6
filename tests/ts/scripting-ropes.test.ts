// tests/ts/scripting-ropes.test.ts — Proto strings (ropes) and tuples from JS:
// made, combined, sliced, stored in attributes and read back.
import { describe, expect, it } from "vitest";
import { type ProtoObject, ProtoString, type ProtoTuple, Runtime } from "../../scripting/index.ts";

const runtime = new Runtime();

describe("a ProtoString", () => {
  it("holds text and gives it back", () => {
    const s = runtime.string("héllo 🌍");
    expect(s.toString()).toBe("héllo 🌍");
    expect([s.length, s.utf16Length, s.byteLength]).toEqual([7, 8, 11]);
  });

  it("concatenates and slices by code point", () => {
    const s = runtime.string("hello").concat(" ").concat(runtime.string("wörld"));
    expect(s.toString()).toBe("hello wörld");
    expect(s.slice(6).toString()).toBe("wörld");
    expect(s.slice(1, 4).toString()).toBe("ell");
    expect(s.indexOf("wö")).toBe(6);
    expect(s.indexOf("zz")).toBe(-1);
    expect(s.equals(runtime.string("hello wörld"))).toBe(true);
  });

  it("is stored in an attribute as text, not as a symbol", () => {
    const o = runtime.object({ title: runtime.string("Proto"), tag: "proto" });
    const title = o.get("title");
    expect(title).toBeInstanceOf(ProtoString);
    expect(String(title)).toBe("Proto");
    expect(o.get("tag")).toBe("proto");
  });

  it("throws RangeError for a slice past the end and TypeError for a lone surrogate", () => {
    const s = runtime.string("abc");
    expect(() => s.slice(1, 9)).toThrow(RangeError);
    expect(() => s.slice(-1)).toThrow(RangeError);
    expect(() => runtime.string("\ud800")).toThrow(TypeError);
    expect(() => runtime.string(5 as never)).toThrow(TypeError);
    expect(() => s.concat(5 as never)).toThrow(
      /^concat\(other\): expected other to be a ProtoString or a string, got a number/,
    );
  });
});

describe("a ProtoTuple", () => {
  it("holds values of every kind and gives them back", () => {
    const target = runtime.object({ x: 1 });
    const t = runtime.tuple([1, true, null, "sym", runtime.string("text"), target]);
    expect(t.length).toBe(6);
    const values = t.toArray();
    expect(values.slice(0, 4)).toEqual([1, true, null, "sym"]);
    expect(String(values[4])).toBe("text");
    expect((values[5] as ProtoObject).is(target)).toBe(true);
  });

  it("concatenates, slices and pushes into new tuples, leaving the old ones as they were", () => {
    const a = runtime.tuple([1, 2]);
    const b = a.concat(runtime.tuple([3])).push(4);
    expect(b.toArray()).toEqual([1, 2, 3, 4]);
    expect(a.toArray()).toEqual([1, 2]);
    expect(b.slice(1, 3).toArray()).toEqual([2, 3]);
    expect(b.at(3)).toBe(4);
  });

  it("is stored in an attribute and survives collection through it", () => {
    let t: ProtoTuple | undefined = runtime.tuple([runtime.object({ deep: 7 })]);
    const holder = runtime.object({ items: t });
    t = undefined;
    runtime.collect();
    runtime.verifyHeap();
    const items = holder.get("items") as ProtoTuple;
    expect((items.at(0) as ProtoObject).get("deep")).toBe(7);
  });

  it("throws for bad input", () => {
    const t = runtime.tuple([1]);
    expect(() => t.at(5)).toThrow(RangeError);
    expect(() => t.at(1.5)).toThrow(RangeError);
    expect(() => runtime.tuple([undefined as never])).toThrow(/^tuple\(values\): values\[0\] is undefined/);
    expect(() => runtime.tuple({} as never)).toThrow(TypeError);
    expect(() => t.concat([1] as never)).toThrow(
      /^concat\(other\): expected other to be a ProtoTuple, got an array$/,
    );
  });
});
