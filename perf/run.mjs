// perf/run.mjs — `npm run bench`: the benchmark harness (see perf/README.md).
// Builds build/bench (Release, benchmarks only), runs every
// perf/native/*_bench binary and every perf/js/*.bench.{ts,mjs} module, pairs each
// metric with its baseline from the same run, writes perf/results/latest.json
// (schema 1) and prints a table with the machine line.
//
//   npm run bench                      the full suite (at most 10 minutes)
//   npm run bench -- --quick           every metric once, small sizes
//   npm run bench -- --only native.gc  a part: prefix of a metric id, or a part name
//                                      (native binary such as attr_bench, JS module such as napi)
//   npm run bench -- --native-build DIR   time an existing CMake tree instead of build/bench
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, cpus } from "node:os";
import { basename, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { configureAndBuild, trees } from "../scripts/lib/native.mjs";
import { checkBenchmark, checkCmake, checkCxx20, checkMake, reportChecks } from "../scripts/lib/prereqs.mjs";
import { repoRoot } from "../scripts/lib/process.mjs";
import { baselines } from "./baselines.mjs";

/** @typedef {{ id: string, value: number, unit: string, better: "lower" | "higher", baseline?: string, ratio?: number }} Metric */
/** @typedef {Metric & { part: string }} PartMetric */

const usage = `usage: npm run bench -- [--quick] [--only PART] [--native-build DIR]
  --quick             every metric once with small sizes (the suite in under 2 minutes)
  --only PART         run only metrics whose id starts with PART, or the part named PART
                      (a native binary like attr_bench, a JS module like napi)
  --native-build DIR  time the benchmarks of an existing CMake build tree (must be Release)`;

function parseCli() {
  try {
    return parseArgs({
      options: {
        quick: { type: "boolean", default: false },
        only: { type: "string" },
        "native-build": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exit(2);
  }
}
const args = parseCli();
if (args.help) {
  console.log(usage);
  process.exit(0);
}
const quick = args.quick ?? false;
const only = args.only;
const limitSeconds = quick ? 90 : 300;

/** @type {string[]} */
const failures = [];
/** @type {PartMetric[]} */
const metrics = [];

/** True if PART selects this part as a whole (every metric in it). */
const selectsPart = (/** @type {string} */ kind, /** @type {string} */ part) =>
  only === undefined || part.startsWith(only) || kind.startsWith(only) || only === kind;
/** True if PART could select some metric of this kind (ids start with `native.` / `js.`). */
const mayTouchKind = (/** @type {string} */ kind) =>
  only === undefined || only.startsWith(`${kind}.`) || kind.startsWith(only);
/** @param {string} id */
const idSelected = (id) => only === undefined || id.startsWith(only);

// ---------------------------------------------------------------- native part

/** @param {string} dir @returns {Record<string, string>} */
function readCmakeCache(dir) {
  const path = join(repoRoot, dir, "CMakeCache.txt");
  /** @type {Record<string, string>} */
  const cache = {};
  if (!existsSync(path)) return cache;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*):[A-Z]+=(.*)$/.exec(line);
    if (match?.[1] !== undefined) cache[match[1]] = match[2] ?? "";
  }
  return cache;
}

/** Why a build tree must not be timed, or null if it is an optimised, unsanitized build. */
function unfitForTiming(/** @type {string} */ dir) {
  const cache = readCmakeCache(dir);
  if (Object.keys(cache).length === 0) return `${dir} is not a configured CMake build tree`;
  const type = cache.CMAKE_BUILD_TYPE ?? "";
  if (type !== "Release" && type !== "RelWithDebInfo") {
    return `${dir} is a '${type || "no build type"}' build; only Release (or RelWithDebInfo) builds are timed`;
  }
  if ((cache.PROTO_SANITIZE ?? "") !== "")
    return `${dir} is a sanitizer build (PROTO_SANITIZE=${cache.PROTO_SANITIZE})`;
  const flags = `${cache.CMAKE_CXX_FLAGS ?? ""} ${cache[`CMAKE_CXX_FLAGS_${type.toUpperCase()}`] ?? ""}`;
  if (/-fsanitize/.test(flags)) return `${dir} is compiled with -fsanitize (CMAKE_CXX_FLAGS)`;
  if (/(^|\s)-O0(\s|$)/.test(flags)) return `${dir} is compiled with -O0`;
  if (!/-DNDEBUG/.test(flags)) return `${dir} is compiled without -DNDEBUG (assertions on)`;
  return null;
}

/** "g++ 12.2.0" from a CMake tree's compiler record, or null. */
function compilerOf(/** @type {string} */ dir) {
  const files = join(repoRoot, dir, "CMakeFiles");
  if (!existsSync(files)) return null;
  for (const entry of readdirSync(files)) {
    const path = join(files, entry, "CMakeCXXCompiler.cmake");
    if (!existsSync(path)) continue;
    const text = readFileSync(path, "utf8");
    const id = /set\(CMAKE_CXX_COMPILER_ID "([^"]*)"\)/.exec(text)?.[1];
    const version = /set\(CMAKE_CXX_COMPILER_VERSION "([^"]*)"\)/.exec(text)?.[1];
    if (id === undefined || version === undefined) continue;
    /** @type {Record<string, string>} */
    const names = { GNU: "g++", Clang: "clang++", AppleClang: "apple-clang++" };
    return `${names[id] ?? id} ${version}`;
  }
  return null;
}

/** @param {string} text */
const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** ns per time unit of Google Benchmark's JSON. @type {Record<string, number>} */
const nsPer = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };

/**
 * Folds one binary's Google Benchmark JSON into metrics (convention in perf/README.md):
 * the id is the benchmark name up to its first '/'; the value is real_time in ns/op,
 * or the counter `value` with the unit from label `unit=...`; the median aggregate
 * wins when repetitions ran, else the median of the runs.
 * @param {string} part @param {{ benchmarks?: Array<Record<string, unknown>> }} json
 * @returns {PartMetric[]}
 */
function metricsFromGoogleBenchmark(part, json) {
  /** @type {Map<string, { runs: Array<Record<string, unknown>>, median?: Record<string, unknown> }>} */
  const byId = new Map();
  for (const entry of json.benchmarks ?? []) {
    const name = String(entry.run_name ?? entry.name ?? "");
    const id = name.split("/")[0] ?? name;
    if (entry.error_occurred) {
      failures.push(`${part}: ${id} failed: ${String(entry.error_message ?? "error")}`);
      continue;
    }
    const slot = byId.get(id) ?? { runs: [] };
    if (entry.run_type === "aggregate") {
      if (entry.aggregate_name === "median") slot.median = entry;
    } else {
      slot.runs.push(entry);
    }
    byId.set(id, slot);
  }
  /** @type {PartMetric[]} */
  const out = [];
  for (const [id, slot] of byId) {
    /** @param {Record<string, unknown>} e */
    const metricValue = (e) =>
      typeof e.value === "number" ? e.value : Number(e.real_time) * (nsPer[String(e.time_unit ?? "ns")] ?? 1);
    const sample = slot.median ?? slot.runs[0];
    if (sample === undefined) continue;
    const values = slot.median ? [metricValue(slot.median)] : slot.runs.map(metricValue);
    const sorted = values.sort((a, b) => a - b);
    const value = sorted[sorted.length >> 1] ?? Number.NaN;
    const label = String(sample.label ?? slot.runs[0]?.label ?? "");
    const hasCounter = typeof sample.value === "number";
    const unit = label.match(/(?:^|[\s;,])unit=([^\s;,]+)/)?.[1] ?? (hasCounter ? "value" : "ns/op");
    const betterLabel = label.match(/(?:^|[\s;,])better=(lower|higher)/)?.[1];
    /** @type {"lower" | "higher"} */
    const better = betterLabel === "higher" || (!betterLabel && unit.endsWith("/s")) ? "higher" : "lower";
    const baseline = label.match(/(?:^|[\s;,])baseline=([^\s;,]+)/)?.[1];
    if (!Number.isFinite(value)) {
      failures.push(`${part}: ${id} reported no finite value`);
      continue;
    }
    out.push({ part, id, value, unit, better, ...(baseline ? { baseline } : {}) });
  }
  return out;
}

const nativeSources = readdirSync(join(repoRoot, "perf", "native"))
  .filter((f) => f.endsWith("_bench.cpp"))
  .map((f) => f.slice(0, -".cpp".length))
  .sort();

function runNative() {
  const sources = nativeSources;
  if (sources.length === 0) {
    console.log("native: no benchmarks yet (perf/native/*_bench.cpp)");
    return;
  }
  let dir = args["native-build"];
  if (dir === undefined) {
    if (!reportChecks("the native benchmarks", [checkCmake(), checkMake(), checkCxx20(), checkBenchmark()])) {
      failures.push("native: missing prerequisites");
      return;
    }
    dir = trees.bench.dir;
    if (configureAndBuild("bench", { examples: false }) !== 0) {
      failures.push(`native: building ${dir} failed`);
      return;
    }
  }
  const unfit = unfitForTiming(dir);
  if (unfit !== null) {
    console.error(`error: refusing to time ${dir}: ${unfit}. Benchmarks run on Release builds only.`);
    failures.push(`native: refused to time ${dir}`);
    return;
  }
  const binDir = join(repoRoot, dir, "perf", "native");
  const outDir = join(repoRoot, dir, "results");
  mkdirSync(outDir, { recursive: true });
  for (const name of sources) {
    const binary = join(binDir, name);
    if (!existsSync(binary)) {
      failures.push(`native: ${relative(repoRoot, binary)} was not built`);
      continue;
    }
    /** @type {string[]} */
    const filterArgs = [];
    if (!selectsPart("native", name)) {
      const listed = spawnSync(binary, ["--benchmark_list_tests=true"], { encoding: "utf8" });
      const names = (listed.stdout ?? "")
        .split("\n")
        .filter((n) => n.length > 0 && idSelected(n.split("/")[0] ?? ""));
      if (names.length === 0) continue;
      filterArgs.push(`--benchmark_filter=^(${names.map(escapeRegex).join("|")})$`);
    }
    const outFile = join(outDir, `${name}.json`);
    const timing = quick
      ? ["--benchmark_min_time=0.01", "--benchmark_repetitions=1"]
      : ["--benchmark_repetitions=5", "--benchmark_report_aggregates_only=true"];
    const command = [...timing, ...filterArgs, `--benchmark_out=${outFile}`, "--benchmark_out_format=json"];
    console.log(`\n--- native: ${name} ${command.join(" ")}`);
    // Long benchmarks (GC pauses on big heaps) read PROTO_BENCH_QUICK to shrink themselves.
    const env = { ...process.env, PROTO_BENCH_QUICK: quick ? "1" : "0" };
    const result = spawnSync(binary, command, { stdio: "inherit", timeout: limitSeconds * 1000, env });
    if (result.status !== 0 || !existsSync(outFile)) {
      const why = result.error?.message ?? result.signal ?? `exit ${result.status}`;
      failures.push(`native: ${name} failed (${why}; limit ${limitSeconds}s)`);
      continue;
    }
    metrics.push(...metricsFromGoogleBenchmark(name, JSON.parse(readFileSync(outFile, "utf8"))));
  }
}

// -------------------------------------------------------------------- JS part

/** Refuses a debug or sanitizer addon: it would time the wrong binary. */
function addonFitForTiming() {
  const path = process.env.PROTO_ADDON_PATH || join(repoRoot, "build", "addon", "Release", "proto.node");
  if (!existsSync(path)) {
    return `the addon is not built (${relative(repoRoot, path)} missing): run npm ci or npm run build:native`;
  }
  const info = createRequire(import.meta.url)(path).buildInfo();
  if (!info.optimized || info.assertions || info.sanitizer !== "none") {
    return `the addon at ${path} is not a Release build (${JSON.stringify(info)})`;
  }
  return null;
}

function runJs() {
  const jsDir = join(repoRoot, "perf", "js");
  const modules = readdirSync(jsDir)
    .filter((f) => /\.bench\.(ts|mjs)$/.test(f))
    .sort();
  const selected = modules.filter((file) => {
    if (selectsPart("js", basename(file).replace(/\.bench\.(ts|mjs)$/, ""))) return true;
    return mayTouchKind("js");
  });
  if (selected.length === 0) return;
  const unfit = addonFitForTiming();
  if (unfit !== null) {
    console.error(`error: refusing to run the JS benchmarks: ${unfit}`);
    failures.push("js: refused to time the addon");
    return;
  }
  const outDir = join(repoRoot, trees.bench.dir, "results");
  mkdirSync(outDir, { recursive: true });
  for (const file of selected) {
    const part = basename(file).replace(/\.bench\.(ts|mjs)$/, "");
    const outFile = join(outDir, `js.${part}.json`);
    const options = { quick, only: selectsPart("js", part) ? undefined : only };
    console.log(`\n--- js: ${file}${options.only ? ` (only ${options.only})` : ""}`);
    const result = spawnSync(
      process.execPath,
      [
        "--expose-gc",
        "--import",
        "tsx",
        join(repoRoot, "perf", "lib", "js-child.mjs"),
        join(jsDir, file),
        outFile,
        JSON.stringify(options),
      ],
      { stdio: "inherit", timeout: limitSeconds * 1000, cwd: repoRoot },
    );
    if (result.status !== 0) {
      const why = result.error?.message ?? result.signal ?? `exit ${result.status}`;
      failures.push(`js: ${file} failed (${why}; limit ${limitSeconds}s)`);
      continue;
    }
    /** @type {Metric[]} */
    const reported = JSON.parse(readFileSync(outFile, "utf8"));
    metrics.push(...reported.map((m) => ({ ...m, part })));
  }
}

// ------------------------------------------------------------------ the report

const started = Date.now();
if (
  mayTouchKind("native") ||
  readdirSync(join(repoRoot, "perf", "native")).some((f) => selectsPart("native", f))
)
  runNative();
runJs();

const selectedMetrics = metrics.filter((m) => idSelected(m.id) || selectsPart("", m.part));
// A selected metric's baseline stays in the table when its module measured it too.
const neededBaselines = new Set(selectedMetrics.map((m) => m.baseline ?? baselines[m.id]));
const kept = metrics.filter((m) => selectedMetrics.includes(m) || neededBaselines.has(m.id));
const byId = new Map(kept.map((m) => [m.id, m]));
/** @param {number} x */
const round = (x) => Number(x.toPrecision(4));
/** @type {Metric[]} */
const out = kept.map((m) => {
  const baselineId = m.baseline ?? baselines[m.id];
  const base = baselineId !== undefined ? byId.get(baselineId) : undefined;
  /** @type {Metric} */
  const metric = { id: m.id, value: round(m.value), unit: m.unit, better: m.better };
  if (baselineId !== undefined && base !== undefined && base.value !== 0) {
    metric.baseline = baselineId;
    metric.ratio = round(m.value / base.value);
  } else if (baselineId !== undefined && base !== undefined) {
    console.log(`note: ${m.id}: its baseline ${baselineId} is 0 in this run, so no ratio`);
  } else if (baselineId !== undefined) {
    console.log(`note: ${m.id}: its baseline ${baselineId} was not measured in this run, so no ratio`);
  }
  return metric;
});

const machine = {
  cpu: cpus()[0]?.model.trim() ?? "unknown",
  cores: availableParallelism(),
  node: process.version,
  compiler: compilerOf(args["native-build"] ?? trees.bench.dir) ?? compilerOf("build/addon") ?? "unknown",
};
const report = {
  schema: 1,
  date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  machine,
  quick,
  metrics: out,
};
const resultsDir = join(repoRoot, "perf", "results");
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, "latest.json"), `${JSON.stringify(report, null, 2)}\n`);

const rows = [
  ["metric", "value", "unit", "better", "baseline", "ratio"],
  ...out.map((m) => [m.id, String(m.value), m.unit, m.better, m.baseline ?? "", m.ratio?.toString() ?? ""]),
];
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
const line = (/** @type {string[]} */ r) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
console.log(
  `\nProto benchmarks${quick ? " (--quick)" : ""}${only ? ` (--only ${only})` : ""} — ${report.date}`,
);
console.log(`machine: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.compiler}\n`);
console.log(line(rows[0] ?? []));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const r of rows.slice(1)) console.log(line(r));
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`\n${out.length} metrics in ${seconds}s -> perf/results/latest.json`);
if (only !== undefined && out.length === 0) failures.push(`--only ${only} matched no metric`);
if (failures.length > 0) {
  console.error(`\nbench FAILED:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
