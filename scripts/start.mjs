// scripts/start.mjs — `npm start`: the main job. Builds the demo client with vite
// (into build/demo-client) and serves the demo host on 127.0.0.1, printing its URL.
// Extra arguments go to the host: `npm start -- --port 9000 --entities 20000`; with
// `--help` (or -h) the host prints its usage before anything is built.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./lib/process.mjs";

/** @param {string} name */
const bin = (name) => join(repoRoot, "node_modules", ".bin", name);

const args = process.argv.slice(2);
/** @param {string[]} hostArgs */
const runHost = (hostArgs) => {
  const host = spawn(bin("tsx"), ["demos/host/main.ts", ...hostArgs], { cwd: repoRoot, stdio: "inherit" });
  for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"]))
    process.on(signal, () => host.kill(signal));
  host.on("exit", (code) => process.exit(code ?? 0));
};
if (args.includes("--help") || args.includes("-h")) {
  runHost(["--help"]);
} else {
  buildClient();
  runHost(args);
}

function buildClient() {
  console.log("Proto demo: building the client (vite)…");
  const build = spawnSync(
    bin("vite"),
    ["build", "--config", "demos/client/vite.config.ts", "--logLevel", "warn"],
    {
      cwd: repoRoot,
      stdio: "inherit",
    },
  );
  if (build.status !== 0) {
    console.error("Proto demo: the client build failed (see above). Did `npm ci` finish?");
    process.exit(build.status ?? 1);
  }
}
