// The wasm back end (scripting/wasm/): the runtime in a WebAssembly module, driven
// through the C ABI with the collector on its own thread. Runs when build/wasm has
// proto_wasm.js (`npm run build:wasm`); `npm run test:wasm` sets PROTO_WASM_REQUIRED=1,
// so there a missing module fails instead of skipping.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wasmModulePath } from "../../scripting/wasm/module.ts";
import { WasmRuntime } from "../../scripting/wasm/WasmRuntime.ts";

const built = existsSync(wasmModulePath());
if (!built && process.env.PROTO_WASM_REQUIRED === "1") {
  throw new Error(`PROTO_WASM_REQUIRED=1 but ${wasmModulePath()} is not built`);
}

describe.skipIf(!built)("the wasm back end", () => {
  let rt: WasmRuntime;
  beforeAll(async () => {
    rt = await WasmRuntime.create({ heapLimitMb: 64, gcBudgetMs: 0.5 });
  });
  afterAll(() => rt?.close());

  it("reports libproto's version from inside the module", () => {
    expect(rt.version()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("interns symbols: the same name gives the same id, and the id names it", () => {
    const a = rt.symbol("speed");
    expect(rt.symbol("speed")).toBe(a);
    expect(rt.symbolName(a)).toBe("speed");
  });

  it("finds inherited attributes and writes mutable ones through their cell", () => {
    const speed = rt.symbol("speed");
    const hp = rt.symbol("hp");
    const base = rt.newObject(null, [speed], [2.5]);
    const entity = rt.newObject(base, [hp], [100], [true]);
    expect(rt.get(entity, speed)).toBe(2.5);
    expect(rt.get(entity, rt.symbol("absent"))).toBeUndefined();
    rt.set(entity, hp, 42);
    expect(rt.get(entity, hp)).toBe(42);
    expect(() => rt.set(entity, speed, 1)).toThrow(/PROTO_E_NOT_MUTABLE/);
    const parent = rt.parent(entity);
    expect(parent).not.toBeNull();
    if (parent !== null) expect(rt.get(parent, speed)).toBe(2.5);
  });

  it("carries every value kind across and back", () => {
    const names = ["n", "b", "z", "s", "f"].map((n) => rt.symbol(n));
    const inner = rt.newObject(null, [], []);
    const o = rt.newObject(null, names.slice(0, 4), [Number.NaN, true, null, "walking"]);
    const withRef = rt.with(o, names[4] ?? 0, inner);
    expect(rt.get(o, names[0] ?? 0)).toBeNaN();
    expect(rt.get(o, names[1] ?? 0)).toBe(true);
    expect(rt.get(o, names[2] ?? 0)).toBeNull();
    expect(rt.get(o, names[3] ?? 0)).toBe("walking");
    const back = rt.get(withRef, names[4] ?? 0);
    expect(typeof back === "object" && back !== null && "kind" in back ? back.kind : null).toBe("object");
  });

  it("makes strings and tuples and reads them back", () => {
    const s = rt.stringConcat(rt.stringNew("héllo, "), rt.stringNew("wörld 🎮"));
    expect(rt.stringText(s)).toBe("héllo, wörld 🎮");
    const t = rt.tupleNew([1, "x", s, null]);
    const values = rt.tupleValues(t);
    expect(values.slice(0, 2)).toEqual([1, "x"]);
    const third = values[2];
    expect(third !== null && typeof third === "object" ? rt.stringText(third) : null).toBe("héllo, wörld 🎮");
  });

  it("refuses bad input with errors that name the argument", () => {
    const s = rt.stringNew("not an object");
    expect(() => rt.get(s, rt.symbol("x"))).toThrow(
      /get: object must be an object handle, got a string handle/,
    );
    expect(() => rt.newObject(null, [rt.symbol("a")], [])).toThrow(/1 names but 0 values/);
    const a = rt.symbol("a");
    expect(() => rt.newObject(null, [a, a], [1, 2])).toThrow(/given twice/);
    expect(() => rt.newObject(null, [0], [1])).toThrow(/names\[0\] must be a symbol id/);
    expect(() => rt.newColumn("f16" as "f32", 4)).toThrow(/type must be/);
    expect(() => rt.newColumn("f32", -1)).toThrow(/count must be/);
    // the runtime is still usable after each refusal
    expect(rt.get(rt.newObject(null, [a], [7]), a)).toBe(7);
  });

  it("gives columns as typed arrays over wasm memory that keep their values", () => {
    const col = rt.newColumn("f32", 1000) as Float32Array;
    expect(col.length).toBe(1000);
    expect(col.every((x) => x === 0)).toBe(true);
    col[999] = 1.5;
    expect(col[999]).toBe(1.5);
    rt.freeColumn(col);
    expect(() => rt.freeColumn(col)).toThrow(/not a live column/);
  });

  it("keeps rooted objects through collections while garbage is freed, with frame records", () => {
    const k = rt.symbol("k");
    const keep = rt.newObject(null, [k], [123]);
    const before = rt.stats().cycles;
    for (let frame = 0; frame < 30; frame++) {
      rt.frameBegin();
      for (let i = 0; i < 2000; i++) rt.newObject(keep, [k], [i]);
      const record = rt.frameEnd();
      expect(record.durationMs).toBeGreaterThanOrEqual(0);
      expect(record.budgetMs).toBe(0.5);
    }
    rt.collect();
    expect(rt.stats().cycles).toBeGreaterThan(before);
    expect(rt.get(keep, k)).toBe(123);
  });

  it("makes independent second instances", async () => {
    const other = await WasmRuntime.create({ heapLimitMb: 16 });
    try {
      other.symbol("only-here");
      expect(other.symbolName(1)).toBe("only-here");
      expect(() => rt.get(rt.newObject(null, [], []), 1)).not.toThrow();
    } finally {
      other.close();
    }
    expect(() => other.symbol("x")).toThrow(/after close/);
  });

  it("refuses options out of range", async () => {
    await expect(WasmRuntime.create({ heapLimitMb: 4096 })).rejects.toThrow(/heapLimitMb must be/);
  });
});
