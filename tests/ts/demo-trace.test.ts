// Tests of demos/trace: frame records become a Chrome trace that Perfetto can open.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TRACE_TID, type TraceEvent, toChromeTrace } from "../../demos/trace/index.ts";
import type { FrameRecord } from "../../engine-bridge/FrameRecord.ts";
import { traceFormatProblems } from "./fixtures/traceFormat.ts";

function record(frame: number, overrides: Partial<FrameRecord> = {}): FrameRecord {
  return {
    frame,
    startMs: 1000 + frame * 16.5,
    phases: { scriptsMs: 4, systemsMs: 2, syncMs: 0.5, renderMs: 1.25 },
    gcPauseMs: 0.25,
    v8GcMs: 0,
    v8MinorGcMs: 0,
    v8MajorGcMs: 0,
    v8IdleGcMs: 0,
    v8SlackGcMs: 0,
    budgetMs: 0.5,
    overBudget: false,
    frameBudgetMs: 1000 / 60,
    overFrameTime: false,
    entities: 10_000,
    heapBytes: 64 << 20,
    liveObjects: 123_456,
    gcCycles: frame >> 4,
    longestPauseMs: 0.4,
    ...overrides,
  };
}

const completeEvents = (events: TraceEvent[], tid: number) =>
  events.filter((e) => e.ph === "X" && e.tid === tid);

describe("toChromeTrace", () => {
  it("produces JSON that round-trips through JSON.parse unchanged", () => {
    const trace = toChromeTrace([record(0), record(1), record(2)]);
    const text = JSON.stringify(trace);
    expect(JSON.parse(text)).toEqual(trace);
    expect(trace.displayTimeUnit).toBe("ms");
  });

  it("writes metadata first, then events ordered by timestamp", () => {
    const records = Array.from({ length: 50 }, (_, i) =>
      record(i, { v8GcMs: i % 7 === 0 ? 1.5 : 0, overBudget: i % 9 === 0 }),
    );
    const events = toChromeTrace(records).traceEvents;
    const firstNonMeta = events.findIndex((e) => e.ph !== "M");
    expect(events.slice(firstNonMeta).every((e) => e.ph !== "M")).toBe(true);
    const timed = events.slice(firstNonMeta);
    for (let i = 1; i < timed.length; i++) {
      expect(timed[i]?.ts).toBeGreaterThanOrEqual(timed[i - 1]?.ts ?? 0);
    }
  });

  it("expresses timestamps and durations in microseconds from the first frame", () => {
    const events = toChromeTrace([record(0), record(1)]).traceEvents;
    const frames = events.filter((e) => e.cat === "frame");
    expect(frames.map((e) => e.ts)).toEqual([0, 16_500]);
    const scripts = events.filter((e) => e.name === "scripts");
    expect(scripts.map((e) => e.dur)).toEqual([4000, 4000]);
    // Frame slice: 0.25 ms Proto pause + 4 + 2 + 0.5 + 1.25 ms of phases.
    expect(frames[0]?.dur).toBe(8000);
  });

  it("nests every phase inside its frame slice on the main-thread track", () => {
    const events = toChromeTrace([record(0), record(1, { gcEvents: [] })]).traceEvents;
    const main = completeEvents(events, TRACE_TID.main);
    const frames = main.filter((e) => e.cat === "frame");
    for (const phase of main.filter((e) => e.cat === "phase")) {
      const parent = frames.find((f) => f.ts <= phase.ts && phase.ts < f.ts + (f.dur ?? 0));
      expect(parent, `phase ${phase.name} at ${phase.ts}`).toBeDefined();
      expect(phase.ts + (phase.dur ?? 0)).toBeLessThanOrEqual((parent?.ts ?? 0) + (parent?.dur ?? 0));
    }
  });

  it("puts the parent slice before its first child when they start together", () => {
    const events = toChromeTrace([record(0, { gcPauseMs: 0 })]).traceEvents;
    const main = completeEvents(events, TRACE_TID.main);
    expect(main[0]?.cat).toBe("frame");
    expect(main[1]?.name).toBe("scripts");
  });

  it("places Proto and V8 GC pauses on their own tracks", () => {
    const events = toChromeTrace([record(0, { v8GcMs: 2 })]).traceEvents;
    expect(completeEvents(events, TRACE_TID.protoGc)).toMatchObject([
      { name: "Proto GC pause", ts: 0, dur: 250 },
    ]);
    expect(completeEvents(events, TRACE_TID.v8Gc)).toMatchObject([
      { name: "V8 GC pause", ts: 250, dur: 2000 },
    ]);
  });

  it("uses the record's own GC events when it has them", () => {
    const r = record(0, {
      gcEvents: [
        { source: "proto", startMs: 1003, durationMs: 0.1 },
        { source: "proto", startMs: 1005, durationMs: 0.15 },
      ],
    });
    const pauses = completeEvents(toChromeTrace([r]).traceEvents, TRACE_TID.protoGc);
    expect(pauses.map((e) => [e.ts, e.dur])).toEqual([
      [3000, 100],
      [5000, 150],
    ]);
  });

  it("emits the statistics as counter events", () => {
    const events = toChromeTrace([record(3)]).traceEvents;
    const counters = events.filter((e) => e.ph === "C");
    expect(counters.map((e) => e.name)).toEqual(
      expect.arrayContaining(["entities", "heap", "live objects", "GC cycles", "GC pause per frame (ms)"]),
    );
    expect(counters.find((e) => e.name === "entities")?.args).toEqual({ entities: 10_000 });
  });

  it("marks frames over budget with an instant event on the Proto GC track", () => {
    const events = toChromeTrace([record(0), record(1, { overBudget: true, gcPauseMs: 0.9 })]).traceEvents;
    const marks = events.filter((e) => e.ph === "i");
    expect(marks).toHaveLength(1);
    expect(marks[0]).toMatchObject({ tid: TRACE_TID.protoGc, ts: 16_500, s: "t" });
  });

  it("keeps only the last N frames when asked", () => {
    const records = Array.from({ length: 10 }, (_, i) => record(i));
    const trace = toChromeTrace(records, { lastN: 3 });
    const frames = trace.traceEvents.filter((e) => e.cat === "frame");
    expect(frames.map((e) => e.args?.frame)).toEqual([7, 8, 9]);
    expect(frames[0]?.ts).toBe(0);
    expect(trace.otherData).toMatchObject({ frames: 3, firstFrame: 7, lastFrame: 9 });
  });

  it("gives a valid trace with no events for no records", () => {
    const trace = toChromeTrace([]);
    expect(trace.traceEvents.every((e) => e.ph === "M")).toBe(true);
  });

  it("rejects a record with a non-finite time, naming the frame and field", () => {
    const bad = record(5, { phases: { scriptsMs: Number.NaN, systemsMs: 0, syncMs: 0, renderMs: 0 } });
    expect(() => toChromeTrace([bad])).toThrow(/frame 5 .*phases\.scriptsMs/);
  });

  it("rejects a negative duration", () => {
    expect(() => toChromeTrace([record(2, { gcPauseMs: -1 })])).toThrow(/frame 2 .*gcPauseMs/);
  });
});

describe("toChromeTrace keeps the trace-event format's rules", () => {
  it("finds the checker's problems in a trace that breaks them (the checker can fail)", () => {
    const bad = {
      traceEvents: [
        { name: "a", ph: "X", ts: 0, dur: 10, pid: 1, tid: 1 },
        { name: "b", ph: "X", ts: 5, dur: 10, pid: 1, tid: 1 },
        { name: "c", ph: "X", ts: -3, dur: 1, pid: 1, tid: 2 },
        { name: "d", ph: "B", ts: 20, pid: 1, tid: 3 },
      ],
    };
    const problems = traceFormatProblems(bad);
    expect(problems).toEqual([
      expect.stringMatching(/ts -3/),
      expect.stringMatching(/never ends/),
      expect.stringMatching(/"b" .* overlaps "a"/),
    ]);
  });

  it("cuts a frame whose busy time runs into the next frame", () => {
    // 40 ms of work in frames 16.5 ms apart (an overloaded host).
    const records = [0, 1, 2].map((f) =>
      record(f, { phases: { scriptsMs: 40, systemsMs: 1, syncMs: 0, renderMs: 0 } }),
    );
    const trace = toChromeTrace(records);
    expect(traceFormatProblems(trace)).toEqual([]);
    const frames = trace.traceEvents.filter((e) => e.cat === "frame");
    expect(frames.map((e) => e.dur)).toEqual([16_500, 16_500, 41_250]);
  });

  it("starts at the earliest moment exported, so a pause before its frame's start is never negative", () => {
    const r = record(0, { gcEvents: [{ source: "v8", kind: "minor", startMs: 990, durationMs: 1 }] });
    const trace = toChromeTrace([r, record(1)]);
    expect(traceFormatProblems(trace)).toEqual([]);
    expect(Math.min(...trace.traceEvents.map((e) => e.ts))).toBe(0);
    expect(trace.traceEvents.find((e) => e.cat === "frame")?.ts).toBe(10_000);
  });

  it("never lets two pauses overlap on one track", () => {
    const r = record(0, {
      gcEvents: [
        { source: "proto", startMs: 1001, durationMs: 2 },
        { source: "proto", startMs: 1002, durationMs: 2 },
      ],
    });
    const trace = toChromeTrace([r]);
    expect(traceFormatProblems(trace)).toEqual([]);
    expect(completeEvents(trace.traceEvents, TRACE_TID.protoGc).map((e) => [e.ts, e.dur])).toEqual([
      [1000, 2000],
      [3000, 1000],
    ]);
  });

  it("leaves out the records of an earlier run of the host", () => {
    const before = [5, 6, 7].map((f) => record(f, { startMs: 900_000 + f * 16.5 }));
    const after = [0, 1].map((f) => record(f));
    const trace = toChromeTrace([...before, ...after]);
    expect(traceFormatProblems(trace)).toEqual([]);
    expect(trace.otherData).toMatchObject({ frames: 2, firstFrame: 0, lastFrame: 1 });
  });

  it("keeps the rules for any records", () => {
    const ms = fc.double({ min: 0, max: 50, noNaN: true });
    const arbitraryRecord = fc.record({
      gap: fc.double({ min: 0, max: 40, noNaN: true }),
      scriptsMs: ms,
      systemsMs: ms,
      gcPauseMs: ms,
      v8GcMs: ms,
      events: fc.array(fc.tuple(fc.boolean(), fc.double({ min: -20, max: 60, noNaN: true }), ms), {
        maxLength: 4,
      }),
    });
    fc.assert(
      fc.property(fc.array(arbitraryRecord, { maxLength: 12 }), (specs) => {
        let start = 1000;
        const records = specs.map((s, i) => {
          start += s.gap;
          return record(i, {
            startMs: start,
            phases: { scriptsMs: s.scriptsMs, systemsMs: s.systemsMs, syncMs: 0, renderMs: 0 },
            gcPauseMs: s.gcPauseMs,
            v8GcMs: s.v8GcMs,
            gcEvents: s.events.map(([proto, at, durationMs]) => ({
              source: proto ? "proto" : "v8",
              startMs: start + at,
              durationMs,
            })),
          });
        });
        expect(traceFormatProblems(JSON.parse(JSON.stringify(toChromeTrace(records))))).toEqual([]);
      }),
    );
  });
});
