// engine-bridge/FrameRecord.ts — the per-frame statistics record: the frame driver fills
// it (FrameRecorder.ts), and the demo's overlay, trace exporter and wire protocol read it.
// Plain data (numbers only, plus an optional list of GC events) so any producer — the
// engine bridge, the plain-JS reference simulation, or another pixi.js game — can fill it.
// This module imports nothing: a browser bundle takes it without pulling in Node.

/**
 * Wall-clock time spent in each phase of one frame, in milliseconds. Phase times exclude the GC
 * pauses that happened inside them (those are reported in {@link FrameRecord.gcPauseMs} and
 * {@link FrameRecord.v8GcMs}), so phases plus pauses add up to the frame's busy time.
 */
export interface FramePhases {
  /** Behaviour scripts (main thread or worker pool, as seen by the main thread). */
  scriptsMs: number;
  /** bitECS systems running over the component columns. */
  systemsMs: number;
  /** Frame end: command buffers applied, stats closed, snapshot prepared for the renderer. */
  syncMs: number;
  /** Rendering the frame (pixi.js); 0 when the producer does not render (a headless host). */
  renderMs: number;
}

/** Who paused the main thread for a garbage collection. */
export type GcSource = "proto" | "v8";

/** Which of V8's collectors a V8 pause belongs to: a scavenge of the young generation, or the full heap. */
export type V8GcKind = "minor" | "major";

/** One garbage-collection pause seen by the main thread, placed on the frame's timeline. */
export interface GcEvent {
  /** `proto`: Proto stalls (handshakes, heap-limit waits, assists, lock waits); `v8`: a V8 GC seen by perf_hooks. */
  source: GcSource;
  /** For a V8 pause: minor (scavenge) or major (mark-compact and its incremental steps). */
  kind?: V8GcKind;
  /** True for a V8 collection run in the frame's slack, after its work (FrameRecord.v8SlackGcMs). */
  slack?: boolean;
  /** Start of the pause, on the same clock as {@link FrameRecord.startMs}. */
  startMs: number;
  /** Length of the pause in milliseconds. */
  durationMs: number;
}

/**
 * Statistics of one simulated frame. Times are milliseconds; `startMs` is on a monotonic
 * clock (performance.now() of the producer), so only differences between records matter.
 *
 * A frame's GC time is what the main thread lost to both collectors while it did the frame's
 * work: `gcPauseMs` (every Proto stall) plus `v8GcMs` (every V8 pause that began during the
 * work, minor and major). Both count against the GC budget (`overBudget`). Two kinds of V8
 * pause are reported apart, because they interrupt no work: a young-generation collection
 * the frame driver runs in the frame's slack, once the work is done (`v8SlackGcMs`, part of
 * the frame's busy time and of its frame-time budget), and pauses between frames, while the
 * host waited for the next tick (`v8IdleGcMs`).
 */
export interface FrameRecord {
  /** Frame number, increasing by one per simulated frame from the start of the run. */
  frame: number;
  /** When the frame began, in milliseconds on the producer's monotonic clock. */
  startMs: number;
  /** Time per phase; the phases run one after another in the order scripts, systems, sync, render. */
  phases: FramePhases;
  /** Total Proto GC pause on the main thread in this frame (every stall: handshakes, heap-limit waits, assists, lock waits). */
  gcPauseMs: number;
  /** Total V8 GC pause inside this frame: `v8MinorGcMs + v8MajorGcMs`. */
  v8GcMs: number;
  /** V8 scavenges (young generation) inside this frame. */
  v8MinorGcMs: number;
  /** V8 full-heap pauses (mark-compact, incremental marking steps, weak callbacks) inside this frame. */
  v8MajorGcMs: number;
  /** V8 collections run in this frame's slack, after its work (the driver's young-generation collection). */
  v8SlackGcMs: number;
  /** V8 pauses between the previous frame's end and this frame's start (not part of this frame's GC time). */
  v8IdleGcMs: number;
  /** The GC pause budget per frame that was in force for this frame (both heaps together). */
  budgetMs: number;
  /** True when the frame's GC time, `gcPauseMs + v8GcMs`, broke `budgetMs` (or the Proto pacer reported its own pause over it). */
  overBudget: boolean;
  /** The frame-time budget: the time one frame may take (16.7 ms at 60 Hz). */
  frameBudgetMs: number;
  /** True when the frame's busy time (phases, pauses and slack collections) broke `frameBudgetMs`. */
  overFrameTime: boolean;
  /** Live entities at the end of the frame. */
  entities: number;
  /** Heap size in bytes at the end of the frame (the Proto heap; a non-Proto producer reports its JS heap). */
  heapBytes: number;
  /** Live Proto objects at the end of the frame (0 for a producer without Proto). */
  liveObjects: number;
  /** Completed Proto GC cycles since the start of the run. */
  gcCycles: number;
  /** Longest single Proto GC pause on the main thread since the start of the run, in milliseconds. */
  longestPauseMs: number;
  /**
   * Individual GC pauses of this frame, when the producer knows them. Optional: without it the
   * trace exporter places `gcPauseMs` and `v8GcMs` as one pause each at the start of the frame.
   */
  gcEvents?: readonly GcEvent[];
}

/** A frame's GC time: Proto stalls plus V8 pauses inside the frame, in milliseconds. */
export function frameGcMs(record: FrameRecord): number {
  return record.gcPauseMs + record.v8GcMs;
}

/** A frame's busy time: its four phases, its Proto and V8 GC pauses and its slack collections, in ms. */
export function frameBusyMs(record: FrameRecord): number {
  const p = record.phases;
  return (
    p.scriptsMs + p.systemsMs + p.syncMs + p.renderMs + record.gcPauseMs + record.v8GcMs + record.v8SlackGcMs
  );
}

/** A record with every number zero, no flag set and an empty event list (a ring slot to copy into). */
export function emptyFrameRecord(): FrameRecord {
  return {
    frame: 0,
    startMs: 0,
    phases: { scriptsMs: 0, systemsMs: 0, syncMs: 0, renderMs: 0 },
    gcPauseMs: 0,
    v8GcMs: 0,
    v8MinorGcMs: 0,
    v8MajorGcMs: 0,
    v8SlackGcMs: 0,
    v8IdleGcMs: 0,
    budgetMs: 0,
    overBudget: false,
    frameBudgetMs: 0,
    overFrameTime: false,
    entities: 0,
    heapBytes: 0,
    liveObjects: 0,
    gcCycles: 0,
    longestPauseMs: 0,
    gcEvents: [],
  };
}

/**
 * Copies `from` into `to` field by field, reusing `to`'s phase object, event list and event
 * objects (new ones only when `to` has fewer): keeping records in a preallocated ring costs no
 * allocation per frame. Returns `to`.
 */
export function copyFrameRecord(from: FrameRecord, to: FrameRecord): FrameRecord {
  to.frame = from.frame;
  to.startMs = from.startMs;
  const p = to.phases;
  p.scriptsMs = from.phases.scriptsMs;
  p.systemsMs = from.phases.systemsMs;
  p.syncMs = from.phases.syncMs;
  p.renderMs = from.phases.renderMs;
  to.gcPauseMs = from.gcPauseMs;
  to.v8GcMs = from.v8GcMs;
  to.v8MinorGcMs = from.v8MinorGcMs;
  to.v8MajorGcMs = from.v8MajorGcMs;
  to.v8SlackGcMs = from.v8SlackGcMs;
  to.v8IdleGcMs = from.v8IdleGcMs;
  to.budgetMs = from.budgetMs;
  to.overBudget = from.overBudget;
  to.frameBudgetMs = from.frameBudgetMs;
  to.overFrameTime = from.overFrameTime;
  to.entities = from.entities;
  to.heapBytes = from.heapBytes;
  to.liveObjects = from.liveObjects;
  to.gcCycles = from.gcCycles;
  to.longestPauseMs = from.longestPauseMs;
  const events = from.gcEvents;
  if (events === undefined) {
    to.gcEvents = undefined;
    return to;
  }
  let out = to.gcEvents as GcEvent[] | undefined;
  if (out === undefined) {
    out = [];
    to.gcEvents = out;
  }
  // Events are rare (a frame with a GC in it): reusing the objects is enough.
  const n = events.length;
  for (let i = 0; i < n; i++) {
    const e = events[i] as GcEvent;
    let o = out[i];
    if (o === undefined) {
      o = { source: e.source, kind: e.kind, slack: e.slack, startMs: e.startMs, durationMs: e.durationMs };
      out[i] = o;
    } else {
      o.source = e.source;
      o.kind = e.kind;
      o.slack = e.slack;
      o.startMs = e.startMs;
      o.durationMs = e.durationMs;
    }
  }
  out.length = n;
  return to;
}
