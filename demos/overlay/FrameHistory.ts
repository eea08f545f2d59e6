// FrameHistory: the overlay's memory of recent frames — per frame the numbers its bars need,
// in preallocated rings — and of the frames it never received. A record whose frame number
// skips ahead of the last one adds a "missed" slot for each frame in between, so the chart
// shows the gap instead of closing it; the counters count over-budget, over-frame-time and
// missed frames. push() copies numbers only: nothing is allocated per frame.

import type { FrameRecord } from "../../engine-bridge/FrameRecord.ts";

/** Bar segments of the frame chart, bottom to top. */
export const SEGMENTS = ["scripts", "systems", "sync", "render", "protoGc", "v8Gc", "v8Slack"] as const;
/** One of {@link SEGMENTS}. */
export type Segment = (typeof SEGMENTS)[number];
/** The GC lane's stacked parts, bottom to top: what the GC budget counts. */
export const GC_PARTS = ["protoGc", "v8Gc", "v8Major"] as const;

/** Flags of a slot. */
export const OVER_BUDGET = 1;
export const OVER_FRAME_TIME = 2;
export const MISSED = 4;

/** Rings of per-frame numbers; see the file comment. */
export class FrameHistory {
  readonly capacity: number;
  /** Per segment, ms. */
  readonly values: Float32Array[];
  /** Per GC part (Proto stalls, V8 scavenges, V8 full-heap pauses), ms. */
  readonly gcParts: Float32Array[];
  /** The GC budget in force, ms. */
  readonly budgets: Float32Array;
  /** The frame-time budget in force, ms. */
  readonly frameBudgets: Float32Array;
  /** OVER_BUDGET | OVER_FRAME_TIME | MISSED. */
  readonly flags: Uint8Array;
  /** Slots written since construction or clear() (received frames and missed ones). */
  slots = 0;
  /** Frames received. */
  received = 0;
  overBudget = 0;
  overFrameTime = 0;
  /** Frames the host ran that never arrived (gaps in the frame numbers). */
  missed = 0;
  /** The most recent record, if any. */
  last: FrameRecord | undefined;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.values = SEGMENTS.map(() => new Float32Array(capacity));
    this.gcParts = GC_PARTS.map(() => new Float32Array(capacity));
    this.budgets = new Float32Array(capacity);
    this.frameBudgets = new Float32Array(capacity);
    this.flags = new Uint8Array(capacity);
  }

  /** The ring slot of the i-th slot written. */
  slotOf(i: number): number {
    return i % this.capacity;
  }

  /** Adds a frame, after a missed slot for each frame number skipped since the last one. */
  push(record: FrameRecord): void {
    const previous = this.last?.frame;
    if (previous !== undefined && record.frame > previous + 1) {
      const gap = record.frame - previous - 1;
      this.missed += gap;
      for (let i = 0, n = Math.min(gap, this.capacity); i < n; i++)
        this.flags[this.slotOf(this.slots++)] = MISSED;
    }
    const slot = this.slotOf(this.slots++);
    const p = record.phases;
    const v = this.values;
    (v[0] as Float32Array)[slot] = p.scriptsMs;
    (v[1] as Float32Array)[slot] = p.systemsMs;
    (v[2] as Float32Array)[slot] = p.syncMs;
    (v[3] as Float32Array)[slot] = p.renderMs;
    (v[4] as Float32Array)[slot] = record.gcPauseMs;
    (v[5] as Float32Array)[slot] = record.v8GcMs;
    (v[6] as Float32Array)[slot] = record.v8SlackGcMs ?? 0;
    const g = this.gcParts;
    const major = record.v8MajorGcMs ?? 0;
    (g[0] as Float32Array)[slot] = record.gcPauseMs;
    // A producer that does not split V8's pauses counts them all as scavenges.
    (g[1] as Float32Array)[slot] = Math.max(0, record.v8GcMs - major);
    (g[2] as Float32Array)[slot] = major;
    this.budgets[slot] = record.budgetMs;
    this.frameBudgets[slot] = record.frameBudgetMs ?? 1000 / 60;
    this.flags[slot] =
      (record.overBudget ? OVER_BUDGET : 0) | (record.overFrameTime === true ? OVER_FRAME_TIME : 0);
    if (record.overBudget) this.overBudget++;
    if (record.overFrameTime === true) this.overFrameTime++;
    this.received++;
    this.last = record;
  }

  /** Forgets every frame. */
  clear(): void {
    this.slots = 0;
    this.received = 0;
    this.overBudget = 0;
    this.overFrameTime = 0;
    this.missed = 0;
    this.last = undefined;
  }
}
