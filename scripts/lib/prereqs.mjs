// scripts/lib/prereqs.mjs — checks the machine prerequisites (Node, CMake, a C++20
// compiler, make, GoogleTest, Google Benchmark, clang-format) and, for each missing
// one, names it and says how to install it on Debian/Ubuntu.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { capture } from "./process.mjs";

/** @typedef {{ name: string, ok: boolean, detail: string, fix: string }} Check */

/** @param {string} text @returns {number[]} */
function versionOf(text) {
  const match = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : [0, 0, 0];
}

/** @param {number[]} have @param {number[]} want */
function atLeast(have, want) {
  for (let i = 0; i < want.length; i++) {
    const h = have[i] ?? 0;
    const w = want[i] ?? 0;
    if (h !== w) return h > w;
  }
  return true;
}

/** @returns {Check} */
export function checkNode() {
  const have = versionOf(process.versions.node);
  return {
    name: "Node.js >= 20.19",
    ok: atLeast(have, [20, 19, 0]),
    detail: `found ${process.version}`,
    fix: "install Node.js 20.19 or newer (e.g. from your distribution or nodejs.org)",
  };
}

/** @returns {Check} */
export function checkCmake() {
  const out = capture("cmake", ["--version"]);
  if (out === null) {
    return {
      name: "CMake >= 3.20",
      ok: false,
      detail: "cmake not found on PATH",
      fix: "apt-get install cmake",
    };
  }
  const have = versionOf(out);
  return {
    name: "CMake >= 3.20",
    ok: atLeast(have, [3, 20, 0]),
    detail: `found cmake ${have.join(".")}`,
    fix: "apt-get install cmake (Debian 12 ships 3.25)",
  };
}

/** @returns {Check} */
export function checkMake() {
  const ok = capture("make", ["--version"]) !== null || capture("ninja", ["--version"]) !== null;
  return {
    name: "make (or ninja)",
    ok,
    detail: ok ? "found" : "neither make nor ninja on PATH",
    fix: "apt-get install make",
  };
}

/** Compiles a small C++20 program with the compiler CMake would pick ($CXX, c++, g++, clang++). */
export function checkCxx20() {
  const candidates = [process.env.CXX, "c++", "g++", "clang++"].filter(
    /** @returns {c is string} */ (c) => typeof c === "string" && c.length > 0,
  );
  const compiler = candidates.find((c) => capture(c, ["--version"]) !== null);
  const name = "a C++20 compiler (g++ >= 10 or clang++ >= 12)";
  if (!compiler) {
    return { name, ok: false, detail: "no c++, g++ or clang++ on PATH", fix: "apt-get install g++" };
  }
  const dir = mkdtempSync(join(tmpdir(), "proto-cxx20-"));
  try {
    const source = join(dir, "probe.cpp");
    writeFileSync(
      source,
      "#include <concepts>\n#include <span>\ntemplate <std::integral T> constexpr T twice(T v) { return v * 2; }\n" +
        "int main() { int xs[2] = {1, 2}; std::span<int> s(xs); return twice(static_cast<int>(s.size())) == 4 ? 0 : 1; }\n",
    );
    const result = spawnSync(compiler, ["-std=c++20", "-fsyntax-only", source], { encoding: "utf8" });
    const version = (capture(compiler, ["--version"]) ?? "").split("\n")[0];
    return {
      name,
      ok: result.status === 0,
      detail: result.status === 0 ? `found ${version}` : `${version} cannot compile C++20:\n${result.stderr}`,
      fix: "apt-get install g++ (Debian 12's g++ 12 works)",
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A CMake package is present if its config file is in one of the usual places.
 * @param {string} name @param {string} pkg @param {string[]} configDirs
 * @returns {Check}
 */
function checkCmakePackage(name, pkg, configDirs) {
  const roots = [
    "/usr/lib/x86_64-linux-gnu/cmake",
    "/usr/lib/aarch64-linux-gnu/cmake",
    "/usr/lib/cmake",
    "/usr/local/lib/cmake",
    "/usr/lib64/cmake",
    "/usr/share/cmake",
  ];
  const found = roots.some((root) => configDirs.some((dir) => existsSync(join(root, dir))));
  return {
    name,
    ok: found,
    detail: found ? "found" : "CMake config not found",
    fix: `apt-get install ${pkg}`,
  };
}

export const checkGtest = () => checkCmakePackage("GoogleTest", "libgtest-dev libgmock-dev", ["GTest"]);
export const checkBenchmark = () => checkCmakePackage("Google Benchmark", "libbenchmark-dev", ["benchmark"]);

/** @returns {Check} */
export function checkClangFormat() {
  const out = capture("clang-format", ["--version"]);
  return {
    name: "clang-format",
    ok: out !== null,
    detail: out ?? "clang-format not found on PATH",
    fix: "apt-get install clang-format",
  };
}

/**
 * Prints every failed check with its fix; returns true when all passed.
 * @param {string} purpose what the checks are for, e.g. "building the Node addon"
 * @param {Check[]} checks
 */
export function reportChecks(purpose, checks) {
  const missing = checks.filter((c) => !c.ok);
  if (missing.length === 0) return true;
  console.error(`\nProto: missing prerequisites for ${purpose}:`);
  for (const c of missing) {
    console.error(`  - ${c.name}: ${c.detail}\n      fix: ${c.fix}`);
  }
  const apt = missing.map((c) => c.fix.match(/^apt-get install ([^(]+)/)?.[1]?.trim()).filter(Boolean);
  if (apt.length > 0) {
    console.error(`\nOn Debian/Ubuntu, as root: apt-get update && apt-get install -y ${apt.join(" ")}`);
  }
  console.error("(.ci/run installs all of them on a fresh machine.)\n");
  return false;
}
