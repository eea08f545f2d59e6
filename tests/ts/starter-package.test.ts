// The npm route end to end, as a game developer takes it: `npm pack` in the repository
// (compiles dist/, builds the Node-API 8 prebuilt addon), templates/starter copied to a fresh
// folder outside the repository, the tarball installed with `npm install` from the npm
// registry (its cache first) while every C/C++ build tool on PATH is a tripwire, then the
// starter's headless mode for 300 frames, its TypeScript view of the package, and its page in
// chromium. Slow by nature (a compile, an install, a vite build): each step has its own
// time limit and names itself when it fails.
import type { ChildProcess } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runStep, startServer, stepEnv } from "./fixtures/steps.ts";

const CHROMIUM = "/usr/bin/chromium";
const root = resolve(import.meta.dirname, "../..");
const artifacts = resolve(root, "tests/artifacts");
const TOOLS = ["cmake", "make", "ninja", "cc", "c++", "gcc", "g++", "clang", "clang++"];

describe("the npm package in a fresh game (templates/starter)", () => {
  const work = join(tmpdir(), `proto-starter-${process.pid}-${Date.now()}`);
  const game = join(work, "starter");
  const tripwire = join(work, "toolchain-used.log");
  let installLog = "";
  let browser: Browser | undefined;
  let server: ChildProcess | undefined;

  beforeAll(async () => {
    mkdirSync(work, { recursive: true });
    await runStep("npm pack (dist/ and the prebuilt addon)", "npm", ["pack", "--pack-destination", work], {
      cwd: root,
      timeoutMs: 600_000,
    });
    const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"));
    if (tarball === undefined) throw new Error(`npm pack left no .tgz in ${work}`);

    cpSync(join(root, "templates/starter"), game, {
      recursive: true,
      filter: (from) => !/[\\/](node_modules|dist|package-lock\.json)$/.test(from),
    });
    // What `npm install ../proto-0.1.0.tgz` and `npm install-scripts approve proto` write.
    const manifest = JSON.parse(readFileSync(join(game, "package.json"), "utf8"));
    const spec = `file:${join(work, tarball)}`;
    manifest.dependencies.proto = spec;
    manifest.allowScripts = { [spec]: true };
    writeFileSync(join(game, "package.json"), JSON.stringify(manifest, null, 2));

    // Every build tool the addon's source build would run records its call and fails.
    const fakeBin = join(work, "bin");
    mkdirSync(fakeBin);
    for (const tool of TOOLS) {
      writeFileSync(join(fakeBin, tool), `#!/bin/sh\necho "${tool} $*" >> "${tripwire}"\nexit 127\n`);
      chmodSync(join(fakeBin, tool), 0o755);
    }
    const env = stepEnv({ PATH: `${fakeBin}:${process.env.PATH ?? ""}` });
    installLog = await runStep(
      "npm install (the tarball, pixi.js, bitecs, vite)",
      "npm",
      ["install", "--no-audit", "--no-fund", "--prefer-offline", "--foreground-scripts"],
      { cwd: game, env, timeoutMs: 300_000 },
    );
  }, 960_000);

  afterAll(async () => {
    server?.kill("SIGKILL");
    await Promise.race([browser?.close(), new Promise((done) => setTimeout(done, 10_000))]);
    await rm(work, { recursive: true, force: true });
  }, 60_000);

  it("installs the prebuilt addon and compiled JavaScript, building nothing", () => {
    expect(installLog).toContain("Proto: using the prebuilt addon prebuilds/linux-x64/proto.napi.glibc.node");
    expect(existsSync(tripwire) ? readFileSync(tripwire, "utf8") : "no build tool was run").toBe(
      "no build tool was run",
    );
    const pkg = join(game, "node_modules/proto");
    expect(existsSync(join(pkg, "build"))).toBe(false);
    expect(existsSync(join(pkg, "dist/engine-bridge/WorkerMain.js"))).toBe(true);
    expect(existsSync(join(pkg, "scripting"))).toBe(false); // no TypeScript sources shipped
    expect(existsSync(join(game, "node_modules/tsx"))).toBe(false); // nothing needs a TS loader
  });

  it("runs the starter headless for 300 frames without an error", async () => {
    const output = await runStep(
      "node server.js --headless --frames 300",
      "node",
      ["server.js", "--headless"],
      {
        cwd: game,
        env: stepEnv({}),
        timeoutMs: 120_000,
      },
    );
    const summary = JSON.parse(output.trim().split("\n").at(-1) ?? "{}");
    expect(summary).toMatchObject({ frames: 300, entities: 2000, errors: 0 });
  }, 150_000);

  it("types every entry point for a TypeScript game (NodeNext, no .ts imports)", async () => {
    writeFileSync(
      join(game, "check.ts"),
      [
        'import { ProtoObject, Runtime } from "proto";',
        'import { BridgeWorld, type BridgeFrameRecord } from "proto/engine-bridge";',
        'import { FrameOverlay } from "proto/overlay";',
        'import { toChromeTrace } from "proto/trace";',
        "export const capacity: number = new BridgeWorld({ capacity: 8 }).capacity;",
        "// @ts-expect-error a number is not a string: the types are real, not any",
        "export const wrong: string = new BridgeWorld({ capacity: 8 }).capacity;",
        "export const gc = (r: BridgeFrameRecord): number => r.gcPauseMs;",
        "export const all = [ProtoObject, Runtime, FrameOverlay, toChromeTrace];",
      ].join("\n"),
    );
    const tsconfig = {
      compilerOptions: {
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2023",
        lib: ["es2023", "dom"],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        typeRoots: [join(root, "node_modules/@types")],
        types: ["node"],
      },
      files: ["check.ts"],
    };
    writeFileSync(join(game, "tsconfig.json"), JSON.stringify(tsconfig));
    await runStep(
      "tsc on the package's .d.ts",
      join(root, "node_modules/.bin/tsc"),
      ["-p", "tsconfig.json"],
      {
        cwd: game,
        env: stepEnv({}),
        timeoutMs: 120_000,
      },
    );
  }, 150_000);

  it.skipIf(!existsSync(CHROMIUM))(
    `draws the page in chromium (skipped when ${CHROMIUM} is missing)`,
    async () => {
      await runStep(
        "vite build (the page)",
        join(game, "node_modules/.bin/vite"),
        ["build", "--logLevel", "warn"],
        {
          cwd: game,
          env: stepEnv({}),
          timeoutMs: 300_000,
        },
      );
      const started = await startServer(game, 30_000);
      server = started.process;
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--no-first-run",
        ],
      });
      const page = await browser.newPage({ viewport: { width: 960, height: 540 } });
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(started.url);
      await page
        .waitForFunction(
          () => {
            const stats = (window as unknown as { starter?: { frames: number; entities: number } }).starter;
            return stats !== undefined && stats.frames > 60 && stats.entities === 2000;
          },
          undefined,
          { timeout: 90_000 },
        )
        .catch((error: unknown) => {
          throw new Error(
            `the starter page drew no 60 frames of 2 000 entities in 90 s (page errors: ${errors})`,
            {
              cause: error,
            },
          );
        });
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, "starter.png") });
      expect(errors).toEqual([]);
    },
    480_000,
  );
});
