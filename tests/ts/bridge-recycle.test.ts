// tests/ts/bridge-recycle.test.ts — scripts with `recycle: true`: a frame that despawns one
// of their entities and spawns one of the same script reuses the entity (same id, rows
// zeroed, a new Proto object) without telling bitECS; anything else is a normal removal.
import { addComponent, observe, onRemove, query } from "bitecs";
import { describe, expect, it } from "vitest";
import { BridgeWorld, defineBehaviour, defineComponent, FrameDriver } from "../../engine-bridge/index.ts";

const Shot = defineComponent("Shot", { x: "f64", life: "f64" });
const Mark = defineComponent("Mark", { m: "f64" });

/** Lives `life` frames, then despawns; one in two spawns a successor as it dies. */
const shot = defineBehaviour({
  name: "shot",
  uses: [Shot],
  params: { speed: 1 },
  recycle: true,
  update(self, _dt, ctx) {
    self.x += self.speed;
    self.life -= 1;
    if (self.life <= 0) {
      ctx.despawn(self.eid);
      const next = ctx.spawn(shot);
      next.life = 3;
      next.x = 100;
    }
  },
});

async function world(): Promise<{ w: BridgeWorld; driver: FrameDriver }> {
  const w = new BridgeWorld({ capacity: 100 });
  w.store(Mark);
  w.addBehaviour(shot);
  return { w, driver: new FrameDriver(w, { observeV8Gc: false, youngGcInSlack: false }) };
}

describe("recycled entities", () => {
  it("reuse a despawned entity for a spawn of the same script in the same frame, unseen by bitECS", async () => {
    const { w, driver } = await world();
    const removed: number[] = [];
    observe(w.ecs, onRemove(w.tag(shot)), (eid: number) => removed.push(eid));
    const a = w.spawn(shot, { life: 1, x: 5 }, { speed: 7 });
    const tokens = w.runtime.stats().sharedTokens;
    const record = driver.step(1 / 60);
    expect(record.errors).toEqual([]);
    expect(w.alive(a)).toBe(true); // the same entity, now the new shot
    expect(w.count(shot)).toBe(1);
    expect(w.store(Shot).x[a]).toBe(100);
    expect(w.store(Shot).life[a]).toBe(3);
    expect(w.object(a).get("speed")).toBe(1); // a new object: the old override is gone
    expect(w.object(a).get("__eid")).toBe(a);
    expect(removed).toEqual([]);
    expect(query(w.ecs, [w.store(Shot)]).length).toBe(1);
    expect(w.runtime.stats().sharedTokens).toBe(tokens); // one token dropped, one made
    await driver.dispose();
  });

  it("removes a parked entity no spawn took, and never recycles one with other components", async () => {
    const { w, driver } = await world();
    const removed: number[] = [];
    observe(w.ecs, onRemove(w.tag(shot)), (eid: number) => removed.push(eid));
    const a = w.spawn(shot, { life: 5 });
    const b = w.spawn(shot, { life: 5 });
    addComponent(w.ecs, b, w.store(Mark));
    w.commands.despawn(a);
    w.commands.despawn(b);
    const s = w.commands.spawn(shot);
    s.life = 9;
    driver.step(1 / 60);
    // b had a Mark: removed for real; a was reused by the spawn.
    expect(removed).toEqual([b]);
    expect(w.alive(a)).toBe(true);
    expect(w.store(Shot).life[a]).toBe(9); // commands apply after the updates
    expect(w.count(shot)).toBe(1);
    w.commands.despawn(a);
    driver.step(1 / 60);
    expect(removed).toEqual([b, a]);
    expect(w.count(shot)).toBe(0);
    expect(w.entityCount).toBe(0);
    await driver.dispose();
  });
});
