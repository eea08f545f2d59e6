// HeadlessRun: the headless demo loop, shared by `npm run demo:headless` and the perf
// suite's frame soak (perf/js/soak.bench.ts), so both run exactly the same code: make the
// simulation, step it N times at 60 Hz yielding to the event loop between frames (as the
// real host does, so perf_hooks can deliver V8 GC pauses), summarise the records.

import { setImmediate as nextTurn } from "node:timers/promises";
import type { FrameRecord } from "../overlay/FrameRecord.ts";
import { type FrameSummary, summarizeFrames } from "../stats/FrameSummary.ts";
import { PlainSimulation } from "./PlainSimulation.ts";
import { ProtoSimulation } from "./ProtoSimulation.ts";
import type { Simulation } from "./Simulation.ts";

/** Which simulation runs the demo world. */
export type SimulationKind = "proto" | "plain";

/** Options of a headless run. */
export interface HeadlessOptions {
  simulation: SimulationKind;
  frames: number;
  entities: number;
  /** GC pause budget per frame in ms. */
  budgetMs: number;
  /** Worker threads for the Proto behaviours (proto only; default 0). */
  workers?: number;
  /** Proto pacer trigger in MiB (proto only; see ProtoSimulationOptions.gcTriggerMb). */
  gcTriggerMb?: number;
}

/** The outcome of a headless run. */
export interface HeadlessResult {
  simulation: string;
  records: FrameRecord[];
  summary: FrameSummary;
}

/** Makes the simulation the demo host and the headless run use. */
export async function createSimulation(
  kind: SimulationKind,
  options: { entities: number; budgetMs: number; workers?: number; gcTriggerMb?: number; watch?: boolean },
): Promise<Simulation> {
  if (kind === "plain")
    return new PlainSimulation({ entities: options.entities, budgetMs: options.budgetMs });
  if (kind !== "proto") throw new Error(`unknown simulation '${String(kind)}' (use proto or plain)`);
  return ProtoSimulation.create({
    entities: options.entities,
    budgetMs: options.budgetMs,
    workers: options.workers ?? 0,
    ...(options.gcTriggerMb === undefined ? {} : { gcTriggerMb: options.gcTriggerMb }),
    watch: options.watch ?? false,
  });
}

/** Runs the simulation for `frames` steps of 1/60 s and summarises the frames. */
export async function runHeadless(options: HeadlessOptions): Promise<HeadlessResult> {
  const simulation = await createSimulation(options.simulation, options);
  const records: FrameRecord[] = [];
  try {
    for (let f = 0; f < options.frames; f++) {
      records.push(simulation.step(1000 / 60));
      await nextTurn();
    }
  } finally {
    simulation.dispose?.();
  }
  return { simulation: simulation.name, records, summary: summarizeFrames(records) };
}
