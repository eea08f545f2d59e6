// tests/ts/docs-behaviours.test.ts — the first behaviour at the top of docs/behaviours.md
// runs as written (its import of the package pointed at this repository) and does what its
// last comment says.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { BridgeWorld, ComponentDef } from "../../engine-bridge/index.ts";

const DOC = new URL("../../docs/behaviours.md", import.meta.url);
const BRIDGE = new URL("../../engine-bridge/index.ts", import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), "proto-docs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("docs/behaviours.md", () => {
  it("opens with a first behaviour of at most 15 lines that runs", async () => {
    const text = readFileSync(DOC, "utf8");
    const block = /```ts\n([\s\S]*?)```/.exec(text)?.[1] ?? "";
    expect(text.indexOf("```ts")).toBeLessThan(200);
    expect(block.trimEnd().split("\n").length).toBeLessThanOrEqual(15);
    expect(block).toContain('from "proto/engine-bridge"');
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
    const file = join(dir, "first.ts");
    writeFileSync(file, block.replace('"proto/engine-bridge"', JSON.stringify(BRIDGE)));
    const m = (await import(pathToFileURL(file).href)) as {
      world: BridgeWorld;
      Body: ComponentDef<{ x: "f64"; vx: "f64" }>;
      fast: number;
    };
    expect(m.world.store(m.Body).x[m.fast]).toBeCloseTo(1, 12);
    expect(m.world.object(m.fast).get("speed")).toBe(60);
  });
});
