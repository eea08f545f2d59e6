// tests/ts/demo-page.test.ts — the page's logic that runs without a browser: the overlay's
// frame history (a gap for every frame that never arrived, counts of frames over each
// budget), the rate meter, the checked input fields and the grouping of a frame's errors.
import { describe, expect, it } from "vitest";
import { parseBudgetInput, parseEntityInput } from "../../demos/client/ControlInput.ts";
import { RateMeter } from "../../demos/client/RateMeter.ts";
import { RecordHistory } from "../../demos/client/RecordHistory.ts";
import { digestFrameErrors, ErrorLog } from "../../demos/host/ErrorDigest.ts";
import { FrameHistory, MISSED, OVER_BUDGET, OVER_FRAME_TIME } from "../../demos/overlay/FrameHistory.ts";
import { formatMs } from "../../demos/overlay/OverlayFormat.ts";
import { emptyFrameRecord, type FrameRecord } from "../../engine-bridge/FrameRecord.ts";

function record(frame: number, over: Partial<FrameRecord> = {}): FrameRecord {
  return { ...emptyFrameRecord(), frame, startMs: frame * 16.7, budgetMs: 0.5, ...over };
}

describe("the overlay's frame history", () => {
  it("adds a missed slot for each frame number skipped, and counts them", () => {
    const h = new FrameHistory(16);
    h.push(record(0));
    h.push(record(3, { overBudget: true }));
    h.push(record(4, { overFrameTime: true }));
    expect(h.received).toBe(3);
    expect(h.missed).toBe(2);
    expect(Array.from(h.flags.subarray(0, h.slots))).toEqual([
      0,
      MISSED,
      MISSED,
      OVER_BUDGET,
      OVER_FRAME_TIME,
    ]);
    expect([h.overBudget, h.overFrameTime]).toEqual([1, 1]);
  });

  it("caps a long gap at its capacity but counts all of it", () => {
    const h = new FrameHistory(8);
    h.push(record(0));
    h.push(record(1000));
    expect(h.missed).toBe(999);
    expect(h.slots).toBe(10);
  });

  it("starts over after clear() (a new run whose frames count from 0)", () => {
    const h = new FrameHistory(8);
    h.push(record(500));
    h.clear();
    h.push(record(0));
    expect([h.received, h.missed, h.slots]).toEqual([1, 0, 1]);
  });
});

describe("the page's inputs", () => {
  it("accept a whole entity count up to the host's capacity", () => {
    expect(parseEntityInput("100000", 100_000)).toEqual({ ok: true, value: 100_000 });
    expect(parseEntityInput(" 0 ", 100_000)).toEqual({ ok: true, value: 0 });
  });

  it("refuse an empty field, a count over capacity and a fraction instead of sending 0", () => {
    for (const text of ["", "  ", "1000000", "12.5", "-1", "abc"])
      expect(parseEntityInput(text, 100_000)).toEqual({
        ok: false,
        error: expect.stringMatching(/0 to 100000/),
      });
  });

  it("accept a tiny GC budget and refuse zero or an empty field", () => {
    expect(parseBudgetInput("0.001")).toEqual({ ok: true, value: 0.001 });
    for (const text of ["", "0", "-2", "101", "x"]) expect(parseBudgetInput(text).ok).toBe(false);
  });

  it("show a small budget with enough digits to tell it from zero", () => {
    expect(formatMs(0.001)).toBe("0.0010");
    expect(formatMs(0.5)).toBe("0.50");
    expect(formatMs(1000 / 60)).toBe("16.7");
  });
});

describe("the rate meter", () => {
  it("measures events per second over its window", () => {
    const m = new RateMeter(1000);
    for (let i = 0; i <= 120; i++) m.add(i * (1000 / 60));
    expect(m.rate).toBeCloseTo(60, 5);
    m.reset();
    expect(m.rate).toBe(0);
  });
});

describe("the page's record history", () => {
  it("forgets the old run on clear()", () => {
    const h = new RecordHistory(4);
    for (let i = 0; i < 6; i++) h.push(record(i));
    expect(h.records().map((r) => r.frame)).toEqual([2, 3, 4, 5]);
    h.clear();
    h.push(record(0));
    expect(h.records().map((r) => r.frame)).toEqual([0]);
  });
});

describe("a frame's errors", () => {
  const errors = Array.from({ length: 500 }, (_, i) => ({
    behaviour: "wanderer",
    entity: i + 1,
    message: `script 'wanderer' threw in update() of entity ${i + 1} on the main thread: boom`,
  }));

  it("are grouped by behaviour and message, whatever the entity, with a count", () => {
    const digest = digestFrameErrors(7, [
      ...errors,
      { behaviour: "", entity: -1, message: "spawn: the world is full" },
    ]);
    expect(digest.total).toBe(501);
    expect(digest.errors).toEqual([
      { behaviour: "wanderer", entity: 1, message: errors[0]?.message, count: 500 },
      { behaviour: "", entity: -1, message: "spawn: the world is full", count: 1 },
    ]);
  });

  it("reach the terminal once per kind, and again only after the kind was quiet", () => {
    const lines: string[] = [];
    const log = new ErrorLog((line) => lines.push(line), 5000);
    for (let f = 0; f < 100; f++) log.take(digestFrameErrors(f, errors), f * 16);
    expect(lines).toHaveLength(1);
    log.take(digestFrameErrors(1000, errors), 100_000);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/frame 0: wanderer: .*boom \(500 times in this frame\)/);
  });
});
