// scripting/native-api.ts — the functions proto.node exports, by group (the C++
// side is native/addon/bindings.h), the one error vocabulary they share, and the
// check that a loaded binary has all of them (scripting/native.ts runs it).
import type {
  NativeBuildInfo,
  NativeColumnType,
  NativeFrameRecord,
  NativeObjectHandle,
  NativeRuntimeInfo,
  NativeRuntimeOptions,
  NativeStats,
  NativeStringHandle,
  NativeTupleHandle,
  NativeValue,
} from "./native-types.ts";

/**
 * The `code` of every error the addon throws (native/addon/errors.h): the names of
 * proto::ErrorCode, then "Internal" (a bug in the addon). A caller's mistake is a
 * TypeError with InvalidArgument or a RangeError with OutOfRange.
 */
export const ERROR_CODES = [
  "WrongKind",
  "UnknownSymbol",
  "NotAttached",
  "AlreadyAttached",
  "InvalidArgument",
  "OutOfRange",
  "NotMutable",
  "Missing",
  "OutOfMemory",
  "InvalidUtf8",
  "Internal",
] as const;

/** One code of ERROR_CODES. */
export type ProtoErrorCode = (typeof ERROR_CODES)[number];

/** symbols.*: interned names. */
export interface NativeSymbols {
  /** The interned id of a non-empty name. */
  intern(name: string): number;
  name(id: number): string;
}

/** objects.*: immutable objects, their attributes and share tokens. */
export interface NativeObjects {
  create(
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
  /** A token any environment of the process can open; it keeps the object alive until unshared. */
  share(object: NativeObjectHandle): number;
  /**
   * A new object (parent `parent`) whose first `count` own attributes are numbers —
   * names[i] a symbol id, values[i] its value — held by the share token it returns and by
   * nothing in JS (no wrapper made).
   */
  createShared(
    parent: NativeObjectHandle | null,
    names: Float64Array,
    values: Float64Array,
    count: number,
  ): number;
  open(token: number): NativeObjectHandle;
  /**
   * The fast read path: the object's slot id (the same for every call on one handle; it
   * ends with the handle), or 0 when the environment's table is full.
   */
  pin(object: NativeObjectHandle): number;
  /** The array read() writes numbers and symbol ids into: the same one for every call in an environment. */
  readIo(): Float64Array;
  /**
   * Reads an attribute of a pinned object: 0 missing, 1 a number (in io[0]), 2 true,
   * 3 false, 4 nil, 5 a symbol (its id in io[0]), 6 a reference (read it with get()).
   */
  read(slot: number, name: number): number;
  /** Drops a token (of an object or a column); false if it was unknown. */
  unshare(token: number): boolean;
}

/** cells.*: numeric columns, blocks of the mutability table viewed with no copy. */
export interface NativeCells {
  newColumn(type: NativeColumnType, count: number): ArrayBuffer;
  shareColumn(buffer: ArrayBuffer): number;
  openColumn(token: number): [ArrayBuffer, NativeColumnType];
}

/** strings.*: ropes. Indices count code points. */
export interface NativeStrings {
  create(text: string): NativeStringHandle;
  concat(a: NativeStringHandle, b: NativeStringHandle): NativeStringHandle;
  /** Code points [begin, end). */
  slice(s: NativeStringHandle, begin: number, end: number): NativeStringHandle;
  /** [code points, UTF-16 units, UTF-8 bytes]. */
  length(s: NativeStringHandle): [number, number, number];
  text(s: NativeStringHandle): string;
  equals(a: NativeStringHandle, b: NativeStringHandle): boolean;
  /** Code point index of `needle` at or after `from`, or -1. */
  find(s: NativeStringHandle, needle: NativeStringHandle, from: number): number;
}

/** tuples.*: immutable tuples of values. */
export interface NativeTuples {
  create(values: readonly NativeValue[]): NativeTupleHandle;
  concat(a: NativeTupleHandle, b: NativeTupleHandle): NativeTupleHandle;
  slice(t: NativeTupleHandle, begin: number, end: number): NativeTupleHandle;
  push(t: NativeTupleHandle, value: NativeValue): NativeTupleHandle;
  size(t: NativeTupleHandle): number;
  at(t: NativeTupleHandle, index: number): NativeValue;
  values(t: NativeTupleHandle): NativeValue[];
}

/** frames.*: frame marks and each frame's GC accounting. */
export interface NativeFrames {
  begin(): void;
  end(): NativeFrameRecord;
  /** Closes the frame like end() and writes its record into `out` (FRAME_SLOTS): no object made. */
  endInto(out: Float64Array): void;
  takeRecords(): NativeFrameRecord[];
  setBudgetMs(ms: number): void;
}

/** memory.*: the collector, its counters, and V8's view of what handles pin. */
export interface NativeMemory {
  /** Runs one full cycle and waits for it. */
  collect(): void;
  stats(): NativeStats;
  /** Writes the counters a frame record needs into `out` (STATS_SLOTS): no object made. */
  statsInto(out: Float64Array): void;
  /** The function the addon calls to run V8's full GC before it reports OutOfMemory (per environment). */
  setGcHook(hook: (() => void) | null): void;
  /**
   * Reports this environment's handle bytes to V8 now; returns [those bytes, V8's
   * external-memory total as V8 counts it after the report].
   */
  reportExternalMemory(): [number, number];
  /** Test support: throws if anything reachable was freed. */
  verifyHeap(): void;
}

/** temps.*: frame temporaries (scripting/temps.ts). */
export interface NativeTemps {
  /** The io array numbers go in and out through. */
  io(io: Float64Array): void;
  /** A record shape of 1 to 8 numeric fields; returns its id. */
  shape(names: readonly string[]): number;
  /** A record of `shape` from io[0..fields); returns its handle. */
  record(shape: number): number;
  /** Writes a record's fields into io; returns how many. */
  read(handle: number): number;
  /** Interns a piece of text labels are made from; returns its id. */
  text(text: string): number;
  /** A Proto string: text `text`, then io[0] as JavaScript prints it; returns its handle. */
  label(text: number): number;
  /** A string temporary's length in code points. */
  length(handle: number): number;
  /** A share token keeping a record after its frame. */
  keep(handle: number): number;
  /** Ends this environment's temporaries now. */
  release(): void;
  /** Temporaries made since the frame began. */
  count(): number;
}

/**
 * What proto.node exports (native/addon/bindings.h): a few functions at the top
 * and one frozen group per noun. Every function validates its arguments and throws
 * TypeError/RangeError on bad input; every error carries a `code` of ERROR_CODES.
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
  handleKind(value: unknown): "object" | "string" | "tuple" | null;
  readonly errorCodes: readonly ProtoErrorCode[];
  readonly symbols: NativeSymbols;
  readonly objects: NativeObjects;
  readonly cells: NativeCells;
  readonly strings: NativeStrings;
  readonly tuples: NativeTuples;
  readonly frames: NativeFrames;
  readonly memory: NativeMemory;
  readonly temps: NativeTemps;
}

// Every function the loader expects, by group ("" the top level): the check of a build.
const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  "": ["greeting", "version", "noop", "buildInfo", "configure", "handleKind"],
  symbols: ["intern", "name"],
  objects: ["create", "get", "getMany", "find", "set", "with", "parent", "ownNames", "same"].concat([
    "share",
    "createShared",
    "open",
    "unshare",
  ]),
  cells: ["newColumn", "shareColumn", "openColumn"],
  strings: ["create", "concat", "slice", "length", "text", "equals", "find"],
  tuples: ["create", "concat", "slice", "push", "size", "at", "values"],
  frames: ["begin", "end", "endInto", "takeRecords", "setBudgetMs"],
  memory: ["collect", "stats", "statsInto", "setGcHook", "reportExternalMemory", "verifyHeap"],
  temps: ["io", "shape", "record", "read", "text", "label", "length", "keep", "release", "count"],
};

/** What is missing from a loaded module, or null if it has everything NativeAddon names. */
export function missingExports(module: unknown): string | null {
  if (typeof module !== "object" || module === null) return "the module is not an object";
  const exports = module as Record<string, unknown>;
  for (const [group, names] of Object.entries(EXPECTED)) {
    const holder = group === "" ? exports : exports[group];
    if (typeof holder !== "object" || holder === null) return `the group ${group} is missing`;
    for (const name of names) {
      if (typeof (holder as Record<string, unknown>)[name] !== "function")
        return `${group === "" ? "" : `${group}.`}${name} is missing`;
    }
  }
  const codes = exports.errorCodes;
  if (!Array.isArray(codes) || codes.join() !== ERROR_CODES.join())
    return `its error codes (${String(codes)}) are not ${ERROR_CODES.join()}`;
  return null;
}
