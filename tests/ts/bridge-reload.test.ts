// tests/ts/bridge-reload.test.ts — several BridgeWorlds in one process: hot reload always
// imports the file's current code (module URLs are cached per process, not per world),
// and the shipped swarm script keeps its neighbour grid per world, so worlds never read
// each other's columns.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { SWARM_WORLD_SIZE, SwarmBody, swarm } from "../../engine-bridge/examples/swarm.ts";
import { type BehaviourDef, BridgeWorld, type ComponentDef, FrameDriver } from "../../engine-bridge/index.ts";
import {
  buildGrid,
  createGrid,
  moveTarget,
  SWARM_PARAMS,
  type SwarmWorld,
  startPosition,
  steer,
  swarmWorldSize,
} from "../../scripting/examples/swarm.ts";

const BRIDGE = new URL("../../engine-bridge/index.ts", import.meta.url).href;
const SWARM = new URL("../../engine-bridge/examples/swarm.ts", import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), "proto-reload-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A scripts module whose `writer` stores `value` in Out.v every frame. */
function writeScripts(path: string, value: number): void {
  writeFileSync(
    path,
    `import { defineComponent, defineBehaviour } from ${JSON.stringify(BRIDGE)};
export const Out = defineComponent("Out", { v: "f64" });
export const writer = defineBehaviour({ name: "writer", uses: [Out], update(self) { self.v = ${value}; } });
`,
  );
}

async function stepOnce(world: BridgeWorld): Promise<void> {
  const driver = new FrameDriver(world, { observeV8Gc: false });
  expect(driver.step(1 / 60).errors).toEqual([]);
  await driver.dispose();
}

describe("hot reload across worlds", () => {
  it("gives a second world's reload the file's current code, not the first world's cached reload", async () => {
    const path = join(dir, "writer.ts");
    const url = pathToFileURL(path).href;
    writeScripts(path, 1);
    const first = new BridgeWorld({ capacity: 4 });
    const [writer] = await first.loadBehaviours(url);
    const Out = writer?.uses[0] as ComponentDef;
    const a = first.spawn(writer as BehaviourDef);
    writeScripts(path, 2);
    await first.reloadBehaviours(url);
    await stepOnce(first);
    expect(first.store(Out).v?.[a]).toBe(2);

    writeScripts(path, 3);
    const second = new BridgeWorld({ capacity: 4 });
    await second.loadBehaviours(url);
    const b = second.spawn(writer as BehaviourDef);
    await second.reloadBehaviours(url);
    await stepOnce(second);
    expect(second.store(Out).v?.[b]).toBe(3);
  });

  it("never imports the same reload URL twice in a process", async () => {
    const path = join(dir, "urls.ts");
    const url = pathToFileURL(path).href;
    writeScripts(path, 1);
    const worlds = [new BridgeWorld({ capacity: 2 }), new BridgeWorld({ capacity: 2 })];
    const seen = new Set<string>();
    for (const w of worlds) {
      await w.loadBehaviours(url);
      for (let i = 0; i < 2; i++) {
        await w.reloadBehaviours(url);
        const modules = w.layout().modules;
        expect(modules).toHaveLength(1);
        seen.add(modules[0] as string);
      }
    }
    expect(seen.size).toBe(4);
  });
});

// The swarm as plain functions over arrays (update into next, then commit): what one world
// must compute, whatever other world runs in the process.
function referenceSwarm(starts: readonly [number, number][], frames: number, dt: number): number[] {
  const n = starts.length;
  const size = swarmWorldSize(n);
  const x = new Float64Array(n + 1);
  const y = new Float64Array(n + 1);
  const vx = new Float64Array(n + 1);
  const vy = new Float64Array(n + 1);
  starts.forEach(([sx, sy], i) => {
    x[i + 1] = sx;
    y[i + 1] = sy;
  });
  const ids = Int32Array.from({ length: n }, (_, i) => i + 1);
  const world: SwarmWorld = {
    grid: createGrid(size, SWARM_PARAMS.radius, n + 1),
    xs: x,
    ys: y,
    targetX: 0,
    targetY: 0,
  };
  const next = new Float64Array(4 * (n + 1));
  const out = new Float64Array(4);
  for (let f = 0; f < frames; f++) {
    moveTarget(world, f);
    buildGrid(world.grid, x, y, ids, n);
    for (let e = 1; e <= n; e++) {
      const speed = (e - 1) % 10 === 0 ? 90 : SWARM_PARAMS.speed;
      steer(
        e,
        x[e] as number,
        y[e] as number,
        vx[e] as number,
        vy[e] as number,
        speed,
        SWARM_PARAMS.radius,
        world,
        dt,
        out,
      );
      next.set(out, 4 * e);
    }
    for (let e = 1; e <= n; e++) {
      x[e] = next[4 * e] as number;
      y[e] = next[4 * e + 1] as number;
      vx[e] = next[4 * e + 2] as number;
      vy[e] = next[4 * e + 3] as number;
    }
  }
  return Array.from(x);
}

describe("the swarm example", () => {
  it("simulates two worlds of the same size independently when they step in turn", async () => {
    const n = 400;
    const size = swarmWorldSize(n);
    const startsA = Array.from({ length: n }, (_, i) => startPosition(i, size));
    const startsB = startsA.map(([x, y]) => [size - x, y * 0.5] as [number, number]);
    const make = async (starts: readonly [number, number][]) => {
      const world = new BridgeWorld({ capacity: n });
      await world.loadBehaviours(SWARM);
      world.globals[SWARM_WORLD_SIZE] = size;
      starts.forEach(([x, y], i) => {
        world.spawn(swarm, { x, y }, i % 10 === 0 ? { speed: 90 } : undefined);
      });
      return new FrameDriver(world, { observeV8Gc: false });
    };
    const a = await make(startsA);
    const b = await make(startsB);
    for (let f = 0; f < 12; f++) {
      expect(a.step(1 / 60).errors).toEqual([]);
      expect(b.step(1 / 60).errors).toEqual([]);
    }
    expect(Array.from(a.world.store(SwarmBody).x)).toEqual(referenceSwarm(startsA, 12, 1 / 60));
    expect(Array.from(b.world.store(SwarmBody).x)).toEqual(referenceSwarm(startsB, 12, 1 / 60));
    await a.dispose();
    await b.dispose();
  });
});
