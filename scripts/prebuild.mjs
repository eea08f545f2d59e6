// scripts/prebuild.mjs — builds the npm package's prebuilt addon for this platform:
// proto-napi8.node (native/addon/CMakeLists.txt: the same sources as proto.node, declaring
// Node-API 8, libstdc++ linked in) in the cmake-js tree build/addon, copied to
// prebuilds/<platform>-<arch>/proto.napi.<libc>.node, where node-gyp-build finds it.
// Then loads the copy in a fresh Node process to check that it works and declares 8.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { checkCmake, checkCxx20, checkMake, checkNode, reportChecks } from "./lib/prereqs.mjs";
import { buildJobs, repoRoot, run } from "./lib/process.mjs";

const ok = reportChecks("building the prebuilt addon", [
  checkNode(),
  checkCmake(),
  checkMake(),
  checkCxx20(),
]);
if (!ok) process.exit(1);

const require = createRequire(import.meta.url);
const cmakeJs = require.resolve("cmake-js/bin/cmake-js");
const args = ["build", "--directory", repoRoot, "--out", "build/addon", "--config", "Release"];
const status = run(process.execPath, [
  cmakeJs,
  ...args,
  "--target",
  "proto_addon_napi8",
  "--parallel",
  String(buildJobs()),
  "--log-level",
  "warn",
]);
if (status !== 0) {
  console.error(
    `\nProto: building the prebuilt addon failed (cmake-js exit ${status}); see the output above.`,
  );
  process.exit(status);
}

const built = join(repoRoot, "build", "addon", "Release", "proto-napi8.node");
if (!existsSync(built)) {
  console.error(`Proto: cmake-js reported success but ${built} is missing.`);
  process.exit(1);
}
// node-gyp-build's file name tags: any runtime (node, electron) with Node-API, this C library.
const report = /** @type {{ header?: { glibcVersionRuntime?: string } }} */ (process.report?.getReport());
const libc = report?.header?.glibcVersionRuntime === undefined ? "musl" : "glibc";
const folder = join(repoRoot, "prebuilds", `${process.platform}-${process.arch}`);
rmSync(folder, { recursive: true, force: true });
mkdirSync(folder, { recursive: true });
const target = join(folder, `proto.napi.${libc}.node`);
copyFileSync(built, target);

const probe = spawnSync(
  process.execPath,
  ["-e", `const a = require(${JSON.stringify(target)}); console.log(JSON.stringify(a.buildInfo()))`],
  { encoding: "utf8" },
);
/** @type {{ nodeApi?: unknown, optimized?: unknown }} */
let info = {};
try {
  info = JSON.parse(probe.stdout);
} catch {
  console.error(`Proto: the prebuilt addon ${target} does not load:\n${probe.stderr}`);
  process.exit(1);
}
if (info.nodeApi !== 8 || info.optimized !== true) {
  console.error(`Proto: the prebuilt addon must be an optimized Node-API 8 build; it says ${probe.stdout}`);
  process.exit(1);
}
console.log(`Proto: prebuilt addon ${target.slice(repoRoot.length + 1)} (Node-API 8)`);
