// FrameRecord: the per-frame statistics record that the simulation produces and that the
// overlay, the trace exporter and the wire protocol consume. It is plain data (numbers only,
// plus an optional list of GC events) so any producer — the Proto engine bridge, the plain-JS
// reference simulation, or another pixi.js game — can fill it.

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

/** One garbage-collection pause seen by the main thread, placed on the frame's timeline. */
export interface GcEvent {
  /** `proto`: a Proto GC handshake, allocation stall or assist; `v8`: a V8 GC seen by perf_hooks. */
  source: GcSource;
  /** Start of the pause, on the same clock as {@link FrameRecord.startMs}. */
  startMs: number;
  /** Length of the pause in milliseconds. */
  durationMs: number;
}

/**
 * Statistics of one simulated frame. Times are milliseconds; `startMs` is on a monotonic
 * clock (performance.now() of the producer), so only differences between records matter.
 */
export interface FrameRecord {
  /** Frame number, increasing by one per simulated frame from the start of the run. */
  frame: number;
  /** When the frame began, in milliseconds on the producer's monotonic clock. */
  startMs: number;
  /** Time per phase; the phases run one after another in the order scripts, systems, sync, render. */
  phases: FramePhases;
  /** Total Proto GC pause on the main thread in this frame (handshakes, allocation stalls, assists). */
  gcPauseMs: number;
  /** Total V8 GC pause observed (perf_hooks) since the previous frame record. */
  v8GcMs: number;
  /** The Proto GC pause budget per frame that was in force for this frame. */
  budgetMs: number;
  /** True when `gcPauseMs` broke `budgetMs`: the pacer failed to keep this frame's pause in budget. */
  overBudget: boolean;
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

/** A frame's busy time: its four phases plus its Proto and V8 GC pauses, in milliseconds. */
export function frameBusyMs(record: FrameRecord): number {
  const p = record.phases;
  return p.scriptsMs + p.systemsMs + p.syncMs + p.renderMs + record.gcPauseMs + record.v8GcMs;
}
