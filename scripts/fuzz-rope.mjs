// scripts/fuzz-rope.mjs — `npm run fuzz:rope`: builds the libFuzzer target
// native/fuzz/rope_fuzz.cpp with clang++ (ASan + UBSan) in build/fuzz and runs it
// for a bounded time (default 30 s; `-- --time=SECONDS` to change), keeping its
// corpus in build/fuzz/corpus/rope. Exits non-zero on a crash or a build failure.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildJobs, repoRoot, run } from "./lib/process.mjs";

const timeArg = process.argv.find((a) => a.startsWith("--time="));
const seconds = Number.parseInt(
  timeArg?.slice("--time=".length) ?? process.env.PROTO_FUZZ_SECONDS ?? "30",
  10,
);
if (!Number.isInteger(seconds) || seconds <= 0) {
  console.error("error: --time must be a positive number of seconds");
  process.exit(2);
}

// libFuzzer ships with clang's runtime libraries (Debian: clang + libclang-rt-NN-dev).
const probeDir = mkdtempSync(join(tmpdir(), "proto-fuzz-probe-"));
writeFileSync(
  join(probeDir, "probe.cpp"),
  'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n',
);
const probe = run("clang++", ["-fsanitize=fuzzer", "probe.cpp", "-o", "probe"], {
  cwd: probeDir,
  quiet: true,
});
rmSync(probeDir, { recursive: true, force: true });
if (probe !== 0) {
  console.error(
    "error: clang++ with libFuzzer is required for the fuzz target.\n" +
      "  Debian/Ubuntu: sudo apt-get install -y clang libclang-rt-14-dev (or the libclang-rt-NN-dev matching clang++ --version)",
  );
  process.exit(1);
}

const dir = "build/fuzz";
const configure = [
  "-S",
  ".",
  "-B",
  dir,
  "-DCMAKE_CXX_COMPILER=clang++",
  "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
  "-DPROTO_SANITIZE=address",
  "-DPROTO_BUILD_FUZZ=ON",
  "-DPROTO_BUILD_TESTS=OFF",
  "-DPROTO_BUILD_BENCH=OFF",
  "-DPROTO_BUILD_EXAMPLES=OFF",
];
let status = run("cmake", configure);
if (status === 0) status = run("cmake", ["--build", dir, "--target", "rope_fuzz", "-j", String(buildJobs())]);
if (status !== 0) {
  console.error(`\nfuzz:rope build FAILED (exit ${status})`);
  process.exit(status);
}

const corpus = join(repoRoot, dir, "corpus", "rope");
mkdirSync(corpus, { recursive: true });
status = run(join(dir, "native", "fuzz", "rope_fuzz"), [
  `-max_total_time=${seconds}`,
  "-max_len=8192",
  "-timeout=20",
  "-print_final_stats=1",
  corpus,
]);
if (status !== 0) {
  console.error(`\nfuzz:rope FAILED (exit ${status}); the crashing input is in the file named above`);
  process.exit(status);
}
console.log(`\nfuzz:rope ran ${seconds}s without a failure`);
