// tests/ts/demo-capacity.test.ts — the demo's entity limit is the one the page is told: a
// Proto swarm asked for exactly its capacity runs without a "world is full" error, and one
// entity more is refused with a sentence naming the capacity.
import { afterEach, describe, expect, it } from "vitest";
import { ProtoSimulation } from "../../demos/host/ProtoSimulation.ts";

const made: ProtoSimulation[] = [];
afterEach(() => {
  for (const s of made.splice(0)) s.dispose();
});

describe("the Proto simulation's capacity", () => {
  it("runs a swarm of exactly its capacity, bullets firing and dying, without a full world", async () => {
    const s = await ProtoSimulation.create({
      entities: 1000,
      capacity: 1000,
      observeV8Gc: false,
      log: () => {},
    });
    made.push(s);
    expect(s.maxEntities).toBe(1000);
    let errors = 0;
    for (let f = 0; f < 300; f++) errors += s.step(1000 / 60).errors.length;
    expect(errors).toBe(0);
    expect(s.frameErrors()).toEqual([]);
    expect(s.entities().count).toBeLessThanOrEqual(1000);
  }, 60_000);

  it("refuses one entity more than its capacity, naming it", async () => {
    const s = await ProtoSimulation.create({
      entities: 10,
      capacity: 1000,
      observeV8Gc: false,
      log: () => {},
    });
    made.push(s);
    expect(() => s.setEntityCount(1001)).toThrow(/capacity of 1000/);
    s.setEntityCount(1000);
  });
});
