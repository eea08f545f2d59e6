// scripting/wasm/operations.ts — the runtime operations of the wasm back end over the
// C ABI: objects, attributes, strings and tuples. Each runs inside the handle scope
// that WasmRuntime opens around a call, so the references it reads stay rooted until
// they are returned as handles.
import { describe, type WasmHandle, type WasmValue, WasmValues } from "./values.ts";

export class WasmOperations extends WasmValues {
  newObject(
    parent: WasmHandle | null,
    names: readonly number[],
    values: readonly WasmValue[],
    mutable: readonly boolean[],
  ): WasmHandle {
    const parentBits = this.object(parent, "newObject: parent");
    const n = names.length;
    // proto_attribute in wasm32: u32 name, pad, u64 value, i32 is_mutable, pad: 24 bytes.
    const attrs = this.m._malloc(Math.max(1, n) * 24);
    try {
      for (let i = 0; i < n; i++) {
        const name = names[i];
        if (typeof name !== "number" || !Number.isInteger(name) || name <= 0)
          throw new TypeError(`newObject: names[${i}] must be a symbol id, got ${String(name)}`);
        const bits = this.toBits(values[i] ?? null, `newObject: values[${i}]`);
        const at = attrs + i * 24;
        this.m.HEAPU32[at >> 2] = name;
        this.m.HEAPU64[(at + 8) >> 3] = bits;
        this.m.HEAPU32[(at + 16) >> 2] = mutable[i] === true ? 1 : 0;
      }
      this.check(this.m._proto_object_new(this.thread, parentBits, attrs, n, this.s.out), "newObject");
    } finally {
      this.m._free(attrs);
    }
    return this.handle(this.outBits());
  }

  get(object: WasmHandle, name: number): WasmValue | undefined {
    const bits = this.object(object, "get: object");
    this.check(this.m._proto_get(this.thread, bits, name, this.s.out), "get");
    return this.fromBits(this.outBits());
  }

  set(object: WasmHandle, name: number, value: WasmValue): void {
    const bits = this.object(object, "set: object");
    this.check(this.m._proto_set(this.thread, bits, name, this.toBits(value, "set: value")), "set");
  }

  with(object: WasmHandle, name: number, value: WasmValue): WasmHandle {
    const bits = this.object(object, "with: object");
    const v = this.toBits(value, "with: value");
    this.check(this.m._proto_object_with(this.thread, bits, name, v, this.s.out), "with");
    return this.handle(this.outBits());
  }

  parent(object: WasmHandle): WasmHandle | null {
    this.check(
      this.m._proto_object_parent(this.thread, this.object(object, "parent: object"), this.s.out),
      "parent",
    );
    const v = this.fromBits(this.outBits());
    return v === null || v === undefined ? null : (v as WasmHandle);
  }

  stringNew(text: string): WasmHandle {
    if (typeof text !== "string") throw new TypeError(`stringNew: text must be a string, got ${typeof text}`);
    const bytes = this.m.lengthBytesUTF8(text);
    const buf = this.m._malloc(bytes + 1);
    try {
      this.m.stringToUTF8(text, buf, bytes + 1);
      this.check(this.m._proto_string_from_utf8(this.thread, buf, bytes, this.s.out), "stringNew");
    } finally {
      this.m._free(buf);
    }
    return this.handle(this.outBits());
  }

  stringText(s: WasmHandle): string {
    const bits = this.ref(s, "string", "stringText");
    const status = this.m._proto_string_to_utf8(bits, 0, 0, this.s.out);
    if (status !== 11) this.check(status, "stringText"); // PROTO_E_BUFFER_TOO_SMALL: the length was written
    const length = this.m.HEAPU32[this.s.out >> 2] ?? 0;
    const buf = this.m._malloc(length + 1);
    try {
      this.check(this.m._proto_string_to_utf8(bits, buf, length + 1, this.s.out), "stringText");
      return this.m.UTF8ToString(buf, length);
    } finally {
      this.m._free(buf);
    }
  }

  stringConcat(a: WasmHandle, b: WasmHandle): WasmHandle {
    const x = this.ref(a, "string", "stringConcat: a");
    const y = this.ref(b, "string", "stringConcat: b");
    this.check(this.m._proto_string_concat(this.thread, x, y, this.s.out), "stringConcat");
    return this.handle(this.outBits());
  }

  tupleNew(values: readonly WasmValue[]): WasmHandle {
    const buf = this.m._malloc(Math.max(1, values.length) * 8);
    try {
      values.forEach((v, i) => {
        this.m.HEAPU64[(buf >> 3) + i] = this.toBits(v, `tupleNew: values[${i}]`);
      });
      this.check(this.m._proto_tuple_new(this.thread, buf, values.length, this.s.out), "tupleNew");
    } finally {
      this.m._free(buf);
    }
    return this.handle(this.outBits());
  }

  tupleValues(t: WasmHandle): WasmValue[] {
    const bits = this.ref(t, "tuple", "tupleValues");
    this.check(this.m._proto_tuple_length(bits, this.s.out), "tupleValues");
    const n = this.m.HEAPU32[this.s.out >> 2] ?? 0;
    const out: WasmValue[] = [];
    for (let i = 0; i < n; i++) {
      this.check(this.m._proto_tuple_at(this.thread, bits, i, this.s.out), "tupleValues");
      out.push(this.fromBits(this.outBits()) ?? null);
    }
    return out;
  }

  private outBits(): bigint {
    return this.m.HEAPU64[this.s.out >> 3] ?? 0n;
  }

  private ref(h: WasmHandle, kind: WasmHandle["kind"], what: string): bigint {
    if (h === null || typeof h !== "object" || h.kind !== kind)
      throw new TypeError(`${what} must be a ${kind} handle, got ${describe(h)}`);
    return this.toBits(h, what);
  }
}
