// scripting/index.ts — the public surface of Proto's TypeScript scripting layer:
// the Runtime, prototype objects, numeric columns, behaviours and their entities.
// Every export is named here; see docs/scripting.md for the guide.
import { loadAddon } from "./native.ts";

export type {
  BehaviourDefinition,
  BehaviourFrame,
  BehaviourMethods,
  Columns,
  Params,
  ParamValues,
  Self,
  SelfBase,
  StateSpec,
  StateValues,
  Widen,
} from "./behaviour.ts";
export { Behaviour, Entity } from "./behaviour.ts";
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
