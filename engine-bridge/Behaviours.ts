// engine-bridge/Behaviours.ts — a world's behaviours: for each, its Proto prototype (parent:
// the prototype of the behaviour it extends), its parameter columns and its code.
//
// The prototype holds `__behaviour` (the name), and in cells: `__code`, the id of the
// behaviour's current hooks in the world's code table, and every parameter it declares,
// so that a new default (live tuning, or a reload) is one cell write that every entity
// object sees through delegation. Each thread keeps its own code table (id → hooks) and
// reads the `__code` cells once a frame (BehaviourRunner.refreshCode): that is how a hot
// reload reaches the main thread and every worker in the same frame.
import { randomUUID } from "node:crypto";
import type { ProtoObject, ProtoValue } from "../scripting/index.ts";
import { describe } from "../scripting/object.ts";
import { type AnyHooks, type BehaviourDef, isBehaviourDef, numericParams, paramKind } from "./Behaviour.ts";
import type { Store } from "./Component.ts";
import type { Stores } from "./Stores.ts";

/** @internal One behaviour in one world. */
export interface BehaviourEntry {
  readonly id: number;
  def: BehaviourDef;
  /** The module it came from (current reload URL), or undefined for main-thread-only ones. */
  module: string | undefined;
  readonly parent: BehaviourEntry | undefined;
  readonly prototype: ProtoObject;
  readonly prototypeToken: number;
  /** Its prototype, then its ancestors'. */
  readonly chain: readonly ProtoObject[];
  codeId: number;
  /** Numeric parameter names, in numericParams(def) order; their values live in `params`. */
  readonly numeric: readonly string[];
  /** The numeric parameters' defaults, as read through the prototype. */
  readonly defaults: number[];
  readonly params: readonly Float64Array[];
  readonly paramTokens: readonly number[];
  /** The bitECS tag component of this behaviour's entities. */
  readonly tag: object;
  /** The stores of its components, in `uses` order. */
  readonly stores: readonly Store[];
  /** The field arrays in `def.fields` order (a spawn's value key k < fields is the k-th). */
  readonly fieldArrays: readonly Float64Array[];
  /** Per entity and numeric parameter: 1 where the entity overrides it (row eid × numeric + j). */
  readonly overridden: Uint8Array;
  /** Per entity: its overrides of parameters that are not numbers. */
  readonly valueOverrides: Map<number, Record<string, ProtoValue>>;
  /** Live entities running it. */
  count: number;
  /** Entities despawned this frame and kept for a spawn of this behaviour to reuse (recycle). */
  parked: Int32Array | undefined;
  parkedCount: number;
}

// Hot reload imports the module again under a URL nothing in this process imported
// before: a module is cached per URL for the life of the process (and of each worker), so
// a counter per world would hand a second world the first world's `?reload=1`, that is,
// stale code. The counter is process-wide, and the random token keeps two copies of this
// module (loaded under two URLs) from ever making the same URL.
const RELOAD_TOKEN = randomUUID().slice(0, 8);
let reloadCount = 0;

/** @internal A fresh reload URL for module `base`. */
export function reloadUrl(base: string): string {
  return `${base}${base.includes("?") ? "&" : "?"}reload=${RELOAD_TOKEN}-${++reloadCount}`;
}

/** @internal A module URL without the reload parameter this file adds. */
export function withoutReload(url: string): string {
  return url.replace(/([?&])reload=[^&#]*&?/, "$1").replace(/[?&](#|$)/, "$1");
}

/** @internal The behaviours of one world and its code table. */
export class Behaviours {
  readonly byName = new Map<string, BehaviourEntry>();
  readonly list: BehaviourEntry[] = [];
  /** This thread's code table: code id → hooks. */
  readonly code = new Map<number, AnyHooks>();
  #nextCode = 1;
  readonly #stores: Stores;

  /** Behaviours over `stores` (their runtime, world and capacity). */
  constructor(stores: Stores) {
    this.#stores = stores;
  }

  /** The entry of behaviour `id` (1-based), if any. */
  byId(id: number): BehaviourEntry | undefined {
    return this.list[id - 1];
  }

  /** The entry of a behaviour or name (TypeError naming `where` if it is not loaded). */
  entry(behaviour: unknown, where: string): BehaviourEntry {
    if (typeof behaviour !== "string" && !isBehaviourDef(behaviour))
      throw new TypeError(
        `${where}: expected a behaviour made by defineBehaviour() (or its name), got ${describe(behaviour)}`,
      );
    const name = typeof behaviour === "string" ? behaviour : behaviour.name;
    const entry = this.byName.get(name);
    if (entry === undefined) throw new TypeError(`${where}: behaviour '${name}' is not loaded in this world`);
    return entry;
  }

  /** Registers `def` (and, first, the behaviours it extends that are not registered yet). */
  add(def: BehaviourDef, module: string | undefined): BehaviourEntry {
    if (this.byName.has(def.name))
      throw new TypeError(`a behaviour named '${def.name}' is in this world already`);
    const parent =
      def.parent === null ? undefined : (this.byName.get(def.parent.name) ?? this.add(def.parent, module));
    const stores = def.uses.map((c) => this.#stores.store(c));
    const codeId = this.#register(def.hooks);
    const attributes = { __behaviour: def.name };
    const mutable = { __code: codeId, ...def.ownParams };
    const prototype =
      parent === undefined
        ? this.#stores.runtime.object(attributes, { mutable })
        : parent.prototype.extend(attributes, { mutable });
    const numeric = numericParams(def);
    const params = numeric.map(() => this.#stores.runtime.column("f64", this.#stores.capacity + 1));
    const entry: BehaviourEntry = {
      id: this.list.length + 1,
      def,
      module,
      parent,
      prototype,
      prototypeToken: prototype.share(),
      chain: [prototype, ...(parent?.chain ?? [])],
      codeId,
      numeric,
      defaults: numeric.map((p) => prototype.get(p) as number),
      params,
      paramTokens: params.map((c) => this.#stores.runtime.shareColumn(c)),
      tag: {},
      stores,
      fieldArrays: def.fields.map(
        (f) =>
          (this.#stores.byName.get(f.component) as unknown as Record<string, Float64Array>)[
            f.name
          ] as Float64Array,
      ),
      overridden: new Uint8Array((this.#stores.capacity + 1) * numeric.length),
      valueOverrides: new Map(),
      count: 0,
      parked: undefined,
      parkedCount: 0,
    };
    this.byName.set(def.name, entry);
    this.list.push(entry);
    return entry;
  }

  /**
   * Replaces the code of the behaviours `defs` name (hot reload): each gets a new code id in
   * its `__code` cell, and new defaults in its parameter cells. Returns the entries whose
   * defaults changed. Components, parameter names and kinds, and `extends` may not change.
   */
  reload(defs: readonly BehaviourDef[], module: string): BehaviourEntry[] {
    for (const def of defs) {
      const entry = this.byName.get(def.name);
      if (entry === undefined) throw new TypeError(`reload: behaviour '${def.name}' was not loaded before`);
      const shape = (d: BehaviourDef) =>
        JSON.stringify([
          d.fields,
          d.parent?.name,
          Object.entries(d.params).map(([k, v]) => [k, paramKind(v)]),
        ]);
      if (shape(entry.def) !== shape(def))
        throw new TypeError(
          `reload: behaviour '${def.name}' changed its components, parameters or parent; only code and defaults can change live`,
        );
    }
    const retuned: BehaviourEntry[] = [];
    for (const def of defs) {
      const entry = this.byName.get(def.name) as BehaviourEntry;
      const old = entry.codeId;
      entry.codeId = this.#register(def.hooks);
      entry.prototype.set("__code", entry.codeId);
      this.code.delete(old);
      for (const [name, value] of Object.entries(def.ownParams))
        if (entry.def.ownParams[name] !== value) {
          entry.prototype.set(name, value);
          if (!retuned.includes(entry)) retuned.push(entry);
        }
      entry.def = def;
      entry.module = module;
    }
    return retuned;
  }

  /** The entries whose chain includes `entry` (itself first). */
  descendants(entry: BehaviourEntry): BehaviourEntry[] {
    return this.list.filter((e) => e.chain.includes(entry.prototype));
  }

  /** Reads the numeric defaults of `entry` again through its prototype (after a cell changed). */
  refreshDefaults(entry: BehaviourEntry): void {
    for (let j = 0; j < entry.numeric.length; j++)
      entry.defaults[j] = entry.prototype.get(entry.numeric[j] as string) as number;
  }

  #register(hooks: AnyHooks): number {
    const id = this.#nextCode++;
    this.code.set(id, hooks);
    return id;
  }
}
