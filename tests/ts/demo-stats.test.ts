// Tests of demos/stats: frame summaries report percentiles and frames over budget.
import { describe, expect, it } from "vitest";
import { formatFrameSummary, summarizeFrames } from "../../demos/stats/index.ts";
import type { FrameRecord } from "../../engine-bridge/FrameRecord.ts";

const record = (frame: number, scriptsMs: number, gcPauseMs = 0): FrameRecord => ({
  frame,
  startMs: frame * 16,
  phases: { scriptsMs, systemsMs: 1, syncMs: 0, renderMs: 0 },
  gcPauseMs,
  v8GcMs: 0,
  v8MinorGcMs: 0,
  v8MajorGcMs: 0,
  v8IdleGcMs: 0,
  v8SlackGcMs: 0,
  budgetMs: 0.5,
  overBudget: gcPauseMs > 0.5,
  frameBudgetMs: 1000 / 60,
  overFrameTime: false,
  entities: 100 + frame,
  heapBytes: 1 << 20,
  liveObjects: 0,
  gcCycles: 0,
  longestPauseMs: 0,
});

describe("summarizeFrames", () => {
  it("reports nearest-rank p50, p99 and max per phase", () => {
    const records = Array.from({ length: 100 }, (_, i) => record(i, i + 1));
    const summary = summarizeFrames(records);
    expect(summary.scripts).toEqual({ p50: 50, p99: 99, max: 100 });
    expect(summary.busy.max).toBe(101);
    expect(summary.lastEntities).toBe(199);
  });

  it("counts frames over budget", () => {
    const summary = summarizeFrames([record(0, 1, 0.2), record(1, 1, 0.9), record(2, 1, 0.7)]);
    expect(summary.overBudget).toBe(2);
    expect(summary.gcPause.max).toBeCloseTo(0.9);
  });

  it("summarizes no frames as zeros", () => {
    expect(summarizeFrames([])).toMatchObject({
      frames: 0,
      scripts: { p50: 0, p99: 0, max: 0 },
      overBudget: 0,
    });
  });

  it("formats a table with one row per phase", () => {
    const text = formatFrameSummary(summarizeFrames([record(0, 2)]));
    expect(text).toMatch(/^phase \(ms\)\s+p50\s+p99\s+max/);
    expect(text).toMatch(/scripts\s+2\.000\s+2\.000\s+2\.000/);
    expect(text).toMatch(/frames 1, over GC budget 0 \(Proto \+ V8\), over frame time 0/);
    expect(text).toMatch(/GC, both heaps\s+0\.000/);
  });

  it("counts both heaps in a frame's GC time and each budget apart", () => {
    const r0 = { ...record(0, 1, 0.2), v8GcMs: 0.6, v8MinorGcMs: 0.6, overBudget: true };
    const r1 = { ...record(1, 20), v8GcMs: 3, v8MajorGcMs: 3, overFrameTime: true, v8IdleGcMs: 1.5 };
    const summary = summarizeFrames([r0, r1, record(2, 1)]);
    expect(summary.gcTotal.max).toBeCloseTo(3);
    expect(summary.gcTotal.p50).toBeCloseTo(0.8);
    expect(summary.v8Minor.max).toBeCloseTo(0.6);
    expect(summary.v8Major.max).toBeCloseTo(3);
    expect(summary.overBudget).toBe(1);
    expect(summary.overFrameTime).toBe(1);
    expect(summary.v8IdleMs).toBeCloseTo(1.5);
  });
});
