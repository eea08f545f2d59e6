// perf/lib/js-child.mjs — runs one JS benchmark module in its own process for
// perf/run.mjs. Started as `node --expose-gc --import tsx js-child.mjs MODULE OUT OPTIONS_JSON`;
// checks the module's shape (perf/js/bench.ts), runs it and writes its metrics to OUT.
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [modulePath, outPath, optionsJson] = process.argv.slice(2);
if (!modulePath || !outPath || !optionsJson) {
  console.error("usage: js-child.mjs MODULE OUT OPTIONS_JSON");
  process.exit(2);
}
const mod = await import(pathToFileURL(modulePath).href);
if (!Array.isArray(mod.ids) || typeof mod.run !== "function") {
  console.error(`${modulePath}: a benchmark module must export 'ids' (string[]) and 'run(options)'`);
  process.exit(2);
}
const metrics = await mod.run(JSON.parse(optionsJson));
if (!Array.isArray(metrics)) {
  console.error(`${modulePath}: run() must return an array of metrics`);
  process.exit(2);
}
for (const m of metrics) {
  const ok =
    m !== null &&
    typeof m === "object" &&
    typeof m.id === "string" &&
    typeof m.value === "number" &&
    Number.isFinite(m.value) &&
    typeof m.unit === "string" &&
    (m.better === "lower" || m.better === "higher");
  if (!ok) {
    console.error(`${modulePath}: invalid metric ${JSON.stringify(m)} (need id, finite value, unit, better)`);
    process.exit(2);
  }
  if (!mod.ids.includes(m.id)) {
    console.error(`${modulePath}: metric '${m.id}' is not listed in the module's ids`);
    process.exit(2);
  }
}
writeFileSync(outPath, JSON.stringify(metrics));
