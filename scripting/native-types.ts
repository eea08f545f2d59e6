// scripting/native-types.ts — the data that crosses proto.node: opaque handles,
// values, runtime options, statistics and frame records, and the slot layouts
// of the calls that write numbers into a Float64Array instead of making objects.
// scripting/native.ts types the functions that take and return them.

/** How the loaded binary was compiled (from the compiler's own macros). */
export interface NativeBuildInfo {
  /** Compiled with optimisation (-O1 or higher). */
  readonly optimized: boolean;
  /** assert() is active (NDEBUG not defined). */
  readonly assertions: boolean;
  readonly sanitizer: "none" | "address" | "thread";
  /**
   * The Node-API version the module declares to Node: 8 for the npm package's prebuilt
   * addon (the stable ABI, valid in every Node >= 20 and Electron), "experimental" for
   * the repository's own build (finalizers run inside V8's collection; docs/embedding.md).
   */
  readonly nodeApi: 8 | "experimental";
}

/**
 * An opaque native handle of a Proto object (a type-tagged External owning a
 * persistent root). Only the addon makes them; the scripting layer wraps them
 * in ProtoObject.
 */
export interface NativeObjectHandle {
  readonly __protoObjectHandle: unique symbol;
}

/** An opaque native handle of a Proto string (rope). */
export interface NativeStringHandle {
  readonly __protoStringHandle: unique symbol;
}

/** An opaque native handle of a Proto tuple. */
export interface NativeTupleHandle {
  readonly __protoTupleHandle: unique symbol;
}

/** Any native handle of a heap value. */
export type NativeHandle = NativeObjectHandle | NativeStringHandle | NativeTupleHandle;

/** A value as it crosses the addon: JS strings are symbols, null is nil. */
export type NativeValue = number | boolean | string | null | NativeHandle;

/** Options of the process runtime, as configure() takes them. */
export interface NativeRuntimeOptions {
  readonly heapLimitMb?: number;
  readonly gcBudgetMs?: number;
  readonly gcTriggerMb?: number;
  readonly backgroundCollector?: boolean;
}

/** What configure() reports about the process runtime. */
export interface NativeRuntimeInfo {
  /** True if this call created the process runtime. */
  readonly created: boolean;
  readonly heapLimitMb: number;
  readonly gcTriggerMb: number;
  readonly backgroundCollector: boolean;
}

/** The collector's counters plus the addon's own (memory.stats()). */
export interface NativeStats {
  readonly cycles: number;
  readonly handshakes: number;
  readonly heapBytes: number;
  readonly liveBytes: number;
  readonly allocatedBytes: number;
  readonly liveObjects: number;
  readonly cellsInUse: number;
  readonly lastCycleMs: number;
  /**
   * Every stall of every thread (handshakes, heap-limit waits, sweep assists, lock
   * waits, re-entry), microseconds: what the threads lost, not only the handshake.
   */
  readonly pauseP50Us: number;
  readonly pauseP99Us: number;
  readonly pauseMaxUs: number;
  readonly pauseCount: number;
  readonly framesOverBudget: number;
  /** The GC pause budget per frame in force now (ms). */
  readonly frameBudgetMs: number;
  /** Every stall kind's own figures (handshake, heap_limit, sweep_assist, lock_wait, enter, mark_assist). */
  readonly stalls: Readonly<Record<string, NativeStallStats>>;
  /** Live ProtoObject/ProtoString/ProtoTuple handles, all environments. */
  readonly wrappers: number;
  /** Native bytes those handles are charged to V8 for (napi_adjust_external_memory), all environments. */
  readonly wrapperBytes: number;
  /** The Proto heap's hard limit in bytes. */
  readonly heapLimitBytes: number;
  readonly sharedTokens: number;
  readonly attachedEnvironments: number;
}

/** One stall kind's figures in stats(): count and total since start, percentiles of the last 4 096. */
export interface NativeStallStats {
  readonly count: number;
  readonly totalMs: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
}

/** One frame's GC accounting for the thread that marked it. */
export interface NativeFrameRecord {
  readonly frame: number;
  readonly durationMs: number;
  /** Every stall of this thread inside the frame, all kinds summed (docs/collector.md). */
  readonly gcPauseMs: number;
  /** The longest single stall inside the frame. */
  readonly longestPauseMs: number;
  readonly handshakes: number;
  /** The GC pause budget in force when the frame ended (ms). */
  readonly budgetMs: number;
  readonly overBudget: boolean;
  /** How many stalls the frame had. */
  readonly stalls: number;
  /** `gcPauseMs` by stall kind (handshake, heap_limit, sweep_assist, lock_wait, enter, mark_assist). */
  readonly stallMs: Readonly<Record<string, number>>;
}

/** Where frames.endInto() writes each number (native/addon/bind_frames.cpp, FrameSlot). */
export const FRAME_SLOTS = {
  frame: 0,
  durationMs: 1,
  gcPauseMs: 2,
  longestPauseMs: 3,
  handshakes: 4,
  budgetMs: 5,
  overBudget: 6,
  stalls: 7,
  allocationOutranCollection: 8,
  /** The stall kinds' ms follow, in proto::StallKind order. */
  stallMs: 9,
  /** Slots to allocate (room for 8 stall kinds). */
  length: 17,
} as const;

/** Where memory.statsInto() writes each number (native/addon/bind_memory.cpp, StatsSlot). */
export const STATS_SLOTS = {
  heapBytes: 0,
  liveObjects: 1,
  cycles: 2,
  frameBudgetMs: 3,
  heapLimitBytes: 4,
  wrappers: 5,
  wrapperBytes: 6,
  length: 7,
} as const;

/** Element types of numeric columns. */
export type NativeColumnType = "f64" | "f32" | "i32" | "u32" | "u8";
