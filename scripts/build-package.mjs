// scripts/build-package.mjs — builds what the npm package ships; `npm pack` runs it
// (package.json "prepack"), and so does `npm run build:package`:
//   dist/       tsc -p tsconfig.build.json: ESM JavaScript, .d.ts and source maps of
//               scripting/, engine-bridge/, demos/overlay/ and demos/trace/
//   prebuilds/  the prebuilt addon for this platform (scripts/prebuild.mjs)
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, run } from "./lib/process.mjs";

const dist = join(repoRoot, "dist");
rmSync(dist, { recursive: true, force: true });
const tsc = join(repoRoot, "node_modules", ".bin", "tsc");
if (run(tsc, ["-p", "tsconfig.build.json"]) !== 0) {
  console.error("Proto: compiling the package (tsc -p tsconfig.build.json) failed; see the errors above.");
  process.exit(1);
}

// tsc rewrites the sources' relative ".ts" imports to ".js" in the JavaScript it emits
// (rewriteRelativeImportExtensions) but not in declarations; a consumer's TypeScript
// without allowImportingTsExtensions refuses a ".ts" import, so they are rewritten here.
const relativeTs = /((?:from|import)\s*\(?\s*)(["'])(\.{1,2}\/[^"']+)\.ts\2/g;
let rewritten = 0;
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith(".d.ts")) continue;
  const file = join(entry.parentPath, entry.name);
  const text = readFileSync(file, "utf8");
  const fixed = text.replace(relativeTs, (_m, lead, quote, path) => `${lead}${quote}${path}.js${quote}`);
  if (fixed !== text) {
    writeFileSync(file, fixed);
    rewritten++;
  }
}
console.log(`Proto: compiled dist/ (${rewritten} declaration files' imports rewritten to .js)`);

const status = run(process.execPath, [join(repoRoot, "scripts", "prebuild.mjs")]);
process.exit(status);
