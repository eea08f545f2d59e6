// tests/ts/native-memory.test.ts — V8 is told what Proto's wrappers hold, and a program that
// keeps nothing never sees OutOfMemory: before an allocation fails, the addon runs V8's full
// GC (dead wrappers drop their Proto objects inside that collection) and collects again.
// This file makes the process runtime with a 32 MiB heap limit (vitest runs each file in its
// own process), so it must be the first Runtime of its process.
import { describe, expect, it } from "vitest";
import { BridgeWorld, defineBehaviour, defineComponent, FrameDriver } from "../../engine-bridge/index.ts";
import { loadAddon, type ProtoObject, Runtime } from "../../scripting/index.ts";

const runtime = new Runtime({ heapLimitMb: 32 });
const addon = loadAddon();
const Scratch = defineComponent("Scratch", { x: "f64" });

type Gc = () => void;
const gc = (globalThis as { gc?: Gc }).gc as Gc;

describe("native memory and V8", () => {
  it("runs in a 32 MiB Proto heap", () => {
    expect(runtime.heapLimitMb).toBe(32);
    expect(runtime.stats().heapLimitBytes).toBe(32 * 2 ** 20);
  });

  it("reports the native bytes of live wrappers to V8, and drops them when V8 collects the wrappers", () => {
    gc();
    const [before, v8Before] = addon.memory.reportExternalMemory();
    let held: ProtoObject[] | undefined = Array.from({ length: 20_000 }, (_, i) =>
      runtime.object({ i, j: 1 }),
    );
    const [holding, v8Holding] = addon.memory.reportExternalMemory();
    expect(holding - before).toBeGreaterThanOrEqual(20_000 * 100);
    // V8 counts it: its external-memory total (what its GC heuristics weigh) grew as much.
    expect(v8Holding - v8Before).toBeGreaterThanOrEqual(20_000 * 100);
    expect(runtime.stats().wrapperBytes).toBeGreaterThanOrEqual(holding);
    const wrappers = runtime.stats().wrappers;
    expect(held.length).toBe(20_000);
    held = undefined;
    gc();
    // The finalizers ran inside that collection: no event-loop turn needed.
    expect(runtime.stats().wrappers).toBeLessThan(wrappers - 19_000);
    const [after, v8After] = addon.memory.reportExternalMemory();
    expect(after).toBeLessThan(holding - 19_000 * 100);
    expect(v8After).toBeLessThan(v8Holding - 19_000 * 100);
  });

  it("has V8 count a column's bytes (an external ArrayBuffer: V8 accounts its backing store itself)", () => {
    const externalBefore = process.memoryUsage().external;
    const column = runtime.column("f64", 1 << 20);
    expect(process.memoryUsage().external - externalBefore).toBeGreaterThanOrEqual(column.byteLength);
  });

  it("never reports OutOfMemory to a program that keeps nothing: 1 000 frames of temporaries in 32 MiB", () => {
    // Each entity makes an 8-attribute object every frame and drops it: 500 000 objects,
    // about 2.5 times the heap limit over the run. Before the addon told V8 about native
    // memory and reclaimed before failing, the dead wrappers pinned their objects until
    // the heap was full (frame ~400 here) and every later frame threw OutOfMemory.
    let made = 0;
    const Temp = defineBehaviour({
      name: "temporaries",
      uses: [Scratch],
      update(self) {
        const o = runtime.object({ a: self.x, b: 1, c: 2, d: 3, e: 4, f: 5, g: 6, h: 7 });
        self.x += (o.get("b") as number) * 0;
        made++;
      },
    });
    const world = new BridgeWorld({ capacity: 500 });
    world.addBehaviour(Temp);
    for (let i = 0; i < 500; i++) world.spawn(Temp);
    const driver = new FrameDriver(world, { observeV8Gc: false });
    const errors: unknown[] = [];
    for (let frame = 0; frame < 1000; frame++) errors.push(...driver.step(1 / 60).errors);
    expect(errors).toEqual([]);
    expect(made).toBe(500_000);
    expect(runtime.stats().heapBytes).toBeLessThanOrEqual(32 * 2 ** 20);
  }, 60_000);

  it("collects V8's garbage and retries before an allocation fails (the addon's hook)", () => {
    // Hold wrappers until the heap is nearly full, drop them without any JS collection,
    // then allocate: the failing allocation runs V8's full GC through the hook and succeeds.
    let calls = 0;
    addon.memory.setGcHook(() => {
      calls++;
      gc();
    });
    try {
      let held: ProtoObject[] | undefined = [];
      try {
        for (;;) held.push(runtime.object({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: held.length }));
      } catch (error) {
        expect((error as { code?: string }).code).toBe("OutOfMemory");
      }
      expect(held.length).toBeGreaterThan(10_000);
      held = undefined;
      const o = runtime.object({ survives: true });
      expect(o.get("survives")).toBe(true);
      expect(calls).toBeGreaterThanOrEqual(1);
    } finally {
      addon.memory.setGcHook(gc);
    }
  });
});
