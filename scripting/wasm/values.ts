// scripting/wasm/values.ts — values across the wasm back end: JS numbers, booleans,
// null and strings (symbols, as the addon takes them) to and from proto_value bits,
// and handles of heap values, each owning a persistent root that a
// FinalizationRegistry releases once the handle is garbage.
import type { Scratch } from "./layout.ts";
import type { ProtoWasmExports } from "./module.ts";

/** A handle of a Proto object, string or tuple living in a wasm runtime. */
export interface WasmHandle {
  readonly kind: "object" | "string" | "tuple";
  /** The proto_persistent* that roots it (0 once released). */
  readonly persistent: number;
}

/** A value as it crosses the wasm back end: like the addon's NativeValue. */
export type WasmValue = number | boolean | string | null | WasmHandle;

const TAG_INT = 0xfff9n;
const TAG_SPECIAL = 0xfffan;
const TAG_SYMBOL = 0xfffbn;
const TAG_REFERENCE = 0xfffcn;
const NIL = TAG_SPECIAL << 48n;
const FALSE = NIL | 2n;
const TRUE = NIL | 3n;
const MISSING = NIL | 4n;
const CANONICAL_NAN = 0x7ff8000000000000n;
const refKinds = ["", "object", "string", "tuple"] as const;

type Check = (status: number, what: string) => void;

class Handle implements WasmHandle {
  constructor(
    readonly kind: "object" | "string" | "tuple",
    public persistent: number,
  ) {}
}

export class WasmValues {
  readonly #bits = new BigUint64Array(1);
  readonly #f64 = new Float64Array(this.#bits.buffer);
  readonly #registry: FinalizationRegistry<number>;
  readonly #live = new Set<number>();
  readonly #symbols = new Map<string, number>();

  constructor(
    readonly m: ProtoWasmExports,
    readonly runtime: number,
    readonly thread: number,
    readonly s: Scratch,
    readonly check: Check,
  ) {
    this.#registry = new FinalizationRegistry((p) => {
      if (this.#live.delete(p)) m._proto_persistent_release(p);
    });
  }

  symbol(name: string): number {
    const known = this.#symbols.get(name);
    if (known !== undefined) return known;
    const bytes = this.m.lengthBytesUTF8(name);
    const buf = this.m._malloc(bytes + 1);
    this.m.stringToUTF8(name, buf, bytes + 1);
    const st = this.m._proto_symbol_intern(this.runtime, buf, bytes, this.s.out);
    this.m._free(buf);
    this.check(st, `symbol '${name}'`);
    const id = this.m.HEAPU32[this.s.out >> 2] ?? 0;
    this.#symbols.set(name, id);
    return id;
  }

  symbolName(id: number): string {
    this.check(this.m._proto_symbol_name(this.runtime, id, this.s.out, this.s.out2), `symbolName(${id})`);
    const ptr = this.m.HEAPU32[this.s.out >> 2] ?? 0;
    return this.m.UTF8ToString(ptr, this.m.HEAPU32[this.s.out2 >> 2] ?? 0);
  }

  /** The bits of a JS value; references are rooted in the innermost scope. */
  toBits(value: WasmValue, what: string): bigint {
    if (typeof value === "number") {
      if (Number.isNaN(value)) return CANONICAL_NAN;
      this.#f64[0] = value;
      return this.#bits[0] ?? 0n;
    }
    if (value === null) return NIL;
    if (value === true) return TRUE;
    if (value === false) return FALSE;
    if (typeof value === "string") return (TAG_SYMBOL << 48n) | BigInt(this.symbol(value));
    if (value instanceof Handle) {
      if (value.persistent === 0) throw new Error(`${what}: the handle was released (its runtime closed)`);
      this.check(this.m._proto_persistent_get(this.thread, value.persistent, this.s.out), what);
      return this.m.HEAPU64[this.s.out >> 3] ?? NIL;
    }
    throw new TypeError(
      `${what}: expected a number, boolean, null, string (symbol) or handle, got ${typeof value}`,
    );
  }

  /** A JS value of some bits (undefined for missing); a reference becomes a new handle. */
  fromBits(bits: bigint): WasmValue | undefined {
    const tag = bits >> 48n;
    if (tag < TAG_INT) {
      this.#bits[0] = bits;
      return this.#f64[0] ?? Number.NaN;
    }
    if (tag === TAG_INT) return Number(BigInt.asIntN(32, bits));
    if (bits === NIL) return null;
    if (bits === TRUE) return true;
    if (bits === FALSE) return false;
    if (bits === MISSING) return undefined;
    if (tag === TAG_SYMBOL) return this.symbolName(Number(bits & 0xffffffffn));
    if (tag === TAG_REFERENCE) return this.handle(bits);
    throw new Error(`unexpected value bits 0x${bits.toString(16)}`);
  }

  handle(bits: bigint): WasmHandle {
    const kind = refKinds[this.m._proto_reference_kind_of(bits)];
    if (!kind) throw new Error(`not a reference: 0x${bits.toString(16)}`);
    this.check(this.m._proto_persistent_new(this.thread, bits, this.s.out), "rooting a handle");
    const p = this.m.HEAPU32[this.s.out >> 2] ?? 0;
    const h = new Handle(kind, p);
    this.#live.add(p);
    this.#registry.register(h, p, h);
    return h;
  }

  object(value: WasmHandle | null, what: string): bigint {
    if (value === null) return NIL;
    if (!(value instanceof Handle) || value.kind !== "object")
      throw new TypeError(`${what} must be an object handle, got ${describe(value)}`);
    return this.toBits(value, what);
  }

  /** Releases every root (the runtime is closing); handles then refuse use. */
  releaseAll(): void {
    for (const p of this.#live) this.m._proto_persistent_release(p);
    this.#live.clear();
  }
}

export function isHandle(value: unknown): value is WasmHandle {
  return value instanceof Handle;
}

export function describe(value: unknown): string {
  if (value instanceof Handle) return `a ${value.kind} handle`;
  return value === null ? "null" : typeof value;
}
