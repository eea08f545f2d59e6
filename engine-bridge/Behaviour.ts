// engine-bridge/Behaviour.ts — behaviour definitions: what an entity runs. A behaviour
// names the components its entities carry (their fields appear on `self`), parameters
// (attributes of the behaviour's Proto prototype; an entity may override some in its own
// object), hooks (init, prepare, update, commit, destroy) and may extend another
// behaviour, inheriting its components, parameters and hooks through the prototype chain.
//
// A definition is plain data plus functions, made in a module. Worker threads import the
// same module and find behaviours by name, so behaviours that run on the worker pool must
// be exported from (or extended by something exported from) a module the world loaded.
import type { ProtoObject, ProtoValue } from "../scripting/index.ts";
import { describe, toNative } from "../scripting/object.ts";
import { type ComponentDef, checkName, isComponentDef, type Schema, type Store } from "./Component.ts";

/** Parameters of a behaviour and their defaults: any value Proto holds. */
export type BehaviourParams = Readonly<Record<string, ProtoValue>>;

/** A parameter's type as scripts read it (literal types widened). */
export type ParamType<T> = T extends number
  ? number
  : T extends boolean
    ? boolean
    : T extends string
      ? string
      : T;

// biome-ignore lint/suspicious/noExplicitAny: the standard union-to-intersection idiom
type UnionToIntersection<U> = (U extends any ? (k: U) => void : never) extends (k: infer I) => void
  ? I
  : never;
type FieldsOfOne<C> = C extends ComponentDef<infer S> ? { -readonly [K in keyof S]: number } : never;

/** The fields of every component in `C`, as numbers (reads and writes go to the columns). */
export type Fields<C extends readonly ComponentDef[]> = UnionToIntersection<FieldsOfOne<C[number]>>;

/**
 * What hooks get as `self`: the entity id, its component fields (read/write, straight to
 * the typed arrays), its parameters (read-only: numbers from columns, other values
 * through the entity's Proto object) and that object.
 */
export type BehaviourSelf<
  C extends readonly ComponentDef[] = readonly ComponentDef[],
  P extends BehaviourParams = BehaviourParams,
> = Fields<C> & { readonly [K in keyof P]: ParamType<P[K]> } & {
  readonly eid: number;
  /** The entity's Proto object (its parent is the behaviour's prototype). */
  readonly object: ProtoObject;
};

/** Numeric parameters of `P` (the only ones a queued spawn can override). */
export type NumericParams<P> = { [K in keyof P as P[K] extends number ? K : never]: number };

/**
 * What ctx.spawn(behaviour) returns: the new entity's fields (initial values) and numeric
 * parameters (overrides), write-only. Writing `s.x = 1` adds the value to the queued spawn
 * as a number: a spawn written this way allocates nothing, where an `init` object literal
 * is a JS object per spawn. Write right after spawn(), before queueing another command.
 */
export type SpawnInit<
  C extends readonly ComponentDef[] = readonly ComponentDef[],
  P extends BehaviourParams = BehaviourParams,
> = Fields<C> & NumericParams<P>;

/** The entities running one behaviour, as a thread sees them this frame. */
export interface EntityList {
  /** Entity ids, ascending; only the first `count` are meaningful. */
  readonly ids: Int32Array;
  readonly count: number;
}

/**
 * What prepare, update and commit see of the frame and the world: the same interface on
 * the main thread and in every worker. Structural changes are queued and applied by the
 * main thread at frame end, in an order that does not depend on the thread split: an
 * entity spawned in frame N runs its first update in frame N + 1, whichever thread
 * spawned it.
 */
export interface BehaviourContext {
  /** Frame number (0 for the first step). */
  readonly frame: number;
  /** Seconds since the first step. */
  readonly time: number;
  /** This frame's step in seconds. */
  readonly dt: number;
  /** 0 on the main thread, k ≥ 1 in worker k. */
  readonly thread: number;
  /** Numbers the main thread publishes for every behaviour (BridgeWorld.globals), same memory. */
  readonly globals: Float64Array;
  /** One more than the highest entity id in use (bounds any scan over rows). */
  readonly maxEid: number;
  /** This thread's frame temporaries (scripting/temps.ts): per-frame data without V8 garbage. */
  readonly temps: import("../scripting/temps.ts").FrameTemps;
  /** A component's store in this thread (to read other entities' fields). */
  store<S extends Schema>(component: ComponentDef<S>): Store<S>;
  /** The entities running `behaviour` (all of them, not only this thread's share). */
  entities(behaviour: BehaviourDef | string): EntityList;
  /**
   * A handle of a live entity: its id and generation in one number. Keep handles, not
   * ids, to refer to an entity across frames: a handle of an entity that is gone fails
   * with a StaleEntityError instead of reaching the entity that reuses its id.
   */
  handle(eid: number): number;
  /** The live entity a handle refers to; StaleEntityError once it is gone. */
  resolve(handle: number): number;
  /**
   * Queues a new entity running `behaviour`, with initial field values and numeric
   * parameter overrides; it is created at frame end and first updated next frame.
   * Returns the spawn's writer (see SpawnInit).
   */
  spawn<C extends readonly ComponentDef[], P extends BehaviourParams>(
    behaviour: BehaviourDef<C, P>,
    init?: Partial<Fields<C>>,
    overrides?: Partial<NumericParams<P>>,
  ): SpawnInit<C, P>;
  /** Queues the removal of an entity, by id or handle (twice in one frame does nothing more). */
  despawn(entity: number): void;
  /** Queues adding a component (zeroed, then `init`) to an entity. */
  add<S extends Schema>(
    entity: number,
    component: ComponentDef<S>,
    init?: Partial<{ [K in keyof S]: number }>,
  ): void;
  /** Queues removing a component from an entity. */
  remove(entity: number, component: ComponentDef): void;
}

/** The hooks of a behaviour. Each is optional; a missing one is inherited from `extends`. */
export interface BehaviourHooks<C extends readonly ComponentDef[], P extends BehaviourParams> {
  /** Runs on the main thread when an entity starts running the behaviour (a throw undoes the spawn). */
  init?(self: BehaviourSelf<C, P>): void;
  /** Runs once per frame in each thread that runs the behaviour, before any update (build indexes here). */
  prepare?(ctx: BehaviourContext): void;
  /** Runs once per frame for every entity of the behaviour. */
  update?(self: BehaviourSelf<C, P>, dt: number, ctx: BehaviourContext): void;
  /**
   * Runs after every update of the frame has finished (in every thread), for each entity,
   * in the thread that updated it: compute into "next" fields in update(), make them
   * current here, and no hook ever reads a row another thread is writing.
   */
  commit?(self: BehaviourSelf<C, P>, dt: number, ctx: BehaviourContext): void;
  /** Runs on the main thread when the entity stops running the behaviour (despawn, detach). */
  destroy?(self: BehaviourSelf<C, P>): void;
}

/** The untyped hook set a world stores in its code table. */
export type AnyHooks = BehaviourHooks<readonly ComponentDef[], BehaviourParams>;

/** The hook names, in the order they are resolved. */
export const HOOKS = ["init", "prepare", "update", "commit", "destroy"] as const;

/** The declaration passed to defineBehaviour. */
export interface BehaviourSpec<
  C extends readonly ComponentDef[],
  P extends BehaviourParams,
  PC extends readonly ComponentDef[],
  PP extends BehaviourParams,
> extends BehaviourHooks<readonly [...PC, ...C], Omit<PP, keyof P> & P> {
  /** Unique within a world; identifies the behaviour across threads and reloads. */
  readonly name: string;
  /** A behaviour to extend: its components, parameters and hooks are inherited. */
  readonly extends?: BehaviourDef<PC, PP>;
  /** Components every entity carries (besides inherited ones); field names must not clash. */
  readonly uses?: C;
  /** Parameters and their defaults (new ones, or new defaults of inherited ones). */
  readonly params?: P;
  /**
   * Recycle entities (default false): when a frame's commands despawn one entity of this
   * behaviour and spawn another, the spawn reuses the despawned one — same id, components
   * kept and zeroed — without telling bitECS, whose bookkeeping of an add/remove pair
   * allocates. bitECS's onAdd/onRemove observers see neither. For short-lived entities.
   */
  readonly recycle?: boolean;
}

/** A behaviour (defineBehaviour). */
export interface BehaviourDef<
  C extends readonly ComponentDef[] = readonly ComponentDef[],
  P extends BehaviourParams = BehaviourParams,
> {
  /** @internal Brand, so a module's exports can be recognised. */
  readonly __bridge: "behaviour";
  readonly name: string;
  /** The behaviour it extends, or null. */
  readonly parent: BehaviourDef | null;
  /** Every component, inherited ones first. */
  readonly uses: C;
  /** Every parameter and its default, inherited ones first. */
  readonly params: P;
  /** The parameters this behaviour itself declares or re-defaults (its prototype's own). */
  readonly ownParams: BehaviourParams;
  /** Every field name of `uses`, in order, and the component that owns it. */
  readonly fields: readonly { readonly name: string; readonly component: string }[];
  /** The hooks this behaviour defines itself (inherited ones are resolved by the world). */
  readonly hooks: Readonly<AnyHooks>;
  readonly recycle: boolean;
}

/** Names `self` has besides fields and parameters. */
const SELF_NAMES = new Set(["eid", "object"]);

/** A value's kind for parameter checks: a number lives in a column, anything else in Proto. */
export function paramKind(value: unknown): string {
  return value === null
    ? "null"
    : typeof value === "object"
      ? describe(value).replace(/^an? /, "")
      : typeof value;
}

/**
 * Defines a behaviour. Field names across `uses` and parameter names must all be distinct
 * identifiers (not `eid` or `object`); an inherited parameter keeps its kind.
 */
export function defineBehaviour<
  const C extends readonly ComponentDef[] = readonly [],
  const P extends BehaviourParams = Record<never, never>,
  const PC extends readonly ComponentDef[] = readonly [],
  const PP extends BehaviourParams = Record<never, never>,
>(spec: BehaviourSpec<C, P, PC, PP>): BehaviourDef<readonly [...PC, ...C], Omit<PP, keyof P> & P> {
  if (typeof spec !== "object" || spec === null)
    throw new TypeError(`defineBehaviour(spec): expected a declaration object, got ${describe(spec)}`);
  // Own properties only: a hook inherited from a polluted Object.prototype is no hook.
  const own = (key: string): unknown => (Object.hasOwn(spec, key) ? (spec as never)[key] : undefined);
  const name = own("name");
  checkName(name, "defineBehaviour(spec): spec.name");
  const where = `behaviour '${name}'`;
  const parent = (own("extends") ?? null) as BehaviourDef | null;
  if (parent !== null && !isBehaviourDef(parent))
    throw new TypeError(
      `${where}: extends must be a behaviour made by defineBehaviour(), got ${describe(parent)}`,
    );
  const uses = own("uses") ?? [];
  if (!Array.isArray(uses))
    throw new TypeError(`${where}: uses must be an array of components, got ${describe(uses)}`);
  const params = own("params") ?? {};
  if (typeof params !== "object" || params === null || Array.isArray(params))
    throw new TypeError(`${where}: params must be an object, got ${describe(params)}`);
  const recycle = own("recycle") ?? parent?.recycle ?? false;
  if (typeof recycle !== "boolean")
    throw new TypeError(`${where}: recycle must be a boolean, got ${describe(recycle)}`);
  const hooks: Record<string, unknown> = Object.create(null);
  for (const hook of HOOKS) {
    const fn = own(hook);
    if (fn === undefined) continue;
    if (typeof fn !== "function")
      throw new TypeError(`${where}: ${hook} must be a function, got ${describe(fn)}`);
    hooks[hook] = fn;
  }

  const allUses: ComponentDef[] = [...(parent?.uses ?? [])];
  for (const component of uses as unknown[]) {
    if (!isComponentDef(component))
      throw new TypeError(
        `${where}: uses must list components made by defineComponent(), got ${describe(component)}`,
      );
    if (!allUses.some((c) => c.name === component.name)) allUses.push(component);
  }
  const owner = new Map<string, string>();
  const fields: { name: string; component: string }[] = [];
  for (const component of allUses)
    for (const field of Object.keys(component.schema)) {
      const other = owner.get(field);
      if (other !== undefined)
        throw new TypeError(`${where}: field '${field}' is in both '${other}' and '${component.name}'`);
      if (SELF_NAMES.has(field)) throw new TypeError(`${where}: field name '${field}' is reserved on self`);
      owner.set(field, component.name);
      fields.push({ name: field, component: component.name });
    }
  const inherited: BehaviourParams = parent?.params ?? {};
  const allParams: Record<string, ProtoValue> = { ...inherited };
  const ownParams: Record<string, ProtoValue> = {};
  for (const key of Object.keys(params)) {
    const value = (params as Record<string, unknown>)[key];
    checkName(key, `${where}: parameter name`);
    if (SELF_NAMES.has(key)) throw new TypeError(`${where}: parameter name '${key}' is reserved on self`);
    if (owner.has(key)) throw new TypeError(`${where}: '${key}' is both a field and a parameter`);
    toNative(value, `defineBehaviour(spec)`, `${where}: parameter '${key}'`);
    const before = Object.hasOwn(inherited, key) ? inherited[key] : undefined;
    if (before !== undefined && before !== null && paramKind(before) !== paramKind(value))
      throw new TypeError(
        `${where}: parameter '${key}' is a ${paramKind(before)} in '${parent?.name}', got ${describe(value)}`,
      );
    allParams[key] = value as ProtoValue;
    ownParams[key] = value as ProtoValue;
  }
  return Object.freeze({
    __bridge: "behaviour",
    name: name as string,
    parent,
    uses: Object.freeze(allUses),
    params: Object.freeze(allParams),
    ownParams: Object.freeze(ownParams),
    fields: Object.freeze(fields),
    hooks: Object.freeze(hooks),
    recycle,
  }) as unknown as BehaviourDef<readonly [...PC, ...C], Omit<PP, keyof P> & P>;
}

/** @internal True for a BehaviourDef. */
export function isBehaviourDef(value: unknown): value is BehaviourDef {
  return (
    typeof value === "object" && value !== null && (value as { __bridge?: unknown }).__bridge === "behaviour"
  );
}

/** @internal The names of a definition's numeric parameters, in declaration order. */
export function numericParams(def: BehaviourDef): string[] {
  return Object.keys(def.params).filter((p) => typeof def.params[p] === "number");
}
