// demos/host/headless.ts — runs the demo simulation without a browser or a server, as fast as it
// can, and prints the frame-time summary (p50/p99/max per phase, GC pauses, frames over budget).
// Usage: npx tsx demos/host/headless.ts --frames 3600 --entities 10000 [--budget 0.5]
//        [--simulation proto|plain] [--workers N] [--gc-trigger-mb N] [--warmup N]
//        [--no-young-gc] [--frame-budget MS] [--game swarm|heavy] [--js-temps] [--json]

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
      warmup: { type: "string" },
      "no-young-gc": { type: "boolean" },
      "frame-budget": { type: "string" },
      game: { type: "string" },
      "js-temps": { type: "boolean" },
      json: { type: "boolean" },
    },
  });
  const kind = values.simulation ?? "proto";
  if (values.game !== undefined && values.game !== "swarm" && values.game !== "heavy")
    throw new Error(`--game must be swarm or heavy, got ${values.game}`);
  if (kind !== "proto" && kind !== "plain")
    throw new Error(`--simulation must be proto or plain, got ${kind}`);
  const frames = numberOption(values.frames, "frames", { fallback: 600, min: 1, integer: true });
  const entities = numberOption(values.entities, "entities", { fallback: 10_000, min: 1, integer: true });
  const workers = numberOption(values.workers, "workers", { fallback: 0, integer: true });
  const trigger = values["gc-trigger-mb"];
  const warmupFrames = numberOption(values.warmup, "warmup", { fallback: 0, integer: true });
  const { simulation, summary, v8AllocBytesPerFrame, v8 } = await runHeadless({
    simulation: kind as SimulationKind,
    frames,
    entities,
    warmupFrames,
    youngGcInSlack: values["no-young-gc"] !== true,
    game: values.game === "heavy" ? "heavy" : "swarm",
    heavyTemps: values["js-temps"] !== true,
    frameBudgetMs: numberOption(values["frame-budget"], "frame-budget", { fallback: 1000 / 60, min: 0.001 }),
    budgetMs: numberOption(values.budget, "budget", { fallback: 0.5, min: 0.001 }),
    workers,
    ...(trigger === undefined
      ? {}
      : { gcTriggerMb: numberOption(trigger, "gc-trigger-mb", { fallback: 16, min: 1, integer: true }) }),
  });
  if (values.json === true) {
    console.log(JSON.stringify({ simulation, entities, ...summary, v8AllocBytesPerFrame, v8 }));
  } else {
    console.log(
      `${simulation} simulation, ${entities} entities, ${frames} frames (after ${warmupFrames} warm-up)`,
    );
    console.log(formatFrameSummary(summary));
    console.log(
      `V8: ${(v8AllocBytesPerFrame / 1024).toFixed(1)} KB allocated per frame, ${v8.minorCount} minor and ${v8.majorCount} major pauses (longest ${v8.maxMs.toFixed(2)} ms)`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
