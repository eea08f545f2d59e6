// demos/host/main.ts — entry point of the demo host: parses the command line, starts a DemoHost
// running the Proto simulation (engine bridge; --simulation plain for the plain-JS baseline)
// and prints the URL. Run with: npx tsx demos/host/main.ts --port 8080 --entities 10000

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { numberOption } from "./CliOptions.ts";
import { DemoHost } from "./DemoHost.ts";
import { createSimulation } from "./HeadlessRun.ts";

const USAGE = `usage: tsx demos/host/main.ts [--port N] [--entities N] [--budget MS] [--hz N] [--static DIR]
  --port      TCP port on 127.0.0.1 (default 8080; 0 picks a free port)
  --entities  target entity count (default 10000)
  --budget    GC pause budget per frame in ms (default 0.5)
  --hz        simulation steps per second (default 60)
  --static    directory of the built client (default build/demo-client)
  --simulation  proto (default: Proto behaviours through the engine bridge, behaviour file
              demos/host/behaviours/swarm.ts reloaded live when edited) or plain (plain-JS baseline)
  --workers   worker threads for the Proto behaviours (default 0)`;

/** Parses the arguments, starts the host and stops it cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      entities: { type: "string" },
      budget: { type: "string" },
      hz: { type: "string" },
      static: { type: "string" },
      simulation: { type: "string" },
      workers: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const repoRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
  const entities = numberOption(values.entities, "entities", { fallback: 10_000, min: 1, integer: true });
  const budgetMs = numberOption(values.budget, "budget", { fallback: 0.5, min: 0.001 });
  const kind = values.simulation ?? "proto";
  if (kind !== "proto" && kind !== "plain")
    throw new Error(`--simulation must be proto or plain, got "${kind}"`);
  const workers = numberOption(values.workers, "workers", { fallback: 0, integer: true });
  const simulation = await createSimulation(kind, { entities, budgetMs, workers, watch: true });
  const host = new DemoHost({
    simulation,
    staticDir: resolve(values.static ?? resolve(repoRoot, "build/demo-client")),
    port: numberOption(values.port, "port", { fallback: 8080, integer: true }),
    hz: numberOption(values.hz, "hz", { fallback: 60, min: 1 }),
  });
  host.configure(entities, budgetMs);
  const url = await host.start();
  console.log(`Proto demo (${simulation.name} simulation, ${entities} entities): ${url}`);

  const shutdown = () => {
    host.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(USAGE);
  process.exit(1);
});
