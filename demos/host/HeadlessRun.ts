// HeadlessRun: the headless demo loop, shared by `npm run demo:headless` and the perf
// suite's frame soak (perf/js/soak.bench.ts), so both run exactly the same code: make the
// simulation, step it N times at 60 Hz yielding to the event loop between frames (as the
// real host does, so perf_hooks can deliver V8 GC pauses), settle each frame's record once
// its V8 pauses are known, summarise the records.
//
// It also measures what the frame path allocates on V8's heap: V8's heap use is read just
// before and just after each step() (allocation moves it up by exactly what was allocated,
// as long as no collection ran in between), over the frames in which no V8 collection ran.
// The run's own bookkeeping allocates nothing per frame (records are copied into slots made
// before the first frame), so what is measured is the simulation's step.

import { setImmediate as nextTurn } from "node:timers/promises";
import { copyFrameRecord, emptyFrameRecord, type FrameRecord } from "../../engine-bridge/FrameRecord.ts";
import { V8GcObserver } from "../../engine-bridge/index.ts";
import { v8HeapUsed } from "../../scripting/v8.ts";
import { type FrameSummary, summarizeFrames } from "../stats/FrameSummary.ts";
import { H } from "./behaviours/heavy.ts";
import { digestFrameErrors, ErrorLog } from "./ErrorDigest.ts";
import { PlainSimulation } from "./PlainSimulation.ts";
import { ProtoSimulation } from "./ProtoSimulation.ts";
import type { Simulation } from "./Simulation.ts";

/** Which simulation runs the demo world. */
export type SimulationKind = "proto" | "plain";

/** Options of a headless run. */
export interface HeadlessOptions {
  simulation: SimulationKind;
  /** Frames measured (after the warm-up). */
  frames: number;
  entities: number;
  /** GC pause budget per frame in ms (Proto stalls and V8 pauses together). */
  budgetMs: number;
  /** Frames run first and left out of the records and figures (default 0). */
  warmupFrames?: number;
  /** Worker threads for the Proto behaviours (proto only; default 0). */
  workers?: number;
  /** Proto pacer trigger in MiB (proto only; see ProtoSimulationOptions.gcTriggerMb). */
  gcTriggerMb?: number;
  /** Collect V8's young generation in the frames' slack (proto only; default true). */
  youngGcInSlack?: boolean;
  /**
   * The game: the demo swarm, or the heavy soak's (the swarm plus per-entity temporaries:
   * demos/host/behaviours/heavy.ts, or PlainSimulation's heavy game). Default "swarm".
   */
  game?: "swarm" | "heavy";
  /** Heavy game on Proto: make the temporaries as frame temporaries (ctx.temps) rather than JS objects (default true). */
  heavyTemps?: boolean;
  /** The frame-time budget in ms (default 1000/60). */
  frameBudgetMs?: number;
}

/** What the V8 collector did over the measured frames, wherever the pauses fell. */
export interface V8Activity {
  /** Minor (scavenge) pauses. */
  minorCount: number;
  /** Major pauses (mark-compact, incremental marking steps, weak callbacks). */
  majorCount: number;
  /** The longest V8 pause (ms). */
  maxMs: number;
}

/** The outcome of a headless run. */
export interface HeadlessResult {
  simulation: string;
  /** The measured frames' records (complete: V8 pauses included). */
  records: FrameRecord[];
  summary: FrameSummary;
  /** Bytes allocated on V8's heap per step(), over the measured frames with no V8 collection in them. */
  v8AllocBytesPerFrame: number;
  /** Frames that figure is averaged over. */
  v8AllocFrames: number;
  v8: V8Activity;
}

/** Makes the simulation the demo host and the headless run use. */
export async function createSimulation(
  kind: SimulationKind,
  options: {
    entities: number;
    budgetMs: number;
    workers?: number;
    gcTriggerMb?: number;
    watch?: boolean;
    youngGcInSlack?: boolean;
    game?: "swarm" | "heavy";
    heavyTemps?: boolean;
    frameBudgetMs?: number;
    /** Most entities the target may be (default max(100 000, 2 × entities) on Proto, max(100 000, entities) plain). */
    capacity?: number;
  },
): Promise<Simulation> {
  if (kind === "plain")
    return new PlainSimulation({
      entities: options.entities,
      budgetMs: options.budgetMs,
      ...(options.capacity === undefined ? {} : { maxEntities: options.capacity }),
      ...(options.game === undefined ? {} : { game: options.game }),
      ...(options.frameBudgetMs === undefined ? {} : { frameBudgetMs: options.frameBudgetMs }),
    });
  if (kind !== "proto") throw new Error(`unknown simulation '${String(kind)}' (use proto or plain)`);
  const heavy = options.game === "heavy";
  const simulation = await ProtoSimulation.create({
    entities: options.entities,
    budgetMs: options.budgetMs,
    workers: options.workers ?? 0,
    ...(options.capacity === undefined ? {} : { capacity: options.capacity }),
    ...(options.gcTriggerMb === undefined ? {} : { gcTriggerMb: options.gcTriggerMb }),
    ...(options.youngGcInSlack === undefined ? {} : { youngGcInSlack: options.youngGcInSlack }),
    ...(heavy ? { behaviours: new URL("./behaviours/heavy.ts", import.meta.url) } : {}),
    ...(options.frameBudgetMs === undefined ? {} : { frameBudgetMs: options.frameBudgetMs }),
    watch: options.watch ?? false,
  });
  if (heavy) simulation.bridge.globals[H.TEMPS] = options.heavyTemps === false ? 0 : 1;
  return simulation;
}

/** What reading V8's heap use twice in a row adds by itself (the statistics object). */
function readOverhead(): number {
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 64; i++) {
    const before = v8HeapUsed();
    const after = v8HeapUsed();
    if (after >= before) least = Math.min(least, after - before);
  }
  return Number.isFinite(least) ? least : 0;
}

/** Runs the simulation for `warmupFrames + frames` steps of 1/60 s and summarises the measured ones. */
export async function runHeadless(options: HeadlessOptions): Promise<HeadlessResult> {
  const simulation = await createSimulation(options.simulation, options);
  const warmup = options.warmupFrames ?? 0;
  const records = Array.from({ length: options.frames }, emptyFrameRecord);
  let observer: V8GcObserver | undefined;
  const v8: V8Activity = { minorCount: 0, majorCount: 0, maxMs: 0 };
  let allocBytes = 0;
  let allocFrames = 0;
  // Each kind of frame error is printed once (and again after 5 s without it).
  const errorLog = new ErrorLog((line) => console.error(`headless: ${line}`));
  const reportErrors = (frame: number) => {
    const errors = simulation.frameErrors?.();
    if (errors !== undefined && errors.length > 0)
      errorLog.take(digestFrameErrors(frame, errors), performance.now());
  };
  try {
    for (let f = 0; f < warmup; f++) {
      reportErrors(simulation.step(1000 / 60).frame);
      await nextTurn();
    }
    simulation.settle?.();
    const overhead = readOverhead();
    observer = new V8GcObserver();
    let collectedBefore = 0;
    for (let f = 0; f < options.frames; f++) {
      const before = v8HeapUsed();
      const stepped = simulation.step(1000 / 60);
      const after = v8HeapUsed();
      reportErrors(stepped.frame);
      await nextTurn();
      const record = simulation.settle?.() ?? stepped;
      copyFrameRecord(record, records[f] as FrameRecord);
      // A frame counts if V8 collected nothing during its step (heap use only went up,
      // and no pause fell inside the frame).
      const collected = observer.pending;
      if (after >= before && record.v8GcMs === 0 && collected === collectedBefore) {
        allocBytes += Math.max(0, after - before - overhead);
        allocFrames++;
      }
      collectedBefore = collected;
    }
  } finally {
    simulation.dispose?.();
  }
  await nextTurn();
  observer?.take((_start, durationMs, kind) => {
    if (kind === "minor") v8.minorCount++;
    else v8.majorCount++;
    if (durationMs > v8.maxMs) v8.maxMs = durationMs;
  });
  observer?.close();
  return {
    simulation: simulation.name,
    records,
    summary: summarizeFrames(records),
    v8AllocBytesPerFrame: allocFrames === 0 ? 0 : allocBytes / allocFrames,
    v8AllocFrames: allocFrames,
    v8,
  };
}
