// scripting/index.ts — the public surface of Proto's TypeScript scripting layer:
// the Runtime, prototype objects, strings and tuples, numeric columns, frame temporaries.
// Behaviours are the engine bridge's (engine-bridge/index.ts, docs/behaviours.md).
// Every export is named here; see docs/scripting.md for the guide.
import { loadAddon } from "./native.ts";

export type { Column, ColumnArrays, ColumnType } from "./column.ts";
export type { NativeAddon, NativeBuildInfo } from "./native.ts";
export { AddonLoadError, addonPath, loadAddon } from "./native.ts";
export type {
  AttributeLookup,
  Attributes,
  AttributeWhere,
  ObjectOptions,
  ProtoSymbol,
  ProtoValue,
} from "./object.ts";
export { ProtoObject } from "./object.ts";
export { ProtoString, ProtoTuple } from "./rope.ts";
export type { FrameRecord, RuntimeOptions, RuntimeStats } from "./runtime.ts";
export { Runtime } from "./runtime.ts";
export { FrameTemps, frameTemps } from "./temps.ts";

/** The runtime's greeting, "Hello, Proto!", produced by native code. */
export function greeting(): string {
  return loadAddon().greeting();
}

/** libproto's version string, e.g. "0.1.0". */
export function nativeVersion(): string {
  return loadAddon().version();
}
