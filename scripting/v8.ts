// scripting/v8.ts — the few things Proto needs from V8's own collector: running a
// minor or full GC on demand (the frame driver collects the young generation in a
// frame's slack; the addon runs a full GC before it reports OutOfMemory, so that dead
// wrappers drop their Proto objects), and how much of V8's heap is in use.
//
// V8 runs a collection on demand through `gc`, which exists only with --expose-gc.
// The flag can be turned on at run time: functions of a context made afterwards see
// `gc`, so one small context is made the first time a collection is asked for. The
// main context's globals are not touched.
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

type GcFunction = (options?: { type: "minor" | "major"; execution?: "sync" }) => void;

let gcFunction: GcFunction | undefined;
const MINOR = { type: "minor", execution: "sync" } as const;

function gcNow(): GcFunction {
  if (gcFunction !== undefined) return gcFunction;
  const global = (globalThis as { gc?: GcFunction }).gc;
  if (typeof global === "function") {
    gcFunction = global;
  } else {
    setFlagsFromString("--expose-gc");
    gcFunction = runInNewContext("gc") as GcFunction;
  }
  return gcFunction;
}

/** Runs a V8 collection of the young generation (a scavenge) now, synchronously. */
export function collectV8Young(): void {
  gcNow()(MINOR);
}

/**
 * Runs a full V8 collection now, synchronously (its finalizers included: see native/addon).
 * gc() without options: in V8 11.3 (Node 20), gc({ type: "major" }) runs a scavenge.
 */
export function collectV8Full(): void {
  gcNow()();
}

/**
 * Bytes in use on V8's heap, all spaces (v8.getHeapStatistics().used_heap_size). Between
 * two collections it grows by exactly what JS allocated.
 */
export function v8HeapUsed(): number {
  return getHeapStatistics().used_heap_size;
}

/** The capacity of V8's young generation now (new space; it grows and shrinks with use). */
export function v8YoungCapacity(): number {
  for (const space of getHeapSpaceStatistics()) if (space.space_name === "new_space") return space.space_size;
  return 0;
}
