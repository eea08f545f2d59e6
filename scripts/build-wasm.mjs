// scripts/build-wasm.mjs — `npm run build:wasm` / `npm run test:wasm`: libproto for
// WebAssembly with emscripten (native/wasm/CMakeLists.txt, docs/wasm.md).
//
//   node scripts/build-wasm.mjs            configure and build build/wasm (Release)
//   node scripts/build-wasm.mjs --test     ... then run the GoogleTest suite in Node and
//                                          tests/ts/wasm-backend.test.ts on the JS-facing module
//   node scripts/build-wasm.mjs --target T build only target T (proto_tests, proto_wasm, proto_wasm_bench)
//
// Debian's emscripten (3.1.6) is what CI installs. Two quirks of it are handled here:
// its JS optimizer needs Debian's node modules (NODE_PATH=/usr/share/nodejs), and the
// code it emits loads its .wasm with fetch() when fetch exists, which under Node 20
// fails on a file path, so Node runs it with --no-experimental-fetch.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { parseArgs } from "node:util";
import { checkCmake, checkMake, reportChecks } from "./lib/prereqs.mjs";
import { buildJobs, capture, repoRoot, run } from "./lib/process.mjs";

export const wasmBuildDir = join(repoRoot, "build", "wasm");
/** Node flags every emscripten output of this build needs (see above). */
export const wasmNodeFlags = ["--no-experimental-fetch"];
/**
 * Tests the wasm build cannot run, with why (docs/wasm.md lists them too).
 * MisuseDeathTest.*, InvariantDeathTest.*: a death test forks or re-executes the process; wasm can do neither.
 */
export const excludedTests = ["MisuseDeathTest.*", "InvariantDeathTest.*"];

/** The environment emscripten's tools need on Debian. */
export function emscriptenEnv() {
  const debianModules = "/usr/share/nodejs";
  const paths = (process.env.NODE_PATH ?? "").split(delimiter).filter((p) => p.length > 0);
  if (existsSync(debianModules) && !paths.includes(debianModules)) paths.push(debianModules);
  return { ...process.env, NODE_PATH: paths.join(delimiter) };
}

/** @returns {import("./lib/prereqs.mjs").Check} */
function checkEmscripten() {
  const out = capture("em++", ["--version"]);
  return {
    name: "emscripten (em++, emcmake)",
    ok: out !== null,
    detail: out?.split("\n")[0] ?? "em++ not found on PATH",
    fix: "apt-get install emscripten",
  };
}

/** @returns {import("./lib/prereqs.mjs").Check} */
function checkGtestSources() {
  const dir = process.env.PROTO_GTEST_SOURCE_DIR ?? "/usr/src/googletest";
  return {
    name: "GoogleTest sources",
    ok: existsSync(join(dir, "googletest", "CMakeLists.txt")),
    detail: `${dir}/googletest/CMakeLists.txt not found`,
    fix: "apt-get install googletest (or set PROTO_GTEST_SOURCE_DIR)",
  };
}

/**
 * Configures (once) and builds build/wasm; returns the exit status.
 * @param {string[]} targets CMake targets; empty for all
 */
export function buildWasm(targets) {
  const checks = [checkCmake(), checkMake(), checkEmscripten(), checkGtestSources()];
  if (!reportChecks("the WebAssembly build", checks)) return 1;
  const env = emscriptenEnv();
  mkdirSync(wasmBuildDir, { recursive: true });
  // emscripten emits CommonJS (.js) for the tests and workers; the repository's
  // package.json says "type": "module", so this tree says otherwise for its own files.
  writeFileSync(join(wasmBuildDir, "package.json"), '{ "type": "commonjs" }\n');
  if (!existsSync(join(wasmBuildDir, "CMakeCache.txt"))) {
    const gtest = process.env.PROTO_GTEST_SOURCE_DIR;
    const status = run(
      "emcmake",
      [
        "cmake",
        "-S",
        join(repoRoot, "native", "wasm"),
        "-B",
        wasmBuildDir,
        "-DCMAKE_BUILD_TYPE=Release",
        ...(gtest ? [`-DPROTO_GTEST_SOURCE_DIR=${gtest}`] : []),
      ],
      { env },
    );
    if (status !== 0) return status;
  }
  const targetArgs = targets.flatMap((t) => ["--target", t]);
  return run("cmake", ["--build", wasmBuildDir, "-j", String(buildJobs()), ...targetArgs], { env });
}

/**
 * Runs the native GoogleTest suite compiled to wasm, in Node, then the vitest suites of
 * the wasm back end (scripting/wasm/) and of the module in chromium, with the module
 * required; returns the exit status.
 */
export function testWasm() {
  const binary = join(wasmBuildDir, "tests", "proto_tests.js");
  console.log(`excluded under wasm: ${excludedTests.join(", ")} (death tests need fork)`);
  const native = run(
    process.execPath,
    [...wasmNodeFlags, binary, `--gtest_filter=-${excludedTests.join(":")}`],
    {
      cwd: join(wasmBuildDir, "tests"),
    },
  );
  const vitest = join(repoRoot, "node_modules", ".bin", "vitest");
  const backend = run(vitest, ["run", "tests/ts/wasm-backend.test.ts", "tests/ts/wasm-browser.test.ts"], {
    env: { ...process.env, PROTO_WASM_REQUIRED: "1" },
  });
  return native !== 0 ? native : backend;
}

function main() {
  const usage = "usage: node scripts/build-wasm.mjs [--test] [--target NAME]...";
  /** @type {{ test?: boolean, target?: string[], help?: boolean }} */
  let args;
  try {
    args = parseArgs({
      options: {
        test: { type: "boolean", default: false },
        target: { type: "string", multiple: true },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}\n${usage}`);
    return 2;
  }
  if (args.help) {
    console.log(usage);
    return 0;
  }
  const targets = args.target ?? (args.test ? ["proto_tests", "proto_wasm"] : []);
  const started = Date.now();
  const built = buildWasm(targets);
  console.log(
    `wasm build: ${built === 0 ? "ok" : `failed (${built})`} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  if (built !== 0 || !args.test) return built;
  const testStarted = Date.now();
  const tested = testWasm();
  console.log(
    `wasm tests: ${tested === 0 ? "passed" : `failed (${tested})`} in ${((Date.now() - testStarted) / 1000).toFixed(0)} s`,
  );
  return tested;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(main());
