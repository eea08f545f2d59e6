// scripts/build-addon.mjs — builds the Node addon (build/addon/Release/proto.node)
// with cmake-js in Release. Runs as package.json's "install" script, so `npm ci`
// builds it; `npm run build:native` rebuilds it. Checks prerequisites first and
// names whatever is missing. Nothing is downloaded: cmake-js takes the Node-API
// headers from the node-api-headers npm package (package.json "binary.napi_versions").
import { createRequire } from "node:module";
import { checkCmake, checkCxx20, checkMake, checkNode, reportChecks } from "./lib/prereqs.mjs";
import { buildJobs, repoRoot, run } from "./lib/process.mjs";

/** The cmake-js build tree. Not build/ itself: build/native is the standalone CMake tree. */
export const addonBuildDir = "build/addon";

const ok = reportChecks("building the Node addon", [checkNode(), checkCmake(), checkMake(), checkCxx20()]);
if (!ok) process.exit(1);

const require = createRequire(import.meta.url);
const cmakeJs = require.resolve("cmake-js/bin/cmake-js");
const status = run(process.execPath, [
  cmakeJs,
  "build",
  "--directory",
  repoRoot,
  "--out",
  addonBuildDir,
  "--config",
  "Release",
  "--parallel",
  String(buildJobs()),
  "--log-level",
  "warn",
]);
if (status !== 0) {
  console.error(`\nProto: building the Node addon failed (cmake-js exit ${status}); see the output above.`);
  process.exit(status);
}
console.log(`Proto: built ${addonBuildDir}/Release/proto.node`);
