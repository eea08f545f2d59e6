// scripting/runtime.ts — Runtime: this environment's door to the process-wide
// Proto runtime (objects, behaviours, frames, collector, sharing with workers).
import {
  Behaviour,
  type BehaviourDefinition,
  type BehaviourHost,
  type BehaviourMethods,
  type Params,
  type StateSpec,
} from "./behaviour.ts";
import { type Column, type ColumnType, newColumn, openColumn, shareColumn } from "./column.ts";
import { FRAME_SLOTS, type NativeFrameRecord, type NativeStats } from "./native.ts";
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

/**
 * GC accounting of one frame of this thread (Runtime.update). Runtime.update returns a
 * slot of a ring it reuses 64 frames later: copy what you keep longer.
 */
export type FrameRecord = NativeFrameRecord;

type MutableFrameRecord = { -readonly [K in keyof NativeFrameRecord]: NativeFrameRecord[K] } & {
  stallMs: Record<string, number>;
};

/** Frames Runtime.update keeps records of before reusing a slot. */
const RECORD_RING = 64;
/** The stall kinds, in proto::StallKind order (the addon's frame slots). */
const STALL_KINDS = ["handshake", "heap_limit", "sweep_assist", "lock_wait", "enter", "mark_assist"] as const;

const OPTION_NAMES = new Set(["gcBudgetMs", "heapLimitMb", "gcTriggerMb", "backgroundCollector"]);

/**
 * The scripting runtime of this JS environment. Objects, behaviours and frames
 * are made through it; every environment of the process (main thread and each
 * worker) shares the same Proto heap underneath.
 */
export class Runtime implements BehaviourHost {
  /** True if this Runtime created the process runtime (it was the first one). */
  readonly created: boolean;
  /** The process runtime's heap limit in MiB. */
  readonly heapLimitMb: number;

  readonly #behaviours: Behaviour[] = [];
  readonly #code = new Map<number, BehaviourMethods>();
  #nextCode = 1;
  #codeEpoch = 0;
  #frame = 0;
  // Frame records: a ring of RECORD_RING, filled from the numbers frames.endInto() writes.
  readonly #native = new Float64Array(FRAME_SLOTS.length);
  readonly #records: MutableFrameRecord[] = Array.from({ length: RECORD_RING }, () => ({
    frame: 0,
    durationMs: 0,
    gcPauseMs: 0,
    longestPauseMs: 0,
    handshakes: 0,
    budgetMs: 0,
    overBudget: false,
    stalls: 0,
    stallMs: Object.fromEntries(STALL_KINDS.map((k) => [k, 0])),
  }));

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
   * Declares a behaviour: a prototype object with `params` as immutable
   * defaults, per-entity `state` columns, and methods. `extends` inherits
   * another behaviour's parameters, state and methods.
   */
  defineBehaviour<
    P extends Params = Record<never, never>,
    S extends StateSpec = Record<never, never>,
    PP extends Params = Record<never, never>,
    PS extends StateSpec = Record<never, never>,
  >(definition: BehaviourDefinition<P, S, PP, PS>): Behaviour<Omit<PP, keyof P> & P, PS & S> {
    const name = (definition as { name?: unknown } | null)?.name;
    if (this.#behaviours.some((b) => b.name === name))
      throw new TypeError(`a behaviour named '${String(name)}' is defined already in this runtime`);
    const behaviour = new Behaviour(
      this,
      definition as unknown as BehaviourDefinition<Params, StateSpec, Params, StateSpec>,
    );
    this.#behaviours.push(behaviour);
    return behaviour as unknown as Behaviour<Omit<PP, keyof P> & P, PS & S>;
  }

  /** The behaviours defined in this runtime, in definition (and update) order. */
  get behaviours(): readonly Behaviour[] {
    return this.#behaviours;
  }

  /**
   * Runs one frame: marks the frame for the GC pacer, runs every behaviour's
   * beforeUpdate and update methods, closes the frame and returns its record.
   * A script that throws ends the frame early; the error propagates and the
   * runtime stays usable.
   */
  update(dt: number): FrameRecord {
    if (typeof dt !== "number")
      throw new TypeError(`update(dt): expected dt to be a number of seconds, got ${describe(dt)}`);
    if (!Number.isFinite(dt) || dt < 0)
      throw new RangeError(`update(dt): expected a finite dt ≥ 0 in seconds, got ${dt}`);
    const native = addon();
    native.frames.begin();
    this.#frame++;
    const behaviours = this.#behaviours;
    try {
      for (let i = 0; i < behaviours.length; i++) (behaviours[i] as Behaviour).runFrame(dt);
    } catch (error) {
      native.frames.endInto(this.#native);
      throw error;
    }
    native.frames.endInto(this.#native);
    return this.#record();
  }

  // The record of the frame frames.endInto() just closed, in the next slot of the ring.
  #record(): FrameRecord {
    const slot = this.#records[this.#frame % RECORD_RING] as MutableFrameRecord;
    const n = this.#native;
    slot.frame = n[FRAME_SLOTS.frame] as number;
    slot.durationMs = n[FRAME_SLOTS.durationMs] as number;
    slot.gcPauseMs = n[FRAME_SLOTS.gcPauseMs] as number;
    slot.longestPauseMs = n[FRAME_SLOTS.longestPauseMs] as number;
    slot.handshakes = n[FRAME_SLOTS.handshakes] as number;
    slot.budgetMs = n[FRAME_SLOTS.budgetMs] as number;
    slot.overBudget = n[FRAME_SLOTS.overBudget] === 1;
    slot.stalls = n[FRAME_SLOTS.stalls] as number;
    const byKind = slot.stallMs;
    for (let k = 0; k < STALL_KINDS.length; k++)
      byKind[STALL_KINDS[k] as string] = n[FRAME_SLOTS.stallMs + k] as number;
    return slot;
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

  /** @internal */
  registerCode(methods: BehaviourMethods): number {
    const id = this.#nextCode++;
    this.#code.set(id, methods);
    this.#codeEpoch++;
    return id;
  }

  /** @internal */
  dropCode(id: number): void {
    this.#code.delete(id);
    this.#codeEpoch++;
  }

  /** @internal */
  code(id: number): BehaviourMethods | undefined {
    return this.#code.get(id);
  }

  /** @internal */
  get frame(): number {
    return this.#frame;
  }

  /** @internal */
  get codeEpoch(): number {
    return this.#codeEpoch;
  }
}
