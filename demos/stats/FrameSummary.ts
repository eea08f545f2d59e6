// FrameSummary: reduces a run's frame records to the numbers a person (or the perf suite's
// frame soak) reads — p50/p99/max per phase and per GC source, the frame's GC time (both
// heaps), and frames over the GC budget and over the frame-time budget. Pure.

import { type FrameRecord, frameBusyMs, frameGcMs } from "../../engine-bridge/FrameRecord.ts";

/** Distribution of one per-frame quantity, in milliseconds. */
export interface Distribution {
  p50: number;
  p99: number;
  max: number;
}

/** Summary of a run; every distribution is over all frames. */
export interface FrameSummary {
  frames: number;
  scripts: Distribution;
  systems: Distribution;
  sync: Distribution;
  render: Distribution;
  /** Whole frame: phases plus GC pauses. */
  busy: Distribution;
  /** Proto GC pause (every stall) on the main thread per frame. */
  gcPause: Distribution;
  /** V8 GC pause inside the frame, minor and major. */
  v8Gc: Distribution;
  /** V8 scavenges inside the frame. */
  v8Minor: Distribution;
  /** V8 full-heap pauses inside the frame. */
  v8Major: Distribution;
  /** The frame's GC time: Proto stalls plus V8 pauses. */
  gcTotal: Distribution;
  /** V8 collections in the frame's slack, after its work. */
  v8Slack: Distribution;
  /** V8 pauses between frames, summed over the run (ms). */
  v8IdleMs: number;
  /** Frames whose GC time (both heaps) broke the GC budget. */
  overBudget: number;
  /** Frames whose busy time broke the frame-time budget. */
  overFrameTime: number;
  /** Final entity count and heap size. */
  lastEntities: number;
  lastHeapBytes: number;
}

/** Nearest-rank percentile of sorted values (q in [0, 1]); 0 for no values. */
function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

function distribution(records: readonly FrameRecord[], pick: (r: FrameRecord) => number): Distribution {
  const values = Float64Array.from(records, pick).sort();
  return { p50: percentile(values, 0.5), p99: percentile(values, 0.99), max: percentile(values, 1) };
}

/** Summarizes frame records (p50/p99/max per phase and GC source, frames over budget). */
export function summarizeFrames(records: readonly FrameRecord[]): FrameSummary {
  const last = records[records.length - 1];
  return {
    frames: records.length,
    scripts: distribution(records, (r) => r.phases.scriptsMs),
    systems: distribution(records, (r) => r.phases.systemsMs),
    sync: distribution(records, (r) => r.phases.syncMs),
    render: distribution(records, (r) => r.phases.renderMs),
    busy: distribution(records, frameBusyMs),
    gcPause: distribution(records, (r) => r.gcPauseMs),
    v8Gc: distribution(records, (r) => r.v8GcMs),
    v8Minor: distribution(records, (r) => r.v8MinorGcMs),
    v8Major: distribution(records, (r) => r.v8MajorGcMs),
    gcTotal: distribution(records, frameGcMs),
    v8Slack: distribution(records, (r) => r.v8SlackGcMs),
    v8IdleMs: records.reduce((ms, r) => ms + r.v8IdleGcMs, 0),
    overBudget: records.reduce((n, r) => n + (r.overBudget ? 1 : 0), 0),
    overFrameTime: records.reduce((n, r) => n + (r.overFrameTime ? 1 : 0), 0),
    lastEntities: last?.entities ?? 0,
    lastHeapBytes: last?.heapBytes ?? 0,
  };
}

/** Formats a summary as an aligned text table (ms with three decimals). */
export function formatFrameSummary(summary: FrameSummary): string {
  const rows: [string, Distribution][] = [
    ["scripts", summary.scripts],
    ["systems", summary.systems],
    ["sync", summary.sync],
    ["render", summary.render],
    ["Proto GC pause", summary.gcPause],
    ["V8 minor GC", summary.v8Minor],
    ["V8 major GC", summary.v8Major],
    ["GC, both heaps", summary.gcTotal],
    ["V8 GC in slack", summary.v8Slack],
    ["frame busy", summary.busy],
  ];
  const ms = (v: number) => v.toFixed(3).padStart(9);
  const lines = [`${"phase (ms)".padEnd(16)}${"p50".padStart(9)}${"p99".padStart(9)}${"max".padStart(9)}`];
  for (const [name, d] of rows) lines.push(`${name.padEnd(16)}${ms(d.p50)}${ms(d.p99)}${ms(d.max)}`);
  lines.push(
    `frames ${summary.frames}, over GC budget ${summary.overBudget} (Proto + V8), over frame time ${summary.overFrameTime}, ` +
      `V8 GC between frames ${summary.v8IdleMs.toFixed(1)} ms, entities ${summary.lastEntities}, heap ${(summary.lastHeapBytes / 2 ** 20).toFixed(1)} MB`,
  );
  return lines.join("\n");
}
