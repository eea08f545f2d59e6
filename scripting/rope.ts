// scripting/rope.ts — ProtoString and ProtoTuple: JS handles of Proto's
// immutable ropes (strings) and tuples. Concat, slice and index are O(log N) in
// native code and share structure; like ProtoObject, a handle keeps its value
// alive while JS can reach it.
//
// Plain JS strings stored in attributes become Proto *symbols* (interned
// names, compared by identity); use a ProtoString for text.
import type { NativeStringHandle, NativeTupleHandle } from "./native.ts";
import {
  addon,
  checkText,
  describe,
  fromNative,
  ProtoHandle,
  type ProtoValue,
  registerWrapper,
  toNative,
} from "./value.ts";

function index(value: unknown, where: string, what: string): number {
  if (typeof value !== "number")
    throw new TypeError(`${where}: expected ${what} to be a number, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`${where}: expected ${what} to be a whole number ≥ 0, got ${value}`);
  return value;
}

/** An immutable Proto string (a rope). Indices count Unicode code points. */
export class ProtoString extends ProtoHandle<NativeStringHandle> {
  /** Length in code points. */
  get length(): number {
    return addon().strings.length(this.handle)[0];
  }

  /** Length in UTF-16 units (the length of toString()). */
  get utf16Length(): number {
    return addon().strings.length(this.handle)[1];
  }

  /** Length in UTF-8 bytes. */
  get byteLength(): number {
    return addon().strings.length(this.handle)[2];
  }

  /** This string followed by `other` (a ProtoString or JS text). O(log N). */
  concat(other: ProtoString | string): ProtoString {
    const b = stringArg(other, "concat(other)", "other");
    return new ProtoString(addon().strings.concat(this.handle, b));
  }

  /** Code points [begin, end) (end defaults to the length). O(log N). RangeError past the end. */
  slice(begin: number, end?: number): ProtoString {
    const b = index(begin, "slice(begin, end)", "begin");
    const e = end === undefined ? this.length : index(end, "slice(begin, end)", "end");
    return new ProtoString(addon().strings.slice(this.handle, b, e));
  }

  /** Code point index of `needle` at or after `from`, or -1. */
  indexOf(needle: ProtoString | string, from = 0): number {
    const n = stringArg(needle, "indexOf(needle)", "needle");
    return addon().strings.find(this.handle, n, index(from, "indexOf(needle, from)", "from"));
  }

  /** True if both hold the same text (`other` a ProtoString or JS text). */
  equals(other: ProtoString | string): boolean {
    return addon().strings.equals(this.handle, stringArg(other, "equals(other)", "other"));
  }

  /** The text as a JS string (copies it). */
  override toString(): string {
    return addon().strings.text(this.handle);
  }
}

/** An immutable Proto tuple of values. Structural operations return new tuples. */
export class ProtoTuple extends ProtoHandle<NativeTupleHandle> {
  /** Number of values. */
  get length(): number {
    return addon().tuples.size(this.handle);
  }

  /** The value at `i`. RangeError past the end. */
  at(i: number): ProtoValue {
    return fromNative(addon().tuples.at(this.handle, index(i, "at(i)", "i"))) as ProtoValue;
  }

  /** This tuple followed by `other`. O(log N). */
  concat(other: ProtoTuple): ProtoTuple {
    return new ProtoTuple(addon().tuples.concat(this.handle, tupleHandle(other, "concat(other)", "other")));
  }

  /** Values [begin, end) (end defaults to the length). O(log N). */
  slice(begin: number, end?: number): ProtoTuple {
    const b = index(begin, "slice(begin, end)", "begin");
    const e = end === undefined ? this.length : index(end, "slice(begin, end)", "end");
    return new ProtoTuple(addon().tuples.slice(this.handle, b, e));
  }

  /** A new tuple with `value` appended. */
  push(value: ProtoValue): ProtoTuple {
    return new ProtoTuple(addon().tuples.push(this.handle, toNative(value, "push(value)", "value")));
  }

  /** Every value, in order (copies them into a JS array). */
  toArray(): ProtoValue[] {
    return addon()
      .tuples.values(this.handle)
      .map((v) => fromNative(v) as ProtoValue);
  }
}

// A ProtoString argument, or JS text made into one (lone surrogates refused).
function stringArg(value: unknown, where: string, what: string): NativeStringHandle {
  if (value instanceof ProtoString) return value.handle;
  if (typeof value === "string") {
    checkText(value, where, what);
    return addon().strings.create(value);
  }
  throw new TypeError(`${where}: expected ${what} to be a ProtoString or a string, got ${describe(value)}`);
}

function tupleHandle(value: unknown, where: string, what: string): NativeTupleHandle {
  if (!(value instanceof ProtoTuple))
    throw new TypeError(`${where}: expected ${what} to be a ProtoTuple, got ${describe(value)}`);
  return value.handle;
}

/** @internal A new rope of `text`. */
export function newString(text: string): ProtoString {
  if (typeof text !== "string")
    throw new TypeError(`string(text): expected text to be a string, got ${describe(text)}`);
  checkText(text, "string(text)", "text");
  return new ProtoString(addon().strings.create(text));
}

/** @internal A new tuple of `values`. */
export function newTuple(values: readonly ProtoValue[]): ProtoTuple {
  if (!Array.isArray(values))
    throw new TypeError(`tuple(values): expected values to be an array, got ${describe(values)}`);
  return new ProtoTuple(
    addon().tuples.create(values.map((v, i) => toNative(v, "tuple(values)", `values[${i}]`))),
  );
}

registerWrapper("string", "ProtoString", ProtoString, (handle) => new ProtoString(handle));
registerWrapper("tuple", "ProtoTuple", ProtoTuple, (handle) => new ProtoTuple(handle));
