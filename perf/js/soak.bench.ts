// perf/js/soak.bench.ts — the frame soak (perf/README.md): the demo scenario run
// headless through the same code as `npm run demo:headless` (demos/host/HeadlessRun.ts):
// the Proto simulation, 10 000 scripted entities with bullets spawning and dying so the
// Proto heap churns, a 0.5 ms GC budget, 3 600 frames (300 with --quick). The pacer
// trigger is 1 MiB so the churn runs GC cycles within the soak (at the default 16 MiB it
// would not run one). Reports the Proto GC pause per frame on the main thread (p99, max),
// frames over budget, the longest V8 GC pause, and the busy time per frame.
import { runHeadless } from "../../demos/host/HeadlessRun.ts";
import { type BenchMetric, type BenchOptions, wanted } from "./bench.ts";

export const ids = [
  "js.frame.gc_pause.p99_ms",
  "js.frame.gc_pause.max_ms",
  "js.frame.over_budget",
  "js.frame.v8_gc.max_ms",
  "js.frame.busy.p50_ms",
  "js.frame.busy.p99_ms",
] as const;

export async function run(options: BenchOptions): Promise<BenchMetric[]> {
  if (!ids.some((id) => wanted(id, options))) return [];
  const { summary, records } = await runHeadless({
    simulation: "proto",
    frames: options.quick ? 300 : 3600,
    entities: 10_000,
    budgetMs: 0.5,
    gcTriggerMb: 1,
  });
  const cycles = records.at(-1)?.gcCycles ?? 0;
  console.log(
    `soak: ${summary.frames} frames, ${cycles} Proto GC cycles, ${summary.lastEntities} entities at the end`,
  );
  return [
    { id: "js.frame.gc_pause.p99_ms", value: summary.gcPause.p99, unit: "ms", better: "lower" },
    { id: "js.frame.gc_pause.max_ms", value: summary.gcPause.max, unit: "ms", better: "lower" },
    { id: "js.frame.over_budget", value: summary.overBudget, unit: "frames", better: "lower" },
    { id: "js.frame.v8_gc.max_ms", value: summary.v8Gc.max, unit: "ms", better: "lower" },
    { id: "js.frame.busy.p50_ms", value: summary.busy.p50, unit: "ms", better: "lower" },
    { id: "js.frame.busy.p99_ms", value: summary.busy.p99, unit: "ms", better: "lower" },
  ];
}
