// scripts/lib/native.mjs — the native build trees used by the scripts: configure,
// build and test libproto with CMake (plain Release, ASan+UBSan, TSan), plus the
// list of C++ files that clang-format owns.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { arch } from "node:os";
import { join, relative } from "node:path";
import { buildJobs, repoRoot, run } from "./process.mjs";

/** @typedef {"" | "address" | "thread"} Sanitizer */

/**
 * Each native build tree: where it lives, its CMake options and the environment its tests run in.
 * @type {Record<"native" | "asan" | "tsan" | "bench", { dir: string, sanitize: Sanitizer, buildType: string, tests: boolean, bench: boolean, env: Record<string, string> }>}
 */
export const trees = {
  native: { dir: "build/native", sanitize: "", buildType: "Release", tests: true, bench: true, env: {} },
  asan: {
    dir: "build/asan",
    sanitize: "address",
    buildType: "RelWithDebInfo",
    tests: true,
    bench: false,
    env: {
      ASAN_OPTIONS:
        "detect_leaks=1:strict_init_order=1:check_initialization_order=1:detect_stack_use_after_return=1",
      UBSAN_OPTIONS: "print_stacktrace=1:halt_on_error=1",
    },
  },
  tsan: {
    dir: "build/tsan",
    sanitize: "thread",
    buildType: "RelWithDebInfo",
    tests: true,
    bench: false,
    env: { TSAN_OPTIONS: "halt_on_error=1:second_deadlock_stack=1" },
  },
  bench: { dir: "build/bench", sanitize: "", buildType: "Release", tests: false, bench: true, env: {} },
};

/**
 * Environment for a tree: its sanitizer options first, then whatever the caller set
 * (sanitizer options are colon lists; later entries win, so the caller can override).
 * @param {Record<string, string>} extra
 */
export function envWith(extra) {
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env };
  for (const [key, value] of Object.entries(extra)) {
    env[key] = env[key] ? `${value}:${env[key]}` : value;
  }
  return env;
}

/**
 * ThreadSanitizer (gcc 12 / LLVM < 18) aborts with "unexpected memory mapping" on
 * kernels with high mmap randomisation. Compile a tiny TSan program and run it; if it
 * fails that way, the TSan tree must build and test with ASLR off (setarch -R),
 * because gtest_discover_tests runs the test binary at build time too.
 * @param {string} buildDir
 * PROTO_TSAN_SETARCH=1 forces setarch, =0 never uses it.
 * @returns {string[]} a command prefix ([] or ["setarch", arch, "-R"])
 */
export function tsanLauncher(buildDir) {
  const machine = process.arch === "x64" ? "x86_64" : process.arch === "arm64" ? "aarch64" : arch();
  if (process.env.PROTO_TSAN_SETARCH === "1") return ["setarch", machine, "-R"];
  if (process.env.PROTO_TSAN_SETARCH === "0") return [];
  mkdirSync(join(repoRoot, buildDir), { recursive: true });
  const dir = mkdtempSync(join(repoRoot, buildDir, "tsan-probe-"));
  try {
    const source = join(dir, "probe.cpp");
    const binary = join(dir, "probe");
    writeFileSync(
      source,
      "#include <thread>\nint main() { int v = 0; std::thread t([&] { v = 1; }); t.join(); return v - 1; }\n",
    );
    const compiler = process.env.CXX || "c++";
    const built = spawnSync(compiler, ["-std=c++20", "-fsanitize=thread", "-pthread", source, "-o", binary], {
      encoding: "utf8",
    });
    if (built.status !== 0) {
      console.error(`warning: could not compile the TSan probe with ${compiler}:\n${built.stderr}`);
      return [];
    }
    const probe = spawnSync(binary, [], { encoding: "utf8" });
    if (probe.status === 0) return [];
    if (/unexpected memory mapping/.test(probe.stderr ?? "")) {
      console.log(`TSan needs ASLR off on this kernel: running the TSan tree under setarch ${machine} -R`);
      return ["setarch", machine, "-R"];
    }
    console.error(`warning: the TSan probe failed (exit ${probe.status}):\n${probe.stderr}`);
    return [];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Configures and builds one tree. Returns the first non-zero exit code, or 0.
 * @param {keyof typeof trees} name
 * @param {{ launcher?: string[], examples?: boolean }} [options]
 */
export function configureAndBuild(name, options = {}) {
  const tree = trees[name];
  const launcher = options.launcher ?? [];
  const examples = options.examples ?? tree.tests;
  const on = (/** @type {boolean} */ flag) => (flag ? "ON" : "OFF");
  const configure = [
    "-S",
    ".",
    "-B",
    tree.dir,
    `-DCMAKE_BUILD_TYPE=${tree.buildType}`,
    `-DPROTO_SANITIZE=${tree.sanitize}`,
    `-DPROTO_BUILD_TESTS=${on(tree.tests)}`,
    `-DPROTO_BUILD_EXAMPLES=${on(examples)}`,
    `-DPROTO_BUILD_BENCH=${on(tree.bench)}`,
  ];
  let status = run("cmake", configure);
  if (status !== 0) return status;
  const build = ["--build", tree.dir, "--parallel", String(buildJobs())];
  const env = envWith(tree.env);
  status =
    launcher.length > 0
      ? run(launcher[0] ?? "", [...launcher.slice(1), "cmake", ...build], { env })
      : run("cmake", build, { env });
  return status;
}

/**
 * Runs CTest in one tree (serially: GC and threading tests want the cores to themselves).
 * @param {keyof typeof trees} name
 * @param {{ launcher?: string[], env?: Record<string, string> }} [options]
 */
export function ctest(name, options = {}) {
  const tree = trees[name];
  const launcher = options.launcher ?? [];
  const args = ["--test-dir", tree.dir, "--output-on-failure", "--no-tests=error"];
  const env = envWith({ ...tree.env, ...(options.env ?? {}) });
  return launcher.length > 0
    ? run(launcher[0] ?? "", [...launcher.slice(1), "ctest", ...args], { env })
    : run("ctest", args, { env });
}

const cppDirs = ["native", "tests/native", "perf/native", "perf/wasm"];
const cppExtensions = /\.(c|cpp|cc|cxx|h|hpp|hh|inl)$/;

/** The C++ files clang-format owns, repo-relative and sorted. */
export function cppFiles() {
  /** @type {string[]} */
  const files = [];
  /** @param {string} dir */
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (cppExtensions.test(entry.name)) files.push(relative(repoRoot, path));
    }
  };
  for (const dir of cppDirs) walk(join(repoRoot, dir));
  return files.sort();
}
