// tests/ts/behaviours-reload.test.ts — hot reload through the prototypes' `__code` cells:
// a reloaded module's hooks and defaults reach every entity (and entities of behaviours
// that inherit them) from the next frame on, on the main thread and in every worker, with
// each entity's rows and overrides kept.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { type BehaviourDef, BridgeWorld, type ComponentDef, FrameDriver } from "../../engine-bridge/index.ts";

const BRIDGE = new URL("../../engine-bridge/index.ts", import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), "proto-behaviours-reload-"));
// Workers import these files as ES modules too.
writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
let files = 0;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A module: `base` adds `step` to v every frame (init sets w = initValue, destroy records
 * into the module's `destroyed` list), `heir` extends it without hooks, `rebel` extends it
 * with its own update, which adds 1000.
 */
function source(step: number, initValue: number, speed = 1): string {
  return `import { defineBehaviour, defineComponent } from ${JSON.stringify(BRIDGE)};
export const Out = defineComponent("Out", { v: "f64", w: "f64", s: "f64" });
export const destroyed = [];
export const base = defineBehaviour({
  name: "base",
  uses: [Out],
  params: { speed: ${speed} },
  init(self) { self.w = ${initValue}; },
  update(self) { self.v += ${step}; self.s = self.speed; },
  destroy(self) { destroyed.push(${step}); },
});
export const heir = defineBehaviour({ name: "heir", extends: base });
export const rebel = defineBehaviour({ name: "rebel", extends: base, update(self) { self.v += 1000; } });
`;
}

function module(step: number, initValue: number): string {
  const path = join(dir, `behaviours-${files++}.ts`);
  writeFileSync(path, source(step, initValue));
  return path;
}

async function load(path: string, workers = 0) {
  const w = new BridgeWorld({ capacity: 64 });
  const defs = await w.loadBehaviours(pathToFileURL(path).href);
  const byName = (name: string) => defs.find((d) => d.name === name) as BehaviourDef;
  const driver = new FrameDriver(w, { observeV8Gc: false });
  await driver.setWorkers(workers);
  const Out = byName("base").uses[0] as ComponentDef<{ v: "f64"; w: "f64"; s: "f64" }>;
  return { w, driver, byName, out: w.store(Out), url: pathToFileURL(path).href };
}

describe("hot reload", () => {
  it("runs the new update from the next frame on and keeps each entity's rows", async () => {
    const path = module(1, 0);
    const { w, driver, byName, out, url } = await load(path);
    const e = w.spawn(byName("base"));
    driver.step(1);
    writeFileSync(path, source(10, 0));
    await w.reloadBehaviours(url);
    expect(driver.step(1).errors).toEqual([]);
    expect(out.v[e]).toBe(11);
    await driver.dispose();
  });

  it("keeps the code id in the prototype's __code cell", async () => {
    const path = module(1, 0);
    const { w, byName, url, driver } = await load(path);
    const before = w.prototype(byName("base")).find("__code");
    expect(before.mutable).toBe(true);
    await w.reloadBehaviours(url);
    expect(w.prototype("base").get("__code")).not.toBe(before.value);
    await driver.dispose();
  });

  it("reaches entities of extending behaviours that inherit the hook, not those that replace it", async () => {
    const path = module(1, 0);
    const { w, driver, byName, out, url } = await load(path);
    const heir = w.spawn(byName("heir"));
    const rebel = w.spawn(byName("rebel"));
    writeFileSync(path, source(5, 0));
    await w.reloadBehaviours(url);
    driver.step(1);
    expect([out.v[heir], out.v[rebel]]).toEqual([5, 1000]);
    await driver.dispose();
  });

  it("uses the reloaded init and destroy for later spawns and despawns", async () => {
    const path = module(1, 7);
    const { w, byName, out, url, driver } = await load(path);
    writeFileSync(path, source(2, 8));
    const [reloaded] = (await w.reloadBehaviours(url)) as BehaviourDef[];
    const e = w.spawn(byName("base"));
    expect(out.w[e]).toBe(8);
    w.despawn(e);
    const module2 = (await import(w.layout().modules[0] as string)) as { destroyed: number[] };
    expect(module2.destroyed).toEqual([2]);
    expect(reloaded?.name).toBe("base");
    await driver.dispose();
  });

  it("gives new defaults to every entity that does not override them", async () => {
    const path = module(1, 0);
    const { w, driver, byName, out, url } = await load(path);
    const plain = w.spawn(byName("heir"));
    const own = w.spawn(byName("base"), {}, { speed: 9 });
    writeFileSync(path, source(1, 0, 4));
    await w.reloadBehaviours(url);
    driver.step(1);
    expect([out.s[plain], out.s[own]]).toEqual([4, 9]);
    await driver.dispose();
  });

  it("reaches the workers in the same frame as the main thread", async () => {
    const path = module(1, 0);
    const { w, driver, byName, out, url } = await load(path, 2);
    const ids = Array.from({ length: 40 }, () => w.spawn(byName("heir")));
    expect(driver.step(1).errors).toEqual([]);
    writeFileSync(path, source(100, 0));
    await w.reloadBehaviours(url);
    expect(driver.step(1).errors).toEqual([]);
    expect(ids.every((e) => out.v[e] === 101)).toBe(true);
    await driver.dispose();
  }, 30_000);

  it("refuses a module whose components changed and keeps the running code", async () => {
    const path = module(1, 0);
    const { w, driver, byName, out, url } = await load(path);
    const e = w.spawn(byName("base"));
    writeFileSync(
      path,
      source(1, 0)
        .replace("uses: [Out],\n  params", "uses: [Out, Extra],\n  params")
        .replace(
          "export const destroyed",
          'export const Extra = defineComponent("Extra", { z: "f64" });\nexport const destroyed',
        ),
    );
    await expect(w.reloadBehaviours(url)).rejects.toThrow(/changed its components, parameters or parent/);
    writeFileSync(path, source(1, 0).replace("update(self) {", "update: 1, ignored(self) {"));
    await expect(w.reloadBehaviours(url)).rejects.toThrow(/update must be a function/);
    driver.step(1);
    expect(out.v[e]).toBe(1);
    await driver.dispose();
  });
});
