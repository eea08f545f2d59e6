// scripting/native.ts — loads Proto's Node addon (proto.node) and types its exports.
// The single place that knows where the addon is; every TS layer gets the addon through
// loadAddon(). It is the one built from source (this repository, or a package installed
// where no prebuilt addon fits), else the npm package's prebuilt one for this platform
// (prebuilds/<platform>-<arch>/, found by node-gyp-build). Node caches native modules per
// process, and the addon keeps its state per environment (main thread, each worker), so
// loading it again from a worker is safe.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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

/** The collector's counters plus the addon's own (stats()). */
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

/** Where frameEndInto() writes each number (native/addon/addon.cpp, FrameSlot). */
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

/** Where statsInto() writes each number (native/addon/addon.cpp, StatsSlot). */
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

/**
 * The functions proto.node exports (native/addon/addon.cpp). Keep both in step.
 * Every function validates its arguments and throws TypeError/RangeError (with
 * a `code`) on bad input; runtime errors carry the proto::ErrorCode name.
 */
export interface NativeAddon {
  /** "Hello, Proto!", produced by libproto. */
  greeting(): string;
  /** libproto's version, e.g. "0.1.0". */
  version(): string;
  /** Does nothing: the cost of a bare call into the addon (metric js.napi.noop). */
  noop(): void;
  buildInfo(): NativeBuildInfo;
  /** Creates the process runtime (first call in the process) and attaches this environment. */
  configure(options?: NativeRuntimeOptions): NativeRuntimeInfo;
  symbol(name: string): number;
  symbolName(id: number): string;
  newObject(
    parent: NativeObjectHandle | null,
    names: readonly number[],
    values: readonly NativeValue[],
    mutable: readonly boolean[],
  ): NativeObjectHandle;
  /** The attribute's value, own or inherited; undefined when missing. */
  get(object: NativeObjectHandle, name: number): NativeValue | undefined;
  getMany(object: NativeObjectHandle, names: readonly number[]): (NativeValue | undefined)[];
  /** [where: 0 missing / 1 own / 2 inherited, mutable, value]. */
  find(object: NativeObjectHandle, name: number): [0 | 1 | 2, boolean, NativeValue | undefined];
  set(object: NativeObjectHandle, name: number, value: NativeValue): void;
  with(object: NativeObjectHandle, name: number, value: NativeValue): NativeObjectHandle;
  parent(object: NativeObjectHandle): NativeObjectHandle | null;
  ownNames(object: NativeObjectHandle): string[];
  same(a: NativeObjectHandle, b: NativeObjectHandle): boolean;
  share(object: NativeObjectHandle): number;
  /**
   * A new object (parent `parent`) whose first `count` own attributes are numbers —
   * names[i] a symbol id, values[i] its value — held by the share token it returns and by
   * nothing in JS (no wrapper made).
   */
  newSharedObject(
    parent: NativeObjectHandle | null,
    names: Float64Array,
    values: Float64Array,
    count: number,
  ): number;
  open(token: number): NativeObjectHandle;
  unshare(token: number): boolean;
  newColumn(type: NativeColumnType, count: number): ArrayBuffer;
  shareColumn(buffer: ArrayBuffer): number;
  openColumn(token: number): [ArrayBuffer, NativeColumnType];
  handleKind(value: unknown): "object" | "string" | "tuple" | null;
  stringNew(text: string): NativeStringHandle;
  stringConcat(a: NativeStringHandle, b: NativeStringHandle): NativeStringHandle;
  /** Code points [begin, end). */
  stringSlice(s: NativeStringHandle, begin: number, end: number): NativeStringHandle;
  /** [code points, UTF-16 units, UTF-8 bytes]. */
  stringLength(s: NativeStringHandle): [number, number, number];
  stringText(s: NativeStringHandle): string;
  stringEquals(a: NativeStringHandle, b: NativeStringHandle): boolean;
  /** Code point index of `needle` at or after `from`, or -1. */
  stringFind(s: NativeStringHandle, needle: NativeStringHandle, from: number): number;
  tupleNew(values: readonly NativeValue[]): NativeTupleHandle;
  tupleConcat(a: NativeTupleHandle, b: NativeTupleHandle): NativeTupleHandle;
  tupleSlice(t: NativeTupleHandle, begin: number, end: number): NativeTupleHandle;
  tuplePush(t: NativeTupleHandle, value: NativeValue): NativeTupleHandle;
  tupleSize(t: NativeTupleHandle): number;
  tupleAt(t: NativeTupleHandle, index: number): NativeValue;
  tupleValues(t: NativeTupleHandle): NativeValue[];
  collect(): void;
  stats(): NativeStats;
  frameBegin(): void;
  frameEnd(): NativeFrameRecord;
  /** Closes the frame like frameEnd() and writes its record into `out` (FRAME_SLOTS): no object made. */
  frameEndInto(out: Float64Array): void;
  /** Writes the counters a frame record needs into `out` (STATS_SLOTS): no object made. */
  statsInto(out: Float64Array): void;
  /** The function the addon calls to run V8's full GC before it reports OutOfMemory (per environment). */
  setGcHook(hook: (() => void) | null): void;
  /** Frame temporaries (scripting/temps.ts): the io array numbers go in and out through. */
  tempIo(io: Float64Array): void;
  /** A record shape of 1 to 8 numeric fields; returns its id. */
  tempShape(names: readonly string[]): number;
  /** A record of `shape` from io[0..fields); returns its handle. */
  tempRecord(shape: number): number;
  /** Writes a record's fields into io; returns how many. */
  tempRead(handle: number): number;
  /** Interns a piece of text labels are made from; returns its id. */
  tempText(text: string): number;
  /** A Proto string: text `text`, then io[0] as JavaScript prints it; returns its handle. */
  tempLabel(text: number): number;
  /** A string temporary's length in code points. */
  tempLength(handle: number): number;
  /** A share token keeping a record after its frame. */
  tempKeep(handle: number): number;
  /** Temporaries made since the frame began. */
  tempCount(): number;
  /** Ends this environment's temporaries now. */
  tempRelease(): void;
  /**
   * Reports this environment's handle bytes to V8 now; returns [those bytes, V8's
   * external-memory total as V8 counts it after the report].
   */
  reportExternalMemory(): [number, number];
  takeFrameRecords(): NativeFrameRecord[];
  setFrameBudgetMs(ms: number): void;
  verifyHeap(): void;
}

/** Thrown when proto.node is missing or cannot be loaded. */
export class AddonLoadError extends Error {
  override readonly name = "AddonLoadError";
}

/**
 * The package's root: the nearest folder above this module that holds package.json
 * (the repository from the sources, the installed package from its compiled dist/).
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir)
      throw new AddonLoadError(`Proto: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/** The prebuilt addon for this platform and runtime, if the package has one that fits. */
function prebuiltAddonPath(root: string): string | undefined {
  const require = createRequire(import.meta.url);
  let resolvePrebuild: (dir: string) => string;
  try {
    // node-gyp-build's resolver, without loading: the repository may be used without it installed.
    resolvePrebuild = (require("node-gyp-build/node-gyp-build.js") as { path: (dir: string) => string }).path;
  } catch {
    return undefined;
  }
  try {
    return resolvePrebuild(root);
  } catch {
    return undefined; // no prebuilds/ folder, or none for this platform, architecture or C library
  }
}

/**
 * Where proto.node is: $PROTO_ADDON_PATH if set; else the cmake-js Release build that
 * `npm ci` / `npm run build:native` produce (or a package's install built from source);
 * else the package's prebuilt addon for this platform; else the build path (missing).
 */
export function addonPath(): string {
  const fromEnv = process.env.PROTO_ADDON_PATH;
  if (fromEnv !== undefined && fromEnv.length > 0) return fromEnv;
  const root = packageRoot();
  const built = join(root, "build", "addon", "Release", "proto.node");
  if (existsSync(built)) return built;
  return prebuiltAddonPath(root) ?? built;
}

let loaded: NativeAddon | undefined;

/** Loads proto.node once per JS environment and returns its exports. */
export function loadAddon(): NativeAddon {
  if (loaded !== undefined) return loaded;
  const path = addonPath();
  if (!existsSync(path)) {
    throw new AddonLoadError(
      `Proto's native addon is not built: ${path} does not exist, and there is no prebuilt addon ` +
        `for ${process.platform}-${process.arch}. In the repository, run \`npm ci\` (first set-up) or ` +
        "`npm run build:native` (rebuild); in a game that installed the package, run " +
        "`npm rebuild proto` with CMake >= 3.20 and a C++20 compiler installed (docs/embedding.md).",
    );
  }
  const require = createRequire(import.meta.url);
  try {
    loaded = require(path) as NativeAddon;
  } catch (error) {
    throw new AddonLoadError(
      `Proto's native addon at ${path} failed to load (${String(error)}). ` +
        "Rebuild it with `npm run build:native` (in a game: `npm rebuild proto --build-from-source`); " +
        "it must be built for this platform.",
      { cause: error },
    );
  }
  return loaded;
}
