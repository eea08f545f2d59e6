// engine-bridge/values.ts — what callers give for fields and parameters, checked: own
// enumerable keys only (nothing inherited, no key ever written into an object by name, so a
// `{"__proto__": 7}` from JSON.parse is an unknown name, not a prototype write), known names,
// numbers for fields, and for a parameter a value of its default's kind.
import type { ProtoValue } from "../scripting/index.ts";
import { describe, toNative } from "../scripting/object.ts";
import { type BehaviourDef, paramKind } from "./Behaviour.ts";
import type { BehaviourEntry } from "./Behaviours.ts";

/** @internal */
export function checkKind(
  def: BehaviourDef,
  name: string,
  value: unknown,
  where: string,
  what: string,
): void {
  const before = def.params[name];
  if (
    typeof before === "number"
      ? typeof value !== "number"
      : before !== null && paramKind(before) !== paramKind(value)
  )
    throw new TypeError(
      `${where}: parameter '${name}' of '${def.name}' is a ${paramKind(before)}, got ${describe(value)}`,
    );
  toNative(value, where, what);
}

/**
 * @internal Overrides a caller gives: own keys only, each a parameter of the behaviour,
 * of its default's kind. Returns the numeric ones as [index in entry.numeric, value] and
 * the others as a fresh object.
 */
export function checkOverrides(
  entry: BehaviourEntry,
  overrides: unknown,
  where: string,
): [[number, number][], Record<string, ProtoValue>] {
  const numeric: [number, number][] = [];
  const values: Record<string, ProtoValue> = {};
  if (overrides === undefined) return [numeric, values];
  if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides))
    throw new TypeError(
      `${where}: expected overrides to be an object of parameter values, got ${describe(overrides)}`,
    );
  const def = entry.def;
  for (const key of Object.keys(overrides)) {
    if (!Object.hasOwn(def.params, key))
      throw new TypeError(`${where}: behaviour '${def.name}' has no parameter ${JSON.stringify(key)}`);
    const value = (overrides as Record<string, unknown>)[key];
    checkKind(def, key, value, where, `overrides.${key}`);
    const j = entry.numeric.indexOf(key);
    if (j >= 0) numeric.push([j, value as number]);
    else values[key] = value as ProtoValue;
  }
  return [numeric, values];
}

/**
 * @internal The values a caller gives for named fields: own enumerable keys only, each a
 * known name with a number value, else a TypeError naming `where`. Inherited keys are never
 * read and no key is written to an object by name, so `{"__proto__": 7}` (from JSON.parse)
 * is an unknown field, not a prototype write.
 */
export function fieldValues(
  values: unknown,
  known: (key: string) => boolean,
  where: string,
  what: string,
  owner: string,
  kind: string,
): [string, number][] {
  if (values === undefined) return [];
  if (typeof values !== "object" || values === null || Array.isArray(values))
    throw new TypeError(
      `${where}: expected ${what} to be an object of ${kind} values, got ${describe(values)}`,
    );
  const out: [string, number][] = [];
  for (const key of Object.keys(values)) {
    if (!known(key)) throw new TypeError(`${where}: ${owner} has no ${kind} ${JSON.stringify(key)}`);
    const value = (values as Record<string, unknown>)[key];
    if (typeof value !== "number")
      throw new TypeError(`${where}: expected ${what}.${key} to be a number, got ${describe(value)}`);
    out.push([key, value]);
  }
  return out;
}
