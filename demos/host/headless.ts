// demos/host/headless.ts — runs the demo simulation without a browser or a server, as fast as it
// can, and prints the frame-time summary (p50/p99/max per phase, GC pauses, frames over budget).
// Usage: npx tsx demos/host/headless.ts --frames 3600 --entities 10000 [--budget 0.5]
//        [--simulation proto|plain] [--workers N] [--gc-trigger-mb N] [--json]

import { parseArgs } from "node:util";
import { formatFrameSummary } from "../stats/FrameSummary.ts";
import { numberOption } from "./CliOptions.ts";
import { runHeadless, type SimulationKind } from "./HeadlessRun.ts";

/** Runs the simulation for --frames steps of 1/60 s and prints the summary (or JSON with --json). */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      frames: { type: "string" },
      entities: { type: "string" },
      budget: { type: "string" },
      simulation: { type: "string" },
      workers: { type: "string" },
      "gc-trigger-mb": { type: "string" },
      json: { type: "boolean" },
    },
  });
  const kind = values.simulation ?? "proto";
  if (kind !== "proto" && kind !== "plain")
    throw new Error(`--simulation must be proto or plain, got ${kind}`);
  const frames = numberOption(values.frames, "frames", { fallback: 600, min: 1, integer: true });
  const entities = numberOption(values.entities, "entities", { fallback: 10_000, min: 1, integer: true });
  const workers = numberOption(values.workers, "workers", { fallback: 0, integer: true });
  const trigger = values["gc-trigger-mb"];
  const { simulation, summary } = await runHeadless({
    simulation: kind as SimulationKind,
    frames,
    entities,
    budgetMs: numberOption(values.budget, "budget", { fallback: 0.5, min: 0.001 }),
    workers,
    ...(trigger === undefined
      ? {}
      : { gcTriggerMb: numberOption(trigger, "gc-trigger-mb", { fallback: 16, min: 1, integer: true }) }),
  });
  if (values.json === true) {
    console.log(JSON.stringify({ simulation, entities, ...summary }));
  } else {
    console.log(`${simulation} simulation, ${entities} entities, ${frames} frames`);
    console.log(formatFrameSummary(summary));
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
