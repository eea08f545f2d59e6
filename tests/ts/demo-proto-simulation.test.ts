// tests/ts/demo-proto-simulation.test.ts — the Proto-backed demo simulation: the swarm
// runs through the engine bridge, follows the target count and budget, reloads its
// behaviour file live without losing entity state, and runs the same on workers.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ProtoSimulation } from "../../demos/host/ProtoSimulation.ts";
import { EntityKind } from "../../demos/protocol/EntityKind.ts";

const made: ProtoSimulation[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const s of made.splice(0)) s.dispose();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function simulation(options: Parameters<typeof ProtoSimulation.create>[0]): Promise<ProtoSimulation> {
  const s = await ProtoSimulation.create({ observeV8Gc: false, log: () => {}, ...options });
  made.push(s);
  return s;
}

/** A copy of the demo's behaviour file in a temp dir (imports made absolute), to edit. */
function behaviourCopy(): URL {
  const source = new URL("../../demos/host/behaviours/swarm.ts", import.meta.url);
  const root = new URL("../../", import.meta.url);
  const host = new URL("../../demos/host/", import.meta.url);
  const text = readFileSync(source, "utf8")
    .replaceAll('"../../../', `"${root.href}`)
    .replaceAll('"../', `"${host.href}`);
  const dir = mkdtempSync(join(tmpdir(), "proto-behaviours-"));
  dirs.push(dir);
  const file = join(dir, "swarm.ts");
  writeFileSync(file, text);
  return pathToFileURL(file);
}

function kinds(s: ProtoSimulation): number[] {
  const snap = s.entities();
  const out = [0, 0, 0];
  for (let i = 0; i < snap.count; i++)
    out[snap.kind[i] as number] = (out[snap.kind[i] as number] as number) + 1;
  return out;
}

describe("the Proto simulation", () => {
  it("runs wanderers, seekers and bullets through the bridge toward the target count", async () => {
    const s = await simulation({ entities: 1000 });
    let record = s.step(1000 / 60);
    for (let i = 0; i < 120; i++) record = s.step(1000 / 60);
    const [wanderers, seekers, bullets] = kinds(s);
    expect(wanderers).toBe(540);
    expect(seekers).toBe(360);
    expect(bullets).toBeGreaterThan(0);
    expect(record.entities).toBe(s.entities().count);
    expect(record.liveObjects).toBeGreaterThanOrEqual(0);
    const snap = s.entities();
    for (let i = 0; i < snap.count; i++) {
      if (snap.kind[i] === EntityKind.bullet) continue;
      expect(snap.x[i]).toBeGreaterThanOrEqual(0);
      expect(snap.x[i]).toBeLessThan(s.world.width);
    }
  });

  it("follows entity count and budget changes at run time", async () => {
    const s = await simulation({ entities: 1000 });
    s.step(16);
    s.setEntityCount(200);
    s.setBudget(2);
    const record = s.step(16);
    expect(record.budgetMs).toBe(2);
    expect(s.entities().count).toBeLessThanOrEqual(200);
    expect(() => s.setEntityCount(10_000_000)).toThrow(RangeError);
  });

  it("reloads an edited behaviour file without losing entity state", async () => {
    const module = behaviourCopy();
    const s = await simulation({ entities: 300, behaviours: module });
    for (let i = 0; i < 10; i++) s.step(16);
    const before = s.entities();
    const xs = Float32Array.from(before.x.subarray(0, before.count));
    const objectSpeed = (eid: number) => s.bridge.object(eid).get("speed");
    const wandererEid = [...Array(s.bridge.maxEid).keys()].find(
      (e) =>
        s.bridge.alive(e) &&
        s.bridge.behaviourOf(e)?.name === "wanderer" &&
        s.bridge.object(e).find("speed").where === "inherited",
    ) as number;
    expect(objectSpeed(wandererEid)).toBe(40);
    const path = module.pathname;
    writeFileSync(
      path,
      readFileSync(path, "utf8").replace(
        "params: { speed: 40, maxForce: 240 }",
        "params: { speed: 55, maxForce: 240 }",
      ),
    );
    await s.reload();
    expect(s.reloads).toBe(1);
    expect(objectSpeed(wandererEid)).toBe(55);
    const after = s.entities();
    expect(after.count).toBe(before.count);
    expect(Float32Array.from(after.x.subarray(0, after.count))).toEqual(xs);
    expect(s.step(16).errors).toEqual([]);
  });

  it("watches the behaviour file and reloads it when it changes", async () => {
    const module = behaviourCopy();
    const s = await simulation({ entities: 100, behaviours: module, watch: true });
    s.step(16);
    const path = module.pathname;
    writeFileSync(path, `${readFileSync(path, "utf8")}\n// edited\n`);
    for (let i = 0; i < 100 && s.reloads === 0; i++) await new Promise((resolve) => setTimeout(resolve, 30));
    expect(s.reloads).toBe(1);
    expect(s.step(16).errors).toEqual([]);
  });

  it("runs its behaviours on workers as on the main thread", async () => {
    const serial = await simulation({ entities: 600, seed: 3 });
    const parallel = await simulation({ entities: 600, seed: 3, workers: 2 });
    for (let i = 0; i < 30; i++) {
      expect(serial.step(16).errors).toEqual([]);
      expect(parallel.step(16).errors).toEqual([]);
    }
    expect(kinds(parallel)).toEqual(kinds(serial));
  });
});
