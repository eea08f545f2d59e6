// demos/host/headless.ts — runs the demo simulation without a browser or a server, as fast as it
// can, and prints the frame-time summary (p50/p99/max per phase, GC pauses, frames over budget).
// Usage: npx tsx demos/host/headless.ts --frames 3600 --entities 10000 [--budget 0.5] [--json]

import { setImmediate as nextTurn } from "node:timers/promises";
import { parseArgs } from "node:util";
import { formatFrameSummary, summarizeFrames } from "../stats/FrameSummary.ts";
import { PlainSimulation } from "./PlainSimulation.ts";

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw new Error(`--${name} must be a positive number`);
  return n;
}

/** Runs the simulation for --frames steps of 1/60 s and prints the summary (or JSON with --json). */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      frames: { type: "string" },
      entities: { type: "string" },
      budget: { type: "string" },
      json: { type: "boolean" },
    },
  });
  const frames = Math.round(positive(values.frames, "frames", 600));
  const entities = Math.round(positive(values.entities, "entities", 10_000));
  const simulation = new PlainSimulation({ entities, budgetMs: positive(values.budget, "budget", 0.5) });
  const records = [];
  for (let f = 0; f < frames; f++) {
    records.push(simulation.step(1000 / 60));
    // One event-loop turn per frame, as in the real host, so perf_hooks can deliver V8 GC pauses.
    await nextTurn();
  }
  simulation.dispose();
  const summary = summarizeFrames(records);
  if (values.json === true) {
    console.log(JSON.stringify({ simulation: simulation.name, entities, ...summary }));
  } else {
    console.log(`${simulation.name} simulation, ${entities} entities, ${frames} frames`);
    console.log(formatFrameSummary(summary));
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
