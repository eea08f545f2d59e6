// scripts/install.mjs — package.json's "install" script.
// In this repository (a checkout: tsconfig.json is there) it builds the addon from source,
// as `npm ci` always did (scripts/build-addon.mjs). In a game that installed the npm package
// it uses the package's prebuilt addon for this platform (prebuilds/<platform>-<arch>/,
// found by node-gyp-build) after loading it once in a fresh process, and builds from source
// only when none fits or loads, or when asked to (`npm install --build-from-source`),
// saying why first. Building from source needs CMake >= 3.20, make and a C++20 compiler.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { repoRoot, run } from "./lib/process.mjs";

/** Why the prebuilt addon cannot be used, or undefined when it can (its path is printed). */
function prebuiltProblem() {
  const require = createRequire(import.meta.url);
  /** @type {string} */
  let path;
  try {
    path = require("node-gyp-build/node-gyp-build.js").path(repoRoot);
  } catch (error) {
    return `no prebuilt addon fits this machine (${String(error).split("\n")[0]})`;
  }
  const probe = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(path)}).version()`], {
    encoding: "utf8",
  });
  if (probe.status !== 0) {
    return `the prebuilt addon ${path} does not load here:\n${probe.stderr.trim()}`;
  }
  console.log(`Proto: using the prebuilt addon ${path.slice(repoRoot.length + 1)} (Node-API 8)`);
  return undefined;
}

const developing = existsSync(join(repoRoot, "tsconfig.json"));
const asked = process.env.npm_config_build_from_source === "true";
if (!developing && !asked) {
  const problem = prebuiltProblem();
  if (problem === undefined) process.exit(0);
  console.log(
    `Proto: ${problem}\nProto: building the addon from source instead ` +
      `(${process.platform}-${process.arch}, Node ${process.versions.node}): this needs CMake >= 3.20, ` +
      "make and a C++20 compiler (g++ >= 10 or clang++ >= 12).",
  );
} else if (asked) {
  console.log("Proto: building the addon from source, as asked (--build-from-source).");
}
const status = run(process.execPath, [join(repoRoot, "scripts", "build-addon.mjs")]);
if (status !== 0 && !developing) {
  console.error(
    "Proto: no usable addon: there is no prebuilt one for this platform and building from source failed. " +
      "Prebuilt addons exist for linux-x64 (glibc); elsewhere install the prerequisites named above.",
  );
}
process.exit(status);
