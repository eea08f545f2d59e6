// scripts/test-native.mjs — builds a native tree and runs its GoogleTest suite
// through CTest. `npm run test:native` (Release, build/native),
// `npm run test:native:asan` (ASan+UBSan, build/asan), `npm run test:native:tsan`
// (TSan, build/tsan). `--stress` runs the suite with PROTO_GC_STRESS=1: a
// verified collection at every safepoint (`npm run test:native:stress`, under ASan).
import { configureAndBuild, ctest, tsanLauncher } from "./lib/native.mjs";
import { checkCmake, checkCxx20, checkGtest, checkMake, reportChecks } from "./lib/prereqs.mjs";

const arg = process.argv.find((a) => a.startsWith("--sanitize="));
const sanitize = arg?.slice("--sanitize=".length) ?? "";
/** @type {Record<string, "native" | "asan" | "tsan">} */
const treeFor = { "": "native", address: "asan", thread: "tsan" };
const tree = treeFor[sanitize];
if (tree === undefined) {
  console.error(`error: --sanitize must be 'address' or 'thread' (got '${sanitize}')`);
  process.exit(2);
}

if (!reportChecks("the native test suite", [checkCmake(), checkMake(), checkCxx20(), checkGtest()])) {
  process.exit(1);
}

const stress = process.argv.includes("--stress");
const launcher = tree === "tsan" ? tsanLauncher("build/tsan") : [];
const started = Date.now();
let status = configureAndBuild(tree, { launcher });
if (status === 0) status = ctest(tree, { launcher, env: stress ? { PROTO_GC_STRESS: "1" } : {} });
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (status !== 0) {
  console.error(
    `\nnative tests (${tree}${stress ? ", GC stress" : ""}) FAILED after ${seconds}s (exit ${status})`,
  );
  process.exit(status);
}
console.log(`\nnative tests (${tree}${stress ? ", GC stress" : ""}) passed in ${seconds}s`);
