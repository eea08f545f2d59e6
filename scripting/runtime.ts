// scripting/runtime.ts — Runtime: this environment's door to the process-wide
// Proto runtime (objects, strings, columns, frames, collector, sharing with workers).
// Behaviours and the frame loop live in the engine bridge (docs/behaviours.md).
import { type Column, type ColumnType, newColumn, openColumn, shareColumn } from "./column.ts";
import type { NativeFrameRecord, NativeStats } from "./native.ts";
import {
  type Attributes,
  addon,
  describe,
  newObject,
  type ObjectOptions,
  objectOptions,
  ProtoObject,
  type ProtoSymbol,
  type ProtoValue,
  symbolId,
} from "./object.ts";
import { newString, newTuple, type ProtoString, type ProtoTuple } from "./rope.ts";
import { type FrameTemps, frameTemps } from "./temps.ts";
import { collectV8Full } from "./v8.ts";

/**
 * Options of the process runtime. The runtime is shared by the main thread and
 * every worker, so only the first Runtime made in the process sets heapLimitMb,
 * gcTriggerMb and backgroundCollector; a later Runtime asking for different
 * values throws RangeError. gcBudgetMs may change at any time (process-wide).
 */
export interface RuntimeOptions {
  /** GC pause budget per frame, in ms (0 < ms ≤ 1000; default 0.5). */
  readonly gcBudgetMs?: number;
  /** Hard limit of the Proto heap in MiB (≥ 4; default 4096). */
  readonly heapLimitMb?: number;
  /** Allocation (MiB) after which the pacer starts a GC cycle (default 16). */
  readonly gcTriggerMb?: number;
  /** Run the concurrent collector thread (default true). */
  readonly backgroundCollector?: boolean;
}

/** The runtime's counters: the collector's plus the addon's (all environments). */
export type RuntimeStats = NativeStats;

/** GC accounting of one frame of one thread (takeFrameRecords). */
export type FrameRecord = NativeFrameRecord;

const OPTION_NAMES = new Set(["gcBudgetMs", "heapLimitMb", "gcTriggerMb", "backgroundCollector"]);

/**
 * The scripting runtime of this JS environment. Objects, behaviours and frames
 * are made through it; every environment of the process (main thread and each
 * worker) shares the same Proto heap underneath.
 */
export class Runtime {
  /** True if this Runtime created the process runtime (it was the first one). */
  readonly created: boolean;
  /** The process runtime's heap limit in MiB. */
  readonly heapLimitMb: number;

  /** Attaches this environment to the process runtime, creating it with `options` if needed. */
  constructor(options: RuntimeOptions = {}) {
    if (typeof options !== "object" || options === null || Array.isArray(options))
      throw new TypeError(`new Runtime(options): expected options to be an object, got ${describe(options)}`);
    // Own, known options only, copied into a fresh object: the addon reads by name, and
    // must never see an option inherited from the caller's prototype chain.
    const known: Record<string, unknown> = {};
    for (const key of Object.keys(options)) {
      if (!OPTION_NAMES.has(key))
        throw new TypeError(`unknown runtime option '${key}' (known: ${[...OPTION_NAMES].join(", ")})`);
      known[key] = (options as Record<string, unknown>)[key];
    }
    const info = addon().configure(known as RuntimeOptions);
    // Before an allocation reports OutOfMemory, the addon runs V8's full GC through
    // this hook (dead wrappers still pin their Proto objects) and collects again.
    addon().memory.setGcHook(collectV8Full);
    this.created = info.created;
    this.heapLimitMb = info.heapLimitMb;
  }

  /** A new root object (no parent) with immutable `attributes` and `options.mutable` ones. */
  object(attributes: Attributes = {}, options: ObjectOptions = {}): ProtoObject {
    return newObject(null, attributes, objectOptions(options, "object").mutable);
  }

  /**
   * The symbol of an attribute name, interned once: `object.get(symbol)` reads through
   * the runtime's fast path without looking the name up on every call.
   */
  symbol(name: string): ProtoSymbol {
    return symbolId(name, "symbol(name)") as ProtoSymbol;
  }

  /** A Proto string (rope) holding `text`; TypeError for lone UTF-16 surrogates. */
  string(text: string): ProtoString {
    return newString(text);
  }

  /** A Proto tuple of `values`. */
  tuple(values: readonly ProtoValue[]): ProtoTuple {
    return newTuple(values);
  }

  /**
   * This environment's frame temporaries: vectors, records and labels made in Proto's heap
   * and held through integer handles until the frame ends (see scripting/temps.ts).
   */
  get temps(): FrameTemps {
    return frameTemps();
  }

  /** Runs a full Proto GC cycle and waits for it. */
  collect(): void {
    addon().memory.collect();
  }

  /** The runtime's counters (collector, heap, wrappers, shared tokens, environments). */
  stats(): RuntimeStats {
    return addon().memory.stats();
  }

  /** Frame records of every thread that ran frames since the last call, oldest first. */
  takeFrameRecords(): FrameRecord[] {
    return addon().frames.takeRecords();
  }

  /** Changes the GC pause budget per frame (process-wide), in ms. */
  setGcBudgetMs(ms: number): void {
    if (typeof ms !== "number")
      throw new TypeError(`setGcBudgetMs(ms): expected ms to be a number, got ${describe(ms)}`);
    addon().frames.setBudgetMs(ms);
  }

  /** A zeroed numeric column of `length` elements (a typed array over Proto's cell table). */
  column<T extends ColumnType>(type: T, length: number): Column<T> {
    return newColumn(type, length);
  }

  /** A share token for a column: another environment opens it with openColumn(token). */
  shareColumn(column: Column): number {
    return shareColumn(column);
  }

  /** This environment's view of a column another environment shared (same memory). */
  openColumn(token: number): Column {
    return openColumn(token);
  }

  /** This environment's handle of an object another environment shared (ProtoObject.share). */
  open(token: number): ProtoObject {
    return new ProtoObject(addon().objects.open(token));
  }

  /** Drops a share token (object or column); false if it was unknown. */
  unshare(token: number): boolean {
    return addon().objects.unshare(token);
  }

  /**
   * @internal A new object (parent `parent`) whose first `count` own attributes are numbers
   * (names[i] a symbol id, values[i] its value), held by the share token it returns and by
   * nothing in JS: the engine bridge's entity objects, made with no wrapper.
   */
  shareNewObject(parent: ProtoObject, names: Float64Array, values: Float64Array, count: number): number {
    return addon().objects.createShared(parent.handle, names, values, count);
  }

  /** @internal Opens a frame for the GC pacer (the engine bridge's frame driver). */
  frameBegin(): void {
    addon().frames.begin();
  }

  /** @internal Closes the frame, writing its numbers at FRAME_SLOTS into `out`. */
  frameEndInto(out: Float64Array): void {
    addon().frames.endInto(out);
  }

  /** @internal Writes the runtime's counters at STATS_SLOTS into `out` (no object made). */
  statsInto(out: Float64Array): void {
    addon().memory.statsInto(out);
  }

  /** @internal Ends this environment's frame temporaries (a worker, at its next frame). */
  releaseTemps(): void {
    addon().temps.release();
  }

  /** Test support: stops the world and checks that everything reachable is intact. */
  verifyHeap(): void {
    addon().memory.verifyHeap();
  }
}
