// scripting/value.ts — what ProtoObject (object.ts) and ProtoString/ProtoTuple
// (rope.ts) share, so that neither imports the other: the base class of every
// handle wrapper, values to and from the addon, and the wording of errors.
// Each wrapper registers itself here (registerWrapper) when its module loads;
// fromNative() makes the right one for a handle the addon returns.
import { loadAddon, type NativeAddon, type NativeHandle, type NativeValue } from "./native.ts";
import type { ProtoObject } from "./object.ts";
import type { ProtoString, ProtoTuple } from "./rope.ts";

/**
 * A value stored in a Proto attribute, cell or tuple: a number, a boolean, a
 * JS string (stored as an interned Proto symbol, read back as the same
 * string), `null` (Proto's nil), a ProtoObject, a ProtoString (a rope: text)
 * or a ProtoTuple. `undefined` is never stored: reads return it for a missing
 * attribute.
 */
export type ProtoValue = number | boolean | string | null | ProtoObject | ProtoString | ProtoTuple;

let addonCache: NativeAddon | undefined;

/** @internal The addon of this environment. */
export function addon(): NativeAddon {
  if (addonCache === undefined) addonCache = loadAddon();
  return addonCache;
}

/**
 * @internal A JS handle of a Proto heap value: it owns a native persistent root, so
 * the value lives while the wrapper (or any copy of its handle) is reachable from JS.
 */
export abstract class ProtoHandle<H extends NativeHandle = NativeHandle> {
  /** @internal The native handle; it keeps the value alive. */
  readonly handle: H;

  /** @internal Only the runtime makes wrappers. */
  constructor(handle: H) {
    this.handle = handle;
  }
}

type HandleKind = "object" | "string" | "tuple";
interface Wrapper {
  readonly name: string;
  readonly make: (handle: never) => ProtoValue;
}
const wrappers = new Map<HandleKind, Wrapper>();
const names = new Map<unknown, string>();

/** @internal Registers the wrapper class of one kind of handle (each module does it once). */
export function registerWrapper<H extends NativeHandle>(
  kind: HandleKind,
  name: string,
  type: abstract new (handle: H) => ProtoHandle<H>,
  make: (handle: H) => ProtoValue,
): void {
  wrappers.set(kind, { name, make: make as (handle: never) => ProtoValue });
  names.set(type, name);
}

/** @internal A value from the addon as the scripting layer returns it. */
export function fromNative(value: NativeValue | undefined): ProtoValue | undefined {
  if (typeof value !== "object" || value === null) return value;
  const wrapper = wrappers.get(addon().handleKind(value) ?? "object");
  if (wrapper === undefined)
    throw new Error("Proto: a handle kind without a wrapper (its module is not loaded)");
  return wrapper.make(value as never);
}

/** A UTF-16 code unit that is half of a surrogate pair without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * @internal Refuses text with a lone surrogate: `${where}: ${what} has a lone surrogate
 * at index i` (a UTF-16 index). Proto keeps text as UTF-8, which cannot hold one, so
 * every name, symbol value and string goes through here before it reaches the addon
 * (which refuses them too): two different JS strings never become one Proto name.
 */
export function checkText(text: string, where: string, what: string): void {
  const at = text.search(LONE_SURROGATE);
  if (at >= 0) throw new TypeError(`${where}: ${what} has a lone surrogate at index ${at}`);
}

/**
 * @internal What a value is, for error messages, JavaScript-style: its type and, for a
 * primitive, the value itself — `a string ("1")`, `a number (NaN)`, `null`, `an array`.
 */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof ProtoHandle) return `a ${names.get(value.constructor) ?? "Proto handle"}`;
  switch (typeof value) {
    case "undefined":
      return "undefined";
    case "string":
      return `a string (${quote(value)})`;
    case "number":
      return `a number (${Object.is(value, -0) ? "-0" : String(value)})`;
    case "boolean":
      return `a boolean (${value})`;
    case "bigint":
      return `a bigint (${value}n)`;
    case "symbol":
      return `a symbol (${value.toString()})`;
    case "function":
      return value.name ? `a function (${value.name})` : "a function";
    default:
      if (ArrayBuffer.isView(value)) return `a ${Object.prototype.toString.call(value).slice(8, -1)}`;
      if (value instanceof ArrayBuffer) return "an ArrayBuffer";
      return "an object";
  }
}

// A string as JSON quotes it (lone surrogates escaped), cut after 40 code units.
function quote(text: string): string {
  if (text.length <= 40) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, 40)).slice(0, -1)}…"`;
}

/**
 * @internal A JS value as the addon takes it; throws TypeError for anything Proto cannot
 * hold, reading `${where}: ${what} …` (e.g. "set(name, value): value is undefined …").
 */
export function toNative(value: unknown, where: string, what: string): NativeValue {
  if (value instanceof ProtoHandle) return value.handle;
  switch (typeof value) {
    case "number":
    case "boolean":
      return value;
    case "string":
      checkText(value, where, what);
      return value;
    case "undefined":
      throw new TypeError(
        `${where}: ${what} is undefined, which Proto cannot store (it means 'missing'); use null for nil`,
      );
    default:
      if (value === null) return null;
      throw new TypeError(
        `${where}: expected ${what} to be a number, boolean, string, null, ProtoObject, ProtoString or ProtoTuple, got ${describe(value)}`,
      );
  }
}

/** @internal `base.key`, or `base["key"]` for a key that is not an identifier. */
export function keyPath(base: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}
