// perf/js/soak.bench.ts — the frame soak (perf/README.md, js.frame.*): the demo run headless
// through the same code as `npm run demo:headless` (demos/host/HeadlessRun.ts), 10 000
// entities, a 0.5 ms GC budget (Proto stalls and V8 pauses together), 600 warm-up frames then
// 3 600 measured (120 and 300 with --quick). Each scenario runs in its own process
// (perf/js/soak-scenario.ts): the Proto trigger is fixed per process, and no scenario
// inherits another's heap or JIT.
//
// Scenarios and their id prefixes:
//   js.frame.                          Proto swarm, pacer trigger 1 MiB, young GC in the slack
//   js.frame.default_trigger.          the same at the default trigger (16 MiB)
//   js.frame.no_young_gc.              the same as js.frame. without the slack collection
//   js.frame.plain.                    the plain-JS swarm (the same game without Proto)
// The heavy game runs at the default Proto trigger (16 MiB): its frame temporaries are
// about 700 KB of Proto objects a frame, which a 1 MiB trigger would collect every frame.
//
//   js.frame.heavy.                    the heavy game on Proto, temporaries as frame temps
//   js.frame.heavy.js_temps.           the heavy game on Proto, temporaries as JS objects
//   js.frame.heavy.js_temps.no_young_gc.   the same without the slack collection
//   js.frame.heavy.plain.              the heavy game in plain JS
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type BenchMetric, type BenchOptions, wanted } from "./bench.ts";
import type { SoakFigures, SoakScenario } from "./soak-scenario.ts";

interface Scenario {
  readonly prefix: string;
  readonly run: Omit<SoakScenario, "frames" | "warmupFrames" | "entities" | "budgetMs">;
  /** The prefix of the scenario its ratios are taken against (same suffix). */
  readonly baseline?: string;
}

const SCENARIOS: readonly Scenario[] = [
  {
    prefix: "js.frame.",
    run: { simulation: "proto", game: "swarm", heavyTemps: true, gcTriggerMb: 1, youngGcInSlack: true },
    baseline: "js.frame.plain.",
  },
  {
    prefix: "js.frame.default_trigger.",
    run: {
      simulation: "proto",
      game: "swarm",
      heavyTemps: true,
      gcTriggerMb: undefined,
      youngGcInSlack: true,
    },
    baseline: "js.frame.",
  },
  {
    prefix: "js.frame.no_young_gc.",
    run: { simulation: "proto", game: "swarm", heavyTemps: true, gcTriggerMb: 1, youngGcInSlack: false },
    baseline: "js.frame.",
  },
  {
    prefix: "js.frame.plain.",
    run: {
      simulation: "plain",
      game: "swarm",
      heavyTemps: false,
      gcTriggerMb: undefined,
      youngGcInSlack: false,
    },
  },
  {
    prefix: "js.frame.heavy.",
    run: {
      simulation: "proto",
      game: "heavy",
      heavyTemps: true,
      gcTriggerMb: undefined,
      youngGcInSlack: true,
    },
    baseline: "js.frame.heavy.plain.",
  },
  {
    prefix: "js.frame.heavy.js_temps.",
    run: {
      simulation: "proto",
      game: "heavy",
      heavyTemps: false,
      gcTriggerMb: undefined,
      youngGcInSlack: true,
    },
    baseline: "js.frame.heavy.",
  },
  {
    prefix: "js.frame.heavy.js_temps.no_young_gc.",
    run: {
      simulation: "proto",
      game: "heavy",
      heavyTemps: false,
      gcTriggerMb: undefined,
      youngGcInSlack: false,
    },
    baseline: "js.frame.heavy.js_temps.",
  },
  {
    prefix: "js.frame.heavy.plain.",
    run: {
      simulation: "plain",
      game: "heavy",
      heavyTemps: false,
      gcTriggerMb: undefined,
      youngGcInSlack: false,
    },
  },
];

/** Every scenario's figures, by suffix; Proto-only figures are left out of the plain ones. */
const FIGURES: readonly {
  readonly suffix: string;
  readonly unit: string;
  readonly pick: (f: SoakFigures) => number;
  readonly protoOnly?: boolean;
  /** Compared with the baseline scenario (a ratio). */
  readonly ratio?: boolean;
  /** Only in the main scenario (js.frame.). */
  readonly mainOnly?: boolean;
}[] = [
  { suffix: "v8_alloc_kb_per_frame", unit: "kB/frame", pick: (f) => f.v8AllocKbPerFrame, ratio: true },
  { suffix: "v8_gc.max_ms", unit: "ms", pick: (f) => f.v8GcMaxMs, ratio: true },
  { suffix: "v8_slack_gc.max_ms", unit: "ms", pick: (f) => f.v8SlackMaxMs, protoOnly: true },
  { suffix: "v8_major_gc.count", unit: "pauses", pick: (f) => f.v8MajorCount },
  { suffix: "v8_minor_gc.count", unit: "pauses", pick: (f) => f.v8MinorCount, ratio: true },
  { suffix: "gc_total.p99_ms", unit: "ms", pick: (f) => f.gcTotalP99Ms, ratio: true },
  { suffix: "gc_total.max_ms", unit: "ms", pick: (f) => f.gcTotalMaxMs, ratio: true },
  { suffix: "gc_pause.p99_ms", unit: "ms", pick: (f) => f.gcPauseP99Ms, protoOnly: true, mainOnly: true },
  { suffix: "gc_pause.max_ms", unit: "ms", pick: (f) => f.gcPauseMaxMs, protoOnly: true, mainOnly: true },
  { suffix: "over_budget", unit: "frames", pick: (f) => f.overBudget },
  { suffix: "over_frame_time", unit: "frames", pick: (f) => f.overFrameTime },
  { suffix: "busy.p50_ms", unit: "ms", pick: (f) => f.busyP50Ms, mainOnly: true },
  { suffix: "busy.p99_ms", unit: "ms", pick: (f) => f.busyP99Ms, ratio: true },
];

function idsOf(scenario: Scenario): string[] {
  const proto = scenario.run.simulation === "proto";
  const main = scenario.prefix === "js.frame.";
  return FIGURES.filter((f) => (proto || !f.protoOnly) && (main || !f.mainOnly)).map(
    (f) => `${scenario.prefix}${f.suffix}`,
  );
}

export const ids = SCENARIOS.flatMap(idsOf);

const CHILD = fileURLToPath(new URL("./soak-scenario.ts", import.meta.url));

function runScenario(scenario: Scenario, options: BenchOptions): SoakFigures {
  const run: SoakScenario = {
    ...scenario.run,
    frames: options.quick ? 300 : 3600,
    warmupFrames: options.quick ? 120 : 600,
    entities: 10_000,
    budgetMs: 0.5,
  };
  const result = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", CHILD, JSON.stringify(run)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = result.stdout.split("\n").find((l) => l.startsWith("SOAK "));
  if (result.status !== 0 || line === undefined)
    throw new Error(`soak scenario ${scenario.prefix} failed (exit ${result.status}): ${result.stdout}`);
  return JSON.parse(line.slice(5)) as SoakFigures;
}

export function run(options: BenchOptions): BenchMetric[] {
  const out: BenchMetric[] = [];
  for (const scenario of SCENARIOS) {
    const ids = idsOf(scenario);
    if (!ids.some((id) => wanted(id, options))) continue;
    const f = runScenario(scenario, options);
    console.log(
      `soak ${scenario.prefix}: ${f.v8AllocKbPerFrame.toFixed(2)} kB/frame over ${f.v8AllocFrames} frames, ` +
        `${f.v8MinorCount} minor / ${f.v8MajorCount} major V8 pauses, ${f.protoCycles} Proto cycles, ${f.lastEntities} entities`,
    );
    for (const figure of FIGURES) {
      const id = `${scenario.prefix}${figure.suffix}`;
      if (!ids.includes(id)) continue;
      out.push({
        id,
        value: figure.pick(f),
        unit: figure.unit,
        better: "lower",
        ...(figure.ratio === true && scenario.baseline !== undefined
          ? { baseline: `${scenario.baseline}${figure.suffix}` }
          : {}),
      });
    }
  }
  return out;
}
