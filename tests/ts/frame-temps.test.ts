// tests/ts/frame-temps.test.ts — frame temporaries: records and labels made in Proto's heap,
// held through integer handles (V8 sees numbers), ended with their frame unless kept.
// Needs --expose-gc (vitest.config.ts).
import { getHeapStatistics } from "node:v8";
import { describe, expect, it } from "vitest";
import { BridgeWorld, FrameDriver } from "../../engine-bridge/index.ts";

const world = new BridgeWorld({ capacity: 1 });
const runtime = world.runtime;
const driver = new FrameDriver(world, { observeV8Gc: false });
/** Ends the frame (and with it the frame's temporaries). */
const endFrame = () => driver.step(0);
const temps = runtime.temps;
const VEC = temps.shape("x", "y");
const EVENT = temps.shape("kind", "from", "amount");
const HP = temps.text("hp: ");
const gc = (globalThis as { gc?: () => void }).gc as () => void;

describe("frame temporaries", () => {
  it("make records and read them back through the io array", () => {
    const v = temps.vector(VEC, 1.5, -2);
    temps.io[0] = 3;
    temps.io[1] = 42;
    temps.io[2] = 0.25;
    const e = temps.record(EVENT);
    expect(typeof v).toBe("number");
    expect(temps.read(e)).toBe(3);
    expect(Array.from(temps.io.subarray(0, 3))).toEqual([3, 42, 0.25]);
    expect(temps.read(v)).toBe(2);
    expect(Array.from(temps.io.subarray(0, 2))).toEqual([1.5, -2]);
    endFrame();
  });

  it("make labels as Proto strings, without a JS string", () => {
    const l = temps.label(HP, 37);
    expect(temps.length(l)).toBe("hp: 37".length);
    expect(temps.length(temps.label(HP, 1e21))).toBe("hp: 1e+21".length);
    expect(() => temps.read(l)).toThrow(/a string, not a record/);
    endFrame();
  });

  it("end with their frame: an old handle is refused, the objects become Proto garbage", () => {
    endFrame();
    runtime.collect();
    const before = runtime.stats().liveObjects;
    let last = 0;
    for (let i = 0; i < 5000; i++) last = temps.vector(VEC, i, i);
    expect(temps.count).toBe(5000);
    runtime.collect();
    expect(runtime.stats().liveObjects).toBeGreaterThanOrEqual(before + 5000);
    endFrame();
    expect(temps.count).toBe(0);
    expect(() => temps.read(last)).toThrow(/not a temporary of this frame/);
    runtime.collect();
    runtime.collect();
    expect(runtime.stats().liveObjects).toBeLessThan(before + 100);
  });

  it("can be kept past the frame as a share token", () => {
    temps.io[0] = 9;
    temps.io[1] = 8;
    temps.io[2] = 7;
    const token = temps.keep(temps.record(EVENT));
    endFrame();
    runtime.collect();
    const kept = runtime.open(token);
    expect([kept.get("kind"), kept.get("from"), kept.get("amount")]).toEqual([9, 8, 7]);
    expect(runtime.unshare(token)).toBe(true);
  });

  it("allocate next to nothing on V8's heap, where the same data as JS objects and strings fills it", () => {
    const sink: unknown[] = [];
    const inTemps = () => {
      for (let i = 0; i < 1000; i++) {
        const v = temps.vector(VEC, i, -i);
        temps.read(v);
        if (i % 10 === 0) temps.length(temps.label(HP, i));
      }
      endFrame();
    };
    const inJs = () => {
      sink.length = 0;
      for (let i = 0; i < 1000; i++) {
        sink.push({ x: i, y: -i });
        if (i % 10 === 0) sink.push(`hp: ${i}`);
      }
      endFrame();
    };
    const perFrame = (frame: () => void) => {
      for (let i = 0; i < 300; i++) frame();
      let best = Number.POSITIVE_INFINITY;
      for (let attempt = 0; attempt < 4; attempt++) {
        gc();
        const before = getHeapStatistics().used_heap_size;
        for (let i = 0; i < 20; i++) frame();
        const after = getHeapStatistics().used_heap_size;
        if (after >= before) best = Math.min(best, (after - before) / 20);
      }
      return best;
    };
    const proto = perFrame(inTemps);
    const js = perFrame(inJs);
    // 1 100 temporaries a frame: about 40 KB as JS objects and strings, a few boxed numbers in Proto.
    expect(js).toBeGreaterThan(20_000);
    expect(proto).toBeLessThan(2048);
    expect(proto * 20).toBeLessThan(js);
  });
});
