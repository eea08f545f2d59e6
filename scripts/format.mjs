// scripts/format.mjs — `npm run format`: rewrites TS/JS/JSON with biome (format,
// safe lint fixes, import order) and C++ with clang-format -i.
import { join } from "node:path";
import { cppFiles } from "./lib/native.mjs";
import { checkClangFormat, reportChecks } from "./lib/prereqs.mjs";
import { repoRoot, run } from "./lib/process.mjs";

let status = run(join(repoRoot, "node_modules", ".bin", "biome"), ["check", "--write", "."]);
if (reportChecks("formatting C++", [checkClangFormat()])) {
  const files = cppFiles();
  console.log(`clang-format -i on ${files.length} C++ files`);
  status = run("clang-format", ["-i", ...files], { quiet: true }) || status;
} else {
  status = 1;
}
process.exit(status);
