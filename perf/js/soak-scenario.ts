// perf/js/soak-scenario.ts — one scenario of the frame soak (perf/js/soak.bench.ts), in its
// own process: the Proto GC trigger is fixed when a process makes its runtime, and each
// scenario starts with a fresh V8 heap and JIT. Runs demos/host/HeadlessRun.ts and prints
// one line `SOAK {json}` with the figures the bench reports.
import { runHeadless, type SimulationKind } from "../../demos/host/HeadlessRun.ts";

/** What the bench asks of a scenario. */
export interface SoakScenario {
  readonly simulation: SimulationKind;
  readonly game: "swarm" | "heavy";
  readonly heavyTemps: boolean;
  readonly gcTriggerMb: number | undefined;
  readonly youngGcInSlack: boolean;
  readonly frames: number;
  readonly warmupFrames: number;
  readonly entities: number;
  readonly budgetMs: number;
}

/** What a scenario reports (ms unless named otherwise). */
export interface SoakFigures {
  readonly v8AllocKbPerFrame: number;
  readonly v8AllocFrames: number;
  /** The largest V8 GC time inside one frame's work. */
  readonly v8GcMaxMs: number;
  /** The largest V8 collection in one frame's slack. */
  readonly v8SlackMaxMs: number;
  readonly v8MajorCount: number;
  readonly v8MinorCount: number;
  readonly gcTotalP99Ms: number;
  readonly gcTotalMaxMs: number;
  readonly gcPauseP99Ms: number;
  readonly gcPauseMaxMs: number;
  readonly overBudget: number;
  readonly overFrameTime: number;
  readonly busyP50Ms: number;
  readonly busyP99Ms: number;
  readonly protoCycles: number;
  readonly lastEntities: number;
}

async function main(): Promise<void> {
  const scenario = JSON.parse(process.argv[2] ?? "{}") as SoakScenario;
  const result = await runHeadless({
    simulation: scenario.simulation,
    game: scenario.game,
    heavyTemps: scenario.heavyTemps,
    frames: scenario.frames,
    warmupFrames: scenario.warmupFrames,
    entities: scenario.entities,
    budgetMs: scenario.budgetMs,
    youngGcInSlack: scenario.youngGcInSlack,
    ...(scenario.gcTriggerMb === undefined ? {} : { gcTriggerMb: scenario.gcTriggerMb }),
  });
  const s = result.summary;
  const first = result.records[0];
  const last = result.records.at(-1);
  const figures: SoakFigures = {
    v8AllocKbPerFrame: result.v8AllocBytesPerFrame / 1024,
    v8AllocFrames: result.v8AllocFrames,
    v8GcMaxMs: s.v8Gc.max,
    v8SlackMaxMs: s.v8Slack.max,
    v8MajorCount: result.v8.majorCount,
    v8MinorCount: result.v8.minorCount,
    gcTotalP99Ms: s.gcTotal.p99,
    gcTotalMaxMs: s.gcTotal.max,
    gcPauseP99Ms: s.gcPause.p99,
    gcPauseMaxMs: s.gcPause.max,
    overBudget: s.overBudget,
    overFrameTime: s.overFrameTime,
    busyP50Ms: s.busy.p50,
    busyP99Ms: s.busy.p99,
    protoCycles: (last?.gcCycles ?? 0) - (first?.gcCycles ?? 0),
    lastEntities: s.lastEntities,
  };
  console.log(`SOAK ${JSON.stringify(figures)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
