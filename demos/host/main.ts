// demos/host/main.ts — entry point of the demo host: parses the command line, starts a DemoHost
// running the Proto simulation (engine bridge; --simulation plain for the plain-JS baseline)
// and prints the URL. Run with: npx tsx demos/host/main.ts --port 8080 --entities 10000

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { numberOption } from "./CliOptions.ts";
import { DemoHost } from "./DemoHost.ts";
import { createSimulation } from "./HeadlessRun.ts";

/** What `--help` prints (`npm start -- --help` asks for it before building anything). */
const USAGE = `usage: npm start -- [options]   (or: npx tsx demos/host/main.ts [options])
  --port N          TCP port on 127.0.0.1 (default 8080; 0 picks a free port)
  --entities N      target entity count at start (default 10000)
  --capacity N      most entities the world holds, fixed at start: the page's entity field
                    accepts 0 to N (default max(100000, 2 × --entities))
  --budget MS       GC budget per frame in ms, Proto stalls and V8 pauses together (default 0.5)
  --gc-trigger-mb N Proto starts a GC cycle after N MiB of allocation (default 1, the
                    least, so that collections run while you watch; the runtime's default is 16)
  --hz N            simulation steps per second (default 60)
  --static DIR      directory of the built client (default build/demo-client)
  --simulation S    proto (default: Proto behaviours through the engine bridge; the behaviour
                    file demos/host/behaviours/swarm.ts reloads live when saved) or plain
                    (the plain-JS baseline)
  --workers N       worker threads for the Proto behaviours (default 0)
  -h, --help        print this and exit
The page shows every frame's record (red: over the GC budget; magenta: over the frame time),
script errors and reload notices; http://127.0.0.1:PORT/trace.json exports the host's recent
frames as a Chrome trace (?frames=N for the last N).`;

/** Parses the arguments, starts the host and stops it cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      entities: { type: "string" },
      capacity: { type: "string" },
      budget: { type: "string" },
      "gc-trigger-mb": { type: "string" },
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
  const entities = numberOption(values.entities, "entities", { fallback: 10_000, min: 0, integer: true });
  const capacity = numberOption(values.capacity, "capacity", {
    fallback: Math.max(100_000, 2 * entities),
    min: Math.max(1, entities),
    integer: true,
  });
  const budgetMs = numberOption(values.budget, "budget", { fallback: 0.5, min: 0.001 });
  const gcTriggerMb = numberOption(values["gc-trigger-mb"], "gc-trigger-mb", {
    fallback: 2,
    min: 1,
    integer: true,
  });
  const kind = values.simulation ?? "proto";
  if (kind !== "proto" && kind !== "plain")
    throw new Error(`--simulation must be proto or plain, got "${kind}"`);
  const workers = numberOption(values.workers, "workers", { fallback: 0, integer: true });
  const port = numberOption(values.port, "port", { fallback: 8080, integer: true });
  const hz = numberOption(values.hz, "hz", { fallback: 60, min: 1 });
  const simulation = await createSimulation(kind, {
    entities,
    budgetMs,
    workers,
    capacity,
    gcTriggerMb,
    watch: true,
  });
  const host = new DemoHost({
    simulation,
    staticDir: resolve(values.static ?? resolve(repoRoot, "build/demo-client")),
    port,
    hz,
  });
  host.configure(entities, budgetMs);
  const url = await host.start();
  console.log(
    `Proto demo (${simulation.name} simulation, ${entities} entities, capacity ${simulation.maxEntities}): ${url}` +
      `\n  trace of the last frames: ${url}trace.json`,
  );

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
