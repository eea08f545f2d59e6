// tests/ts/scripting-lifetimes.test.ts — a Proto object referenced only from JS
// lives while its wrapper does and becomes collectable after; a column's block
// returns to Proto once its last view is gone. Needs --expose-gc (vitest.config.ts).
import { describe, expect, it } from "vitest";
import { BridgeWorld, defineBehaviour } from "../../engine-bridge/index.ts";
import { type ProtoObject, Runtime } from "../../scripting/index.ts";

const runtime = new Runtime();

function jsGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run the tests with --expose-gc (vitest.config.ts execArgv)");
  gc();
}

/**
 * Collects JS garbage until `done()` holds. The addon's finalizers run inside V8's
 * collection where Node supports it (native/addon/module.cpp), else from a later
 * setImmediate: waiting a little covers both.
 */
async function collectJsUntil(done: () => boolean): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    jsGc();
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (done()) return true;
  }
  return false;
}

describe("lifetimes", () => {
  it("keeps an object alive while its wrapper is reachable, across collections", () => {
    const o = runtime.object({ speed: 3 }).extend({ radius: 2 });
    for (let i = 0; i < 3; i++) runtime.collect();
    runtime.verifyHeap();
    expect([o.get("speed"), o.get("radius")]).toEqual([3, 2]);
  });

  it("releases objects after their wrappers die", async () => {
    jsGc(); // wrappers earlier tests dropped: their finalizers run inside V8's collection
    runtime.collect();
    const baseline = runtime.stats();
    let objects: ProtoObject[] | undefined = Array.from({ length: 2000 }, (_, i) => runtime.object({ i }));
    runtime.collect();
    const held = runtime.stats();
    expect(held.liveObjects).toBeGreaterThanOrEqual(baseline.liveObjects + 2000);
    expect(held.wrappers).toBeGreaterThanOrEqual(baseline.wrappers + 2000);
    expect(objects.length).toBe(2000);
    objects = undefined;
    const released = await collectJsUntil(() => runtime.stats().wrappers < held.wrappers - 1900);
    expect(released).toBe(true);
    runtime.collect();
    expect(runtime.stats().liveObjects).toBeLessThan(held.liveObjects - 1900);
    runtime.verifyHeap();
  });

  it("keeps a parent alive through its child alone", async () => {
    let parent: ProtoObject | undefined = runtime.object({ speed: 7 });
    const child = parent.extend({});
    parent = undefined;
    await collectJsUntil(() => false);
    runtime.collect();
    runtime.verifyHeap();
    expect(child.get("speed")).toBe(7);
    expect(child.parent?.get("speed")).toBe(7);
  });

  it("returns a column's block to Proto after its last view dies", async () => {
    runtime.collect();
    const before = runtime.stats().cellsInUse;
    let column: Float64Array | undefined = runtime.column("f64", 1 << 16);
    column[0] = 1;
    expect(runtime.stats().cellsInUse).toBeGreaterThanOrEqual(before + (1 << 16));
    column = undefined;
    const freed = await collectJsUntil(() => {
      runtime.object({}); // any entering call frees retired blocks
      return runtime.stats().cellsInUse < before + (1 << 16);
    });
    expect(freed).toBe(true);
  });

  it("lets a despawned entity's Proto object be collected", () => {
    const world = new BridgeWorld({ capacity: 500 });
    const Mover = defineBehaviour({ name: "lifetimeMover", params: { speed: 1 } });
    world.addBehaviour(Mover);
    runtime.collect();
    const before = runtime.stats();
    const entities = Array.from({ length: 500 }, () => world.spawn(Mover, {}, { speed: 2 }));
    runtime.collect();
    const held = runtime.stats();
    expect(held.sharedTokens).toBe(before.sharedTokens + 500);
    expect(held.liveObjects).toBeGreaterThan(before.liveObjects + 400);
    for (const e of entities) world.despawn(e);
    runtime.collect();
    const after = runtime.stats();
    expect(after.sharedTokens).toBe(before.sharedTokens);
    expect(after.liveObjects).toBeLessThan(held.liveObjects - 400);
  });
});
