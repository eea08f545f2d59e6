// engine-bridge/Script.ts — behaviour scripts: what an entity runs every frame. A script
// names the components its entities carry (their fields appear on `self`), numeric
// parameters (immutable attributes of the script's Proto prototype object; an entity may
// override some in its own object), an optional per-thread prepare hook and update().
//
// A script is plain data plus functions, defined in a module. Worker threads import the
// same module and find the script by name, so scripts that run on the worker pool must
// be exported from a module the world loaded (BridgeWorld.loadScripts).
import type { FrameTemps } from "../scripting/temps.ts";
import { type ComponentDef, isIdentifier, type Schema, type Store } from "./Component.ts";

/** Numeric parameters of a script and their defaults. */
export type ScriptParams = Readonly<Record<string, number>>;

// biome-ignore lint/suspicious/noExplicitAny: the standard union-to-intersection idiom
type UnionToIntersection<U> = (U extends any ? (k: U) => void : never) extends (k: infer I) => void
  ? I
  : never;
type FieldsOfOne<C> = C extends ComponentDef<infer S> ? { -readonly [K in keyof S]: number } : never;

/** The fields of every component in `C`, as numbers (reads and writes go to the columns). */
export type Fields<C extends readonly ComponentDef[]> = UnionToIntersection<FieldsOfOne<C[number]>>;

/**
 * What update() gets as `self`: the entity id, its component fields (read/write, straight
 * to the typed arrays) and its parameters (read-only, resolved once through Proto).
 */
export type ScriptSelf<
  C extends readonly ComponentDef[] = readonly ComponentDef[],
  P extends ScriptParams = ScriptParams,
> = Fields<C> & { readonly [K in keyof P]: number } & { readonly eid: number };

/**
 * What ctx.spawn(script) returns: the new entity's fields (initial values) and parameters
 * (overrides), write-only. Writing `s.x = 1` adds the value to the queued spawn as a
 * number: a spawn written this way allocates nothing, where an `init` object literal is
 * a JS object per spawn. Write right after spawn(), before queueing another command; the
 * object is reused by the next spawn of the same script.
 */
export type SpawnInit<
  C extends readonly ComponentDef[] = readonly ComponentDef[],
  P extends ScriptParams = ScriptParams,
> = Fields<C> & { -readonly [K in keyof P]: number };

/** The entities running one script, as a thread sees them this frame. */
export interface EntityList {
  /** Entity ids, ascending; only the first `count` are meaningful. */
  readonly ids: Int32Array;
  readonly count: number;
}

/**
 * What scripts see of the frame and the world. The same interface on the main thread and
 * in every worker; structural changes are queued and applied by the main thread at frame
 * end, in an order that does not depend on how entities were split across threads.
 */
export interface ScriptContext {
  /** Frame number (0 for the first step). */
  readonly frame: number;
  /** Seconds since the first step. */
  readonly time: number;
  /** This frame's step in seconds. */
  readonly dt: number;
  /** 0 on the main thread, k ≥ 1 in worker k. */
  readonly thread: number;
  /** Numbers the main thread publishes for every script (BridgeWorld.globals), same memory. */
  readonly globals: Float64Array;
  /** One more than the highest entity id in use (bounds any scan over rows). */
  readonly maxEid: number;
  /**
   * This thread's frame temporaries: vectors, event records and labels made in Proto's heap
   * and held through integer handles until the frame ends — the way to make per-frame data
   * without making V8 garbage (scripting/temps.ts).
   */
  readonly temps: FrameTemps;
  /** A component's store in this thread (to read other entities' fields). */
  store<S extends Schema>(component: ComponentDef<S>): Store<S>;
  /** The entities running `script` (all of them, not only this thread's share). */
  entities(script: ScriptDef | string): EntityList;
  /**
   * Queues a new entity with `script`'s components, initial field values and parameter
   * overrides. Returns the spawn's writer: set fields and parameters on it instead of
   * passing objects, and the spawn allocates nothing (see SpawnInit).
   */
  spawn<C extends readonly ComponentDef[], P extends ScriptParams>(
    script: ScriptDef<C, P>,
    init?: Partial<Fields<C>>,
    overrides?: Partial<{ [K in keyof P]: number }>,
  ): SpawnInit<C, P>;
  /** Queues the removal of an entity (removing it twice in one frame is allowed and does nothing more). */
  despawn(eid: number): void;
  /** Queues adding a component (zeroed, then `init`) to an entity. */
  add<S extends Schema>(
    eid: number,
    component: ComponentDef<S>,
    init?: Partial<{ [K in keyof S]: number }>,
  ): void;
  /** Queues removing a component from an entity. */
  remove(eid: number, component: ComponentDef): void;
}

/** The declaration passed to defineScript. */
export interface ScriptSpec<C extends readonly ComponentDef[], P extends ScriptParams> {
  /** Unique within a world; identifies the script across threads and reloads. */
  readonly name: string;
  /** Components every entity of this script carries; their field names must not clash. */
  readonly uses: C;
  /** Numeric parameters and their defaults (the prototype's attributes). */
  readonly params?: P;
  /** Runs once per frame in each thread that runs this script, before any update (build indexes here). */
  prepare?(ctx: ScriptContext): void;
  /** Runs once per frame for every entity of this script. */
  update(self: ScriptSelf<C, P>, dt: number, ctx: ScriptContext): void;
  /**
   * Runs after every update of the frame has finished (in every thread), for each entity,
   * in the thread that updated it. Two-phase updates: compute into "next" fields in
   * update() while reading others' current fields, then make next current here — no script
   * ever reads a row another thread is writing.
   */
  commit?(self: ScriptSelf<C, P>, dt: number, ctx: ScriptContext): void;
  /**
   * Recycle entities of this script (default false): when a frame's commands despawn one of
   * its entities and spawn one of the same script, the spawn reuses the despawned entity —
   * same id, its components kept and zeroed — without telling bitECS, whose bookkeeping of
   * an entity added and removed allocates (about 2.6 KB a pair in bitECS 0.4). bitECS's
   * onAdd/onRemove observers see neither. An entity that carries components beyond the
   * script's `uses` is never recycled. For short-lived entities such as bullets.
   */
  readonly recycle?: boolean;
}

/** A behaviour script (defineScript). */
export interface ScriptDef<
  C extends readonly ComponentDef[] = readonly ComponentDef[],
  P extends ScriptParams = ScriptParams,
> extends ScriptSpec<C, P> {
  /** @internal Brand, so a module's exports can be recognised. */
  readonly __bridge: "script";
  readonly params: P;
  /** Every field name of `uses`, in order, and the component that owns it. */
  readonly fields: readonly { readonly name: string; readonly component: string }[];
}

/**
 * Defines a behaviour script. Field names across `uses` and parameter names must all be
 * distinct identifiers (and not `eid`).
 */
export function defineScript<
  const C extends readonly ComponentDef[],
  const P extends ScriptParams = Record<never, number>,
>(spec: ScriptSpec<C, P>): ScriptDef<C, P> {
  if (typeof spec !== "object" || spec === null)
    throw new TypeError("defineScript() expects a script declaration object");
  // Own properties only: a hook inherited from a polluted Object.prototype is no hook.
  const own = (key: string): unknown => (Object.hasOwn(spec, key) ? (spec as never)[key] : undefined);
  const name = own("name") as string;
  const uses = own("uses") as C;
  const update = own("update") as ScriptSpec<C, P>["update"];
  const prepare = own("prepare") as ScriptSpec<C, P>["prepare"];
  const commit = own("commit") as ScriptSpec<C, P>["commit"];
  const params = (own("params") ?? {}) as P;
  const recycle = own("recycle") ?? false;
  if (typeof recycle !== "boolean")
    throw new TypeError(`script '${String(name)}': recycle must be a boolean`);
  if (!isIdentifier(name))
    throw new TypeError(`a script name must be an identifier, got ${JSON.stringify(name)}`);
  if (!Array.isArray(uses)) throw new TypeError(`script '${name}': uses must be an array of components`);
  if (typeof update !== "function") throw new TypeError(`script '${name}': update must be a function`);
  if (commit !== undefined && typeof commit !== "function")
    throw new TypeError(`script '${name}': commit must be a function when given`);
  if (prepare !== undefined && typeof prepare !== "function")
    throw new TypeError(`script '${name}': prepare must be a function when given`);
  const seen = new Map<string, string>();
  const fields: { name: string; component: string }[] = [];
  for (const component of uses as readonly ComponentDef[]) {
    if (typeof component !== "object" || component === null || component.__bridge !== "component")
      throw new TypeError(`script '${name}': uses must list components made by defineComponent()`);
    for (const field of Object.keys(component.schema)) {
      const owner = seen.get(field);
      if (owner !== undefined)
        throw new TypeError(
          `script '${name}': field '${field}' is in both '${owner}' and '${component.name}'`,
        );
      seen.set(field, component.name);
      fields.push({ name: field, component: component.name });
    }
  }
  for (const [param, value] of Object.entries(params)) {
    if (!isIdentifier(param) || param === "eid")
      throw new TypeError(`script '${name}': parameter name ${JSON.stringify(param)} is not allowed`);
    if (seen.has(param)) throw new TypeError(`script '${name}': '${param}' is both a field and a parameter`);
    if (typeof value !== "number")
      throw new TypeError(`script '${name}': parameter '${param}' must be a number`);
  }
  // prepare and commit are own properties even when absent, so that reading them never
  // reaches Object.prototype.
  return Object.freeze({
    ...spec,
    __bridge: "script",
    name,
    uses,
    update,
    prepare,
    commit,
    recycle,
    params: Object.freeze({ ...params }),
    fields,
  });
}

/** @internal True for a ScriptDef. */
export function isScriptDef(value: unknown): value is ScriptDef {
  return (
    typeof value === "object" && value !== null && (value as { __bridge?: unknown }).__bridge === "script"
  );
}

/**
 * A deterministic pseudo-random number in [0, 1) from up to three integers (for example
 * entity id, frame and a stream number). Scripts that use it instead of Math.random give
 * the same results on any number of threads.
 */
export function hashRandom(a: number, b = 0, c = 0): number {
  let h =
    Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^
    Math.imul(b + 0x7f4a7c15, 0xc2b2ae35) ^
    Math.imul(c + 0x165667b1, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}
