// tests/ts/frame-gc-budget.test.ts — a frame's GC time counts both collectors: V8's pauses
// (perf_hooks, placed in the frame they fell in, minor and major apart) next to Proto's
// stalls; overBudget is judged on their sum, overFrameTime on the frame's busy time. The
// plain-JS simulation is accounted the same way. Needs --expose-gc (vitest.config.ts).
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { PlainSimulation } from "../../demos/host/PlainSimulation.ts";
import { copyFrameRecord, emptyFrameRecord, frameBusyMs } from "../../engine-bridge/FrameRecord.ts";
import { BridgeWorld, FrameDriver } from "../../engine-bridge/index.ts";
import { follower } from "./fixtures/bridge-scripts.ts";

const FIXTURE = new URL("./fixtures/bridge-scripts.ts", import.meta.url).href;

// gc() is a full collection; gc({ type: "major" }) runs a scavenge in V8 11.3 (Node 20).
type Gc = (options?: { type: "minor" }) => void;
const gc = (globalThis as { gc?: Gc }).gc as Gc;

async function driver(options: ConstructorParameters<typeof FrameDriver>[1] = {}) {
  const w = new BridgeWorld({ capacity: 1000 });
  await w.loadBehaviours(FIXTURE);
  for (let i = 0; i < 50; i++) w.spawn(follower, { x: i });
  return new FrameDriver(w, { youngGcInSlack: false, ...options });
}

/** Sleeps the thread (no event loop): the frame's wall time without any GC. */
function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {}
}

describe("a frame's GC time", () => {
  it("holds a V8 major GC that ran inside the frame, out of the phase it interrupted", async () => {
    const d = await driver();
    let collect = false;
    d.addSystem("collect", () => {
      if (collect) gc();
    });
    d.step(1 / 60);
    collect = true;
    const record = d.step(1 / 60);
    collect = false;
    await nextTurn();
    expect(d.settle()).toBe(record);
    expect(record.v8MajorGcMs).toBeGreaterThan(0);
    expect(record.v8GcMs).toBeCloseTo(record.v8MinorGcMs + record.v8MajorGcMs, 6);
    const events = record.gcEvents.filter((e) => e.source === "v8" && e.kind === "major");
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.startMs).toBeGreaterThanOrEqual(record.startMs);
      expect(e.startMs).toBeLessThanOrEqual(record.startMs + frameBusyMs(record));
    }
    // The system did nothing but collect: its phase time is (nearly) all gone to V8.
    expect(record.phases.systemsMs).toBeLessThan(record.v8MajorGcMs);
    await d.dispose();
  });

  it("puts a scavenge in the minor column", async () => {
    const d = await driver();
    let collect = false;
    d.addSystem("collect", () => {
      if (collect) gc({ type: "minor" });
    });
    d.step(1 / 60);
    collect = true;
    const record = d.step(1 / 60);
    collect = false;
    await nextTurn();
    d.settle();
    expect(record.v8MinorGcMs).toBeGreaterThan(0);
    expect(record.gcEvents.some((e) => e.source === "v8" && e.kind === "minor")).toBe(true);
    await d.dispose();
  });

  it("counts V8 pauses against the GC budget with Proto's stalls", async () => {
    const d = await driver();
    d.setBudget(0.001);
    let collect = false;
    d.addSystem("collect", () => {
      if (collect) gc();
    });
    collect = true;
    const record = d.step(1 / 60);
    collect = false;
    await nextTurn();
    d.settle();
    expect(record.budgetMs).toBeCloseTo(0.001, 6);
    expect(record.gcPauseMs + record.v8GcMs).toBeGreaterThan(record.budgetMs);
    expect(record.overBudget).toBe(true);
    d.setBudget(0.5);
    await d.dispose();
  });

  it("keeps a V8 pause between frames out of both frames (the next one's idle GC time)", async () => {
    const d = await driver();
    const first = d.step(1 / 60);
    await nextTurn();
    d.settle();
    const before = first.v8GcMs;
    gc();
    await nextTurn();
    const second = d.step(1 / 60);
    await nextTurn();
    d.settle();
    expect(first.v8GcMs).toBe(before);
    expect(second.v8IdleGcMs).toBeGreaterThan(0);
    await d.dispose();
  });

  it("flags a frame over its frame-time budget apart from the GC budget", async () => {
    const d = await driver({ frameBudgetMs: 5 });
    let slow = false;
    d.addSystem("slow", () => {
      if (slow) busyWait(8);
    });
    d.step(1 / 60);
    slow = true;
    const record = d.step(1 / 60);
    slow = false;
    await nextTurn();
    d.settle();
    expect(record.frameBudgetMs).toBe(5);
    expect(record.overFrameTime).toBe(true);
    expect(record.overBudget).toBe(record.gcPauseMs + record.v8GcMs > record.budgetMs);
    const quick = d.step(1 / 60);
    await nextTurn();
    d.settle();
    expect(quick.overFrameTime).toBe(frameBusyMs(quick) > 5);
    d.setFrameBudget(1000);
    expect(d.frameBudgetMs).toBe(1000);
    expect(() => d.setFrameBudget(0)).toThrow(RangeError);
    await d.dispose();
  });

  it("collects the young generation in the slack, apart from the frame's GC time", async () => {
    const d = await driver({ youngGcInSlack: true, youngGcThresholdBytes: 64 << 10, frameBudgetMs: 1000 });
    const sink: unknown[] = [];
    d.addSystem("garbage", () => {
      sink.length = 0;
      for (let i = 0; i < 4000; i++) sink.push({ i });
    });
    let slackMs = 0;
    for (let f = 0; f < 40; f++) {
      d.step(1 / 60);
      await nextTurn();
      const r = d.settle();
      if (r === undefined) continue;
      slackMs += r.v8SlackGcMs;
      for (const e of r.gcEvents) if (e.slack === true) expect(e.source).toBe("v8");
      expect(r.overBudget).toBe(r.overBudget && r.gcPauseMs + r.v8GcMs > 0);
    }
    expect(d.youngCollections).toBeGreaterThan(0);
    expect(slackMs).toBeGreaterThan(0);
    await d.dispose();
  });

  it("keeps records in a ring it reuses, so a frame allocates no record", async () => {
    const d = await driver({ recordRing: 4 });
    const a = d.step(1 / 60);
    for (let i = 0; i < 3; i++) d.step(1 / 60);
    expect(d.record(0)).toBe(a);
    const e = d.step(1 / 60);
    expect(e).toBe(a); // slot reused
    expect(e.frame).toBe(4);
    expect(d.record(0)).toBeUndefined();
    const kept = copyFrameRecord(d.record(4) as never, emptyFrameRecord());
    expect(kept.frame).toBe(4);
    await d.dispose();
  });
});

describe("the plain-JS simulation", () => {
  it("accounts V8 pauses in its frames the same way", async () => {
    const sim = new PlainSimulation({ entities: 200 });
    sim.step(16);
    await nextTurn();
    gc();
    const record = sim.step(16);
    await nextTurn();
    expect(sim.settle()).toBe(record);
    expect(record.v8IdleGcMs + record.v8GcMs).toBeGreaterThan(0);
    expect(record.gcPauseMs).toBe(0);
    expect(record.overBudget).toBe(record.v8GcMs > record.budgetMs);
    sim.dispose();
  });
});
