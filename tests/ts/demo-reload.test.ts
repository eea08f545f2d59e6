// tests/ts/demo-reload.test.ts — live reload survives real editors: a save that writes a new
// file and renames it over the old one (vim, `sed -i`, JetBrains' safe write) reloads the
// behaviours every time, and every outcome, success or failure, is reported.
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { type FileWatch, watchFile } from "../../demos/host/FileWatcher.ts";
import { ProtoSimulation } from "../../demos/host/ProtoSimulation.ts";
import type { ReloadOutcome } from "../../demos/host/Simulation.ts";

const dirs: string[] = [];
const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "proto-reload-"));
  dirs.push(dir);
  return dir;
}

/** Saves `text` the way vim and `sed -i` do: a new file, renamed over the old one. */
function renameSave(path: string, text: string): void {
  const temp = `${path}.swp-${Math.random().toString(36).slice(2)}`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

async function waitFor(done: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!done() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect(done()).toBe(true);
}

/** A copy of the demo's behaviour file in a temp dir (imports made absolute), to edit. */
function behaviourCopy(): string {
  const source = new URL("../../demos/host/behaviours/swarm.ts", import.meta.url);
  const root = new URL("../../", import.meta.url);
  const text = readFileSync(source, "utf8").replaceAll('"../../../', `"${root.href}`);
  const file = join(tempDir(), "swarm.ts");
  writeFileSync(file, text);
  return file;
}

describe("watchFile", () => {
  it("sees every rename-save of the file, not only the first", async () => {
    const file = join(tempDir(), "behaviour.ts");
    writeFileSync(file, "// 0\n");
    let changes = 0;
    const watch: FileWatch = watchFile(file, () => changes++, 30);
    cleanups.push(() => watch.close());
    for (let save = 1; save <= 3; save++) {
      renameSave(file, `// ${save}\n`);
      await waitFor(() => changes === save);
    }
  });

  it("ignores other files of the folder", async () => {
    const dir = tempDir();
    const file = join(dir, "behaviour.ts");
    writeFileSync(file, "// 0\n");
    let changes = 0;
    const watch = watchFile(file, () => changes++, 30);
    cleanups.push(() => watch.close());
    writeFileSync(join(dir, "other.ts"), "// other\n");
    await new Promise((r) => setTimeout(r, 300));
    expect(changes).toBe(0);
    writeFileSync(file, "// 1\n");
    await waitFor(() => changes === 1);
  });

  it("throws, naming the folder, when the folder does not exist", () => {
    expect(() => watchFile(join(tmpdir(), "no-such-folder-proto", "x.ts"), () => {})).toThrow(
      /no-such-folder-proto/,
    );
  });
});

describe("the Proto simulation's live reload", () => {
  it("reloads after each of two rename-saves and reports every outcome, a failed one included", async () => {
    const file = behaviourCopy();
    const logged: string[] = [];
    const s = await ProtoSimulation.create({
      entities: 200,
      behaviours: pathToFileURL(file),
      watch: true,
      observeV8Gc: false,
      log: (line) => logged.push(line),
    });
    cleanups.push(() => s.dispose());
    const outcomes: ReloadOutcome[] = [];
    s.onReload = (outcome) => outcomes.push(outcome);
    s.step(16);
    const original = readFileSync(file, "utf8");
    renameSave(
      file,
      original.replace("params: { speed: 40, maxForce: 240 }", "params: { speed: 41, maxForce: 240 }"),
    );
    await waitFor(() => outcomes.length === 1);
    renameSave(
      file,
      original.replace("params: { speed: 40, maxForce: 240 }", "params: { speed: 42, maxForce: 240 }"),
    );
    await waitFor(() => outcomes.length === 2);
    expect(s.reloads).toBe(2);
    renameSave(file, `${original}\nthis is not TypeScript\n`);
    await waitFor(() => outcomes.length === 3);
    renameSave(file, original);
    await waitFor(() => outcomes.length === 4);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false, true]);
    expect(outcomes[2]?.message).toMatch(/^reload failed, keeping the previous code: /);
    expect(logged).toEqual(outcomes.map((o) => o.message));
    expect(s.step(16).errors).toEqual([]);
  }, 30_000);
});
