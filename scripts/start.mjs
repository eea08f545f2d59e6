// scripts/start.mjs — `npm start`: the main job, the demo (demos/). Until the demo
// lands it says so and exits 0; the demo's engineer replaces this with its launcher.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./lib/process.mjs";

const entry = join(repoRoot, "demos", "start.mjs");
if (existsSync(entry)) {
  await import(entry);
} else {
  console.log(
    "Proto: the demo is not built yet (see README's status table). The runtime, addon and tests are:\n" +
      "  npm test              every check\n" +
      "  npm run bench         the benchmark suite",
  );
}
