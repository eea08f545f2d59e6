// perf/js/wasm.bench.ts — the wasm.* metrics: perf/wasm/wasm_bench.cpp built
// twice, by em++ (build/wasm, run in Node: the WebAssembly back end) and by the
// host compiler (build/bench/perf/native/wasm_reference), run one after the
// other in this process's run; each wasm.X is compared with wasm.native.X.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { buildWasm, wasmBuildDir, wasmNodeFlags } from "../../scripts/build-wasm.mjs";
import { trees } from "../../scripts/lib/native.mjs";
import { buildJobs, repoRoot, run as runCommand } from "../../scripts/lib/process.mjs";
import type { BenchMetric, BenchOptions } from "./bench.ts";

const workloads = [
  { key: "attr.hot.depth32", unit: "ns/op" },
  { key: "attr.walk.depth32", unit: "ns/op" },
  { key: "gc.stall.p99_us.paced", unit: "us" },
  { key: "gc.stall.max_us.paced", unit: "us" },
] as const;

export const ids = workloads.flatMap((w) => [`wasm.${w.key}`, `wasm.native.${w.key}`]);

interface Report {
  metrics: Record<string, number>;
  samples: { stalls: number; cycles: number; frames: number };
}

function runReport(label: string, command: string, args: string[], cwd: string): Report {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (result.status !== 0)
    throw new Error(`${label}: ${command} exited with ${result.status ?? result.signal}`);
  const line = result.stdout.trim().split("\n").pop() ?? "";
  const report = JSON.parse(line) as Report;
  console.log(`${label}: ${JSON.stringify(report)}`);
  return report;
}

/** Builds only wasm_reference in build/bench, configured as perf/run.mjs configures it. */
function buildReference(): number {
  const dir = trees.bench.dir;
  const configured = runCommand("cmake", [
    "-S",
    ".",
    "-B",
    dir,
    "-DCMAKE_BUILD_TYPE=Release",
    "-DPROTO_SANITIZE=",
    "-DPROTO_BUILD_TESTS=OFF",
    "-DPROTO_BUILD_EXAMPLES=OFF",
    "-DPROTO_BUILD_BENCH=ON",
  ]);
  if (configured !== 0) return configured;
  return runCommand("cmake", [
    "--build",
    dir,
    "--target",
    "wasm_reference",
    "--parallel",
    String(buildJobs()),
  ]);
}

export function run(options: BenchOptions): BenchMetric[] {
  if (buildWasm(["proto_wasm_bench"]) !== 0) throw new Error("building build/wasm (proto_wasm_bench) failed");
  if (buildReference() !== 0) throw new Error("building build/bench (wasm_reference) failed");
  const arg = options.quick ? ["quick"] : [];
  const wasm = runReport(
    "wasm",
    process.execPath,
    [...wasmNodeFlags, join(wasmBuildDir, "proto_wasm_bench.js"), ...arg],
    wasmBuildDir,
  );
  const native = runReport(
    "native",
    join(repoRoot, trees.bench.dir, "perf", "native", "wasm_reference"),
    arg,
    repoRoot,
  );
  const out: BenchMetric[] = [];
  for (const w of workloads) {
    const wasmValue = wasm.metrics[w.key];
    const nativeValue = native.metrics[w.key];
    if (wasmValue === undefined || nativeValue === undefined) throw new Error(`no value for ${w.key}`);
    out.push({ id: `wasm.native.${w.key}`, value: nativeValue, unit: w.unit, better: "lower" });
    out.push({
      id: `wasm.${w.key}`,
      value: wasmValue,
      unit: w.unit,
      better: "lower",
      baseline: `wasm.native.${w.key}`,
    });
  }
  return out;
}
