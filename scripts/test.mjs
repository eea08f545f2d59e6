// scripts/test.mjs — `npm test`: every check the repository has, in one command.
// Runs each step even if an earlier one failed, prints a header per step and a
// summary, and exits non-zero if any step failed. Steps: TypeScript type check,
// biome (lint + format), clang-format, vitest, then the native suite (Release
// build of build/native with tests, examples, benchmarks and libproto.so; CTest
// runs the GoogleTest suite, the C++ and C examples, the Python ctypes test of
// the C ABI and the CMake package tests of tests/cmake/).
import { join } from "node:path";
import { configureAndBuild, cppFiles, ctest } from "./lib/native.mjs";
import {
  checkBenchmark,
  checkClangFormat,
  checkCmake,
  checkCxx20,
  checkGtest,
  checkMake,
  reportChecks,
} from "./lib/prereqs.mjs";
import { repoRoot, run } from "./lib/process.mjs";

const bin = (/** @type {string} */ name) => join(repoRoot, "node_modules", ".bin", name);

/** @type {{ name: string, run: () => number }[]} */
const steps = [
  {
    name: "TypeScript type check (tsc --noEmit, strict)",
    run: () => run(bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]),
  },
  {
    name: "TypeScript/JS lint and format (biome check)",
    run: () => run(bin("biome"), ["check", "."]),
  },
  {
    name: "C++ format (clang-format --dry-run --Werror)",
    run: () => {
      if (!reportChecks("the C++ format check", [checkClangFormat()])) return 1;
      const files = cppFiles();
      console.log(`checking ${files.length} C++ files under native/, tests/native/, perf/native/`);
      const status = run("clang-format", ["--dry-run", "--Werror", ...files], { quiet: true });
      if (status !== 0) console.error("C++ files are not formatted: run `npm run format` to fix them.");
      return status;
    },
  },
  {
    name: "TypeScript tests (vitest run)",
    run: () => run(bin("vitest"), ["run"]),
  },
  {
    name: "native tests (build/native Release: GoogleTest suite, C/C++ examples, C ABI via ctypes, CMake package; CTest)",
    run: () => {
      const checks = [checkCmake(), checkMake(), checkCxx20(), checkGtest(), checkBenchmark()];
      if (!reportChecks("the native test suite", checks)) return 1;
      const status = configureAndBuild("native", { examples: true });
      return status !== 0 ? status : ctest("native");
    },
  },
];

/** @type {{ name: string, status: number, seconds: number }[]} */
const results = [];
for (const [index, step] of steps.entries()) {
  const title = `[${index + 1}/${steps.length}] ${step.name}`;
  console.log(`\n${"=".repeat(title.length)}\n${title}\n${"=".repeat(title.length)}`);
  const started = Date.now();
  const status = step.run();
  results.push({ name: step.name, status, seconds: (Date.now() - started) / 1000 });
}

console.log("\n================\nnpm test summary\n================");
for (const r of results) {
  const verdict = r.status === 0 ? "PASS" : `FAIL (exit ${r.status})`;
  console.log(`${verdict.padEnd(16)} ${r.seconds.toFixed(1).padStart(6)}s  ${r.name}`);
}
const failed = results.filter((r) => r.status !== 0);
console.log(
  `\nnpm test: ${results.length - failed.length} of ${results.length} steps passed${failed.length > 0 ? ` (${failed.length} failed)` : ""}`,
);
process.exit(failed.length === 0 ? 0 : 1);
