// scripting/wasm/WasmRuntime.ts — the wasm back end: one Proto runtime inside a wasm
// module, driven through the C ABI, in the shape the scripting layer's addon calls
// take (symbols, objects as handles, get/set, strings, tuples, numeric columns as
// typed arrays over wasm memory, frames and records, stats). docs/wasm.md says how it
// maps onto the addon's interface and what it lacks.
//
// Threading: the calling JS thread attaches once and then leaves the runtime; every
// call enters, opens a handle scope, works, closes it and leaves again. So the
// collector (its own pthread) never waits for JavaScript that is not calling in.
// Handles own a persistent root, released when the handle is garbage (or by close()).

import { checkLayout, type Layout, Scratch } from "./layout.ts";
import { instantiateProtoWasm, type ProtoWasmExports } from "./module.ts";
import { WasmOperations } from "./operations.ts";
import type { WasmHandle, WasmValue } from "./values.ts";

/** Options of a wasm runtime (the module's memory is fixed: 512 MiB). */
export interface WasmRuntimeOptions {
  /** Hard heap limit, MiB (default 256; at most what the module's memory leaves). */
  readonly heapLimitMb?: number;
  /** GC pause budget per frame, ms (default 0.5). */
  readonly gcBudgetMs?: number;
  /** Run the collector on its own thread (default true). */
  readonly backgroundCollector?: boolean;
}

/** One frame's GC accounting (the addon's NativeFrameRecord, the fields both have). */
export interface WasmFrameRecord {
  readonly frame: number;
  readonly durationMs: number;
  readonly gcPauseMs: number;
  readonly longestPauseMs: number;
  readonly stalls: number;
  readonly handshakes: number;
  readonly budgetMs: number;
  readonly overBudget: boolean;
}

export type WasmColumnType = "f64" | "f32" | "i32" | "u32" | "u8";
const columnTypes: Record<
  WasmColumnType,
  { code: number; make: (b: ArrayBufferLike, o: number, n: number) => ArrayBufferView }
> = {
  f64: { code: 0, make: (b, o, n) => new Float64Array(b, o, n) },
  f32: { code: 1, make: (b, o, n) => new Float32Array(b, o, n) },
  i32: { code: 2, make: (b, o, n) => new Int32Array(b, o, n) },
  u32: { code: 3, make: (b, o, n) => new Uint32Array(b, o, n) },
  u8: { code: 4, make: (b, o, n) => new Uint8Array(b, o, n) },
};

export class WasmRuntime {
  readonly #m: ProtoWasmExports;
  readonly #layout: Layout;
  readonly #s: Scratch;
  readonly #values: WasmOperations;
  readonly #runtime: number;
  readonly #thread: number;
  readonly #columns = new Map<ArrayBufferView, number>();
  #closed = false;

  private constructor(m: ProtoWasmExports, options: WasmRuntimeOptions) {
    this.#m = m;
    this.#layout = checkLayout(m);
    this.#s = new Scratch(m);
    const heapMb = checkNumber(options.heapLimitMb ?? 256, "heapLimitMb", 4, 448);
    const budget = checkNumber(options.gcBudgetMs ?? 0.5, "gcBudgetMs", 0, 1000);
    const opts = m._malloc(this.#layout.optionsSize);
    m._proto_runtime_options_init(opts);
    m.HEAPU32[(opts + this.#layout.heapLimitOffset) >> 2] = heapMb * 1024 * 1024;
    m.HEAPU32[(opts + this.#layout.backgroundOffset) >> 2] = options.backgroundCollector === false ? 0 : 1;
    const created = m._proto_runtime_create(opts, this.#s.out);
    m._free(opts);
    this.#check(created, "creating the runtime");
    this.#runtime = m.HEAPU32[this.#s.out >> 2] ?? 0;
    this.#check(m._proto_thread_attach(this.#runtime, this.#s.out), "attaching this thread");
    this.#thread = m.HEAPU32[this.#s.out >> 2] ?? 0;
    this.#check(m._proto_runtime_set_frame_budget_ms(this.#runtime, budget), "setting the frame budget");
    this.#check(m._proto_thread_leave(this.#thread), "leaving the runtime");
    this.#values = new WasmOperations(m, this.#runtime, this.#thread, this.#s, (st, what) =>
      this.#check(st, what),
    );
  }

  /** Instantiates the wasm module (build/wasm/proto_wasm.js) and a runtime in it. */
  static async create(options: WasmRuntimeOptions = {}): Promise<WasmRuntime> {
    return new WasmRuntime(await instantiateProtoWasm(), options);
  }

  /** libproto's version, from inside the module. */
  version(): string {
    return this.#m.UTF8ToString(this.#m._proto_version());
  }

  symbol(name: string): number {
    this.#ensureOpen();
    if (typeof name !== "string") throw new TypeError(`symbol: name must be a string, got ${typeof name}`);
    return this.#values.symbol(name);
  }

  symbolName(id: number): string {
    this.#ensureOpen();
    return this.#values.symbolName(id);
  }

  /** A new immutable object; `mutable[i]` gives attribute i a cell that set() writes. */
  newObject(
    parent: WasmHandle | null,
    names: readonly number[],
    values: readonly WasmValue[],
    mutable: readonly boolean[] = [],
  ): WasmHandle {
    if (names.length !== values.length)
      throw new RangeError(`newObject: ${names.length} names but ${values.length} values`);
    return this.#call(() => this.#values.newObject(parent, names, values, mutable));
  }

  /** The attribute's value, own or inherited; undefined when missing. */
  get(object: WasmHandle, name: number): WasmValue | undefined {
    return this.#call(() => this.#values.get(object, name));
  }

  set(object: WasmHandle, name: number, value: WasmValue): void {
    this.#call(() => this.#values.set(object, name, value));
  }

  with(object: WasmHandle, name: number, value: WasmValue): WasmHandle {
    return this.#call(() => this.#values.with(object, name, value));
  }

  parent(object: WasmHandle): WasmHandle | null {
    return this.#call(() => this.#values.parent(object));
  }

  stringNew(text: string): WasmHandle {
    return this.#call(() => this.#values.stringNew(text));
  }

  stringText(s: WasmHandle): string {
    return this.#call(() => this.#values.stringText(s));
  }

  stringConcat(a: WasmHandle, b: WasmHandle): WasmHandle {
    return this.#call(() => this.#values.stringConcat(a, b));
  }

  tupleNew(values: readonly WasmValue[]): WasmHandle {
    return this.#call(() => this.#values.tupleNew(values));
  }

  tupleValues(t: WasmHandle): WasmValue[] {
    return this.#call(() => this.#values.tupleValues(t));
  }

  /** A zeroed column of `count` numbers in wasm memory, viewed with no copy. */
  newColumn(type: WasmColumnType, count: number): ArrayBufferView {
    const kind = columnTypes[type];
    if (kind === undefined)
      throw new TypeError(`newColumn: type must be f64, f32, i32, u32 or u8, got ${String(type)}`);
    checkNumber(count, "count", 1, 2 ** 28);
    return this.#call(() => {
      const block = this.#m._malloc(16);
      const st = this.#m._proto_numeric_block_new(this.#thread, kind.code, count, block);
      if (st !== 0) this.#m._free(block);
      this.#check(st, "newColumn");
      const data = this.#m.HEAPU32[block >> 2] ?? 0;
      const view = kind.make(this.#m.HEAPU8.buffer, data, count);
      this.#columns.set(view, block);
      return view;
    });
  }

  /** Frees a column made by newColumn (once); the view must not be used after. */
  freeColumn(view: ArrayBufferView): void {
    const block = this.#columns.get(view);
    if (block === undefined) throw new RangeError("freeColumn: not a live column of this runtime");
    this.#columns.delete(view);
    this.#call(() => this.#check(this.#m._proto_numeric_block_free(this.#thread, block), "freeColumn"));
    this.#m._free(block);
  }

  /** Runs one full collection cycle and waits for it. */
  collect(): void {
    this.#ensureOpen();
    this.#check(this.#m._proto_runtime_collect(this.#runtime), "collect");
  }

  frameBegin(): void {
    this.#call(() => this.#check(this.#m._proto_frame_begin(this.#thread), "frameBegin"));
  }

  frameEnd(): WasmFrameRecord {
    return this.#call(() => {
      const r = this.#s.record;
      this.#check(this.#m._proto_frame_end(this.#thread, r), "frameEnd");
      const f64 = (offset: number) => this.#m.HEAPF64[(r + offset) >> 3] ?? Number.NaN;
      const u32 = (offset: number) => this.#m.HEAPU32[(r + offset) >> 2] ?? 0;
      return {
        frame: Number(this.#m.HEAPU64[r >> 3] ?? 0n),
        durationMs: f64(8),
        gcPauseMs: f64(16),
        longestPauseMs: f64(24),
        stalls: u32(80),
        handshakes: u32(84),
        budgetMs: f64(88),
        overBudget: u32(96) !== 0,
      };
    });
  }

  /** Collector counters: cycles, heap bytes, live objects. */
  stats(): { cycles: number; heapBytes: number; liveObjects: number } {
    this.#ensureOpen();
    const r = this.#s.stats;
    this.#check(this.#m._proto_runtime_gc_stats(this.#runtime, r), "stats");
    const at = r + this.#layout.statsHeapOffset;
    return {
      cycles: Number(this.#m.HEAPU64[r >> 3] ?? 0n),
      heapBytes: this.#m.HEAPU32[at >> 2] ?? 0,
      liveObjects: this.#m.HEAPU32[(at + 12) >> 2] ?? 0,
    };
  }

  /** Releases every handle's root, destroys the runtime and ends the module's threads. */
  close(): void {
    if (this.#closed) return;
    this.#values.releaseAll();
    for (const block of this.#columns.values()) {
      this.#call(() => this.#m._proto_numeric_block_free(this.#thread, block));
      this.#m._free(block);
    }
    this.#columns.clear();
    this.#check(this.#m._proto_thread_detach(this.#thread), "detaching");
    this.#check(this.#m._proto_runtime_destroy(this.#runtime), "destroying the runtime");
    this.#closed = true;
    this.#m.PThread.terminateAllThreads();
  }

  #call<T>(work: () => T): T {
    this.#ensureOpen();
    this.#check(this.#m._proto_thread_enter(this.#thread), "entering the runtime");
    let depth = -1;
    try {
      this.#check(this.#m._proto_scope_open(this.#thread, this.#s.depth), "opening a scope");
      depth = this.#m.HEAPU32[this.#s.depth >> 2] ?? 0;
      return work();
    } finally {
      if (depth >= 0) this.#m._proto_scope_close(this.#thread, depth);
      this.#m._proto_thread_leave(this.#thread);
    }
  }

  #check(status: number, what: string): void {
    if (status === 0) return;
    const name = this.#m.UTF8ToString(this.#m._proto_status_name(status));
    const error = new Error(`${what}: ${this.#m.UTF8ToString(this.#m._proto_last_error())} (${name})`);
    Object.assign(error, { code: name });
    throw error;
  }

  #ensureOpen(): void {
    if (this.#closed) throw new Error("WasmRuntime: used after close()");
  }
}

function checkNumber(value: number, what: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max)
    throw new RangeError(`${what} must be a number in [${min}, ${max}], got ${String(value)}`);
  return value;
}
