// engine-bridge/BridgeWorld.ts — a bitECS world whose components live in Proto's
// mutability table, and the lifecycle that binds entities to Proto objects.
//
// Capacity is FIXED at creation: every column is allocated once with `capacity + 1` rows
// (bitECS entity ids start at 1 and are recycled, so with at most `capacity` live entities
// every id is ≤ capacity). Views therefore never move and stay valid for the world's
// whole life — in this thread and in every worker that opened them. Spawning past the
// capacity throws CapacityError (a RangeError); nothing is half-done.
//
// Entity ↔ object: attaching a script creates the entity's Proto object, whose parent is
// the script's prototype (its parameter defaults) and whose own attributes are the
// entity's id and parameter overrides. The world keeps the object alive with a share
// token (a native root that does not depend on V8's GC); removing the entity — through
// the bridge or bitECS's own removeEntity — drops the token, so the object becomes
// collectable, and bitECS recycles the id, so the rows are reused.

import { randomUUID } from "node:crypto";
import {
  addComponent,
  addEntity,
  createEntityIndex,
  createWorld,
  entityExists,
  hasComponent,
  observe,
  onAdd,
  onRemove,
  removeComponent,
  removeEntity,
  type World,
} from "bitecs";
import { loadAddon, type ProtoObject, Runtime, type RuntimeOptions } from "../scripting/index.ts";
import { describe } from "../scripting/object.ts";
import {
  CommandBuffer,
  CommandMerge,
  mergedBuffer,
  mergedCommand,
  Op,
  OUTSIDE_UPDATE,
} from "./CommandBuffer.ts";
import { type ComponentDef, type FieldType, isComponentDef, type Schema, type Store } from "./Component.ts";
import { CapacityError, CommandError, checkEntityId, DeadEntityError } from "./errors.ts";
import { isScriptDef, type ScriptDef, type ScriptParams } from "./Script.ts";
import { type RunnerScript, ScriptRunner } from "./ScriptRunner.ts";

/** Options of a BridgeWorld. */
export interface BridgeWorldOptions {
  /** Maximum number of live entities (fixed; 1 … 2^24). */
  readonly capacity: number;
  /** Proto GC pause budget per frame in ms (process-wide; default: the runtime's, 0.5). */
  readonly gcBudgetMs?: number;
  /** Length of the `globals` column (default 64). */
  readonly globals?: number;
  /**
   * Options of the process runtime, used if this world's Runtime is the first of the
   * process (see scripting's RuntimeOptions; later worlds must not ask for other values).
   */
  readonly runtime?: RuntimeOptions;
}

/** @internal How a thread opens one field's column. */
export interface FieldLayout {
  readonly name: string;
  readonly type: FieldType;
  readonly token: number;
}

/** @internal Everything a worker needs to open the world's columns and load its scripts. */
export interface WorldLayout {
  readonly version: number;
  readonly capacity: number;
  readonly components: readonly { readonly name: string; readonly fields: readonly FieldLayout[] }[];
  readonly scripts: readonly {
    readonly name: string;
    readonly id: number;
    readonly paramTokens: readonly number[];
  }[];
  /** Module URLs (with their reload query) that define the scripts. */
  readonly modules: readonly string[];
  readonly scriptIdsToken: number;
  readonly globalsToken: number;
}

interface ComponentEntry {
  readonly def: ComponentDef;
  readonly store: Store;
  readonly fields: readonly FieldLayout[];
  /** The field arrays in schema order (an add command's value key k is the k-th). */
  readonly arrays: readonly Float64Array[];
}

interface ScriptEntry {
  readonly id: number;
  def: ScriptDef;
  /** The module it came from (current reload URL), or undefined for main-thread-only scripts. */
  module: string | undefined;
  prototype: ProtoObject;
  readonly paramNames: readonly string[];
  readonly paramIds: readonly number[];
  /** The prototype's parameter values, resolved once through Proto. */
  defaults: readonly number[];
  readonly params: readonly Float64Array[];
  readonly paramTokens: readonly number[];
  /** The bitECS tag component of this script's entities. */
  readonly tag: object;
  /** The stores of its components, in `uses` order. */
  readonly stores: readonly Store[];
  /** The field arrays in `def.fields` order (a spawn's value key k < fields is the k-th). */
  readonly fieldArrays: readonly Float64Array[];
  /** Per entity and parameter: 1 where the entity overrides it (row eid × params + j). */
  readonly overridden: Uint8Array;
  /** Live entities running it. */
  count: number;
  /** Entities despawned this frame and kept for a spawn of this script to reuse (recycle). */
  parked: Int32Array | undefined;
  parkedCount: number;
}

const MAX_CAPACITY = 2 ** 24;

// Hot reload imports the module again under a URL nothing in this process imported
// before: a module is cached per URL for the life of the process (and of each worker), so
// a counter per world would hand a second world the first world's `?reload=1`, that is,
// stale code. The counter is process-wide (this module's), and the random token keeps two
// copies of this module (loaded under two URLs) from ever making the same URL.
const RELOAD_TOKEN = randomUUID().slice(0, 8);
let reloadCount = 0;

/** @internal A fresh reload URL for module `base`. */
function reloadUrl(base: string): string {
  return `${base}${base.includes("?") ? "&" : "?"}reload=${RELOAD_TOKEN}-${++reloadCount}`;
}

/** @internal A module URL without the reload parameter this file adds. */
function withoutReload(url: string): string {
  return url.replace(/([?&])reload=[^&#]*&?/, "$1").replace(/[?&](#|$)/, "$1");
}

type EntityIndex = ReturnType<typeof createEntityIndex>;

/** @internal A type-erased view of a store for row-wise writes. */
type Rows = Record<string, Float64Array>;

/**
 * A bitECS world over Proto columns, with scripted entities. Structural changes during a
 * frame go through command buffers (see FrameDriver); outside a frame, call spawn(),
 * despawn(), attach()… directly.
 */
export class BridgeWorld {
  /** The bitECS world: use it with bitECS's own query, addComponent, removeEntity, observe. */
  readonly ecs: World;
  /** Maximum number of live entities (fixed). */
  readonly capacity: number;
  /** The scripting runtime (process-wide Proto runtime, attached to this thread). */
  readonly runtime: Runtime;
  /** Numbers every script reads as ctx.globals (a Proto column, shared with workers). */
  readonly globals: Float64Array;
  /** Commands for systems and the host to queue during a frame; applied at frame end. */
  readonly commands: Pick<ScriptRunner, "spawn" | "despawn" | "add" | "remove">;

  /** @internal The main thread's script runner. */
  readonly runner: ScriptRunner;
  /** @internal Script id per row (0: no script). */
  readonly scriptIds: Uint32Array;

  readonly #index: EntityIndex;
  readonly #components = new Map<string, ComponentEntry>();
  readonly #stores = new Map<string, Store>();
  readonly #scripts = new Map<string, ScriptEntry>();
  readonly #scriptsById: ScriptEntry[] = [];
  readonly #tokens: Float64Array;
  readonly #componentList: ComponentEntry[] = [];
  readonly #modules: string[] = [];
  // Applying commands and making entity objects allocates nothing: the merge order, the
  // despawns of this frame (a stamp per row), the names and values of a new object, and
  // a buffer direct calls encode their values into.
  readonly #merge = new CommandMerge();
  readonly #applying: CommandBuffer[] = [];
  readonly #despawnStamp: Uint32Array;
  #stamp = 0;
  #names = new Float64Array(16);
  #values = new Float64Array(16);
  readonly #eidSymbol: number;
  readonly #direct = new CommandBuffer();
  readonly #systemBuffer: CommandBuffer;
  readonly #queue: ScriptRunner;
  readonly #scriptIdsToken: number;
  readonly #globalsToken: number;
  #layoutVersion = 1;

  constructor(options: BridgeWorldOptions) {
    if (typeof options !== "object" || options === null)
      throw new TypeError(
        `new BridgeWorld(options): expected options to be an object, got ${describe(options)}`,
      );
    const { capacity, globals = 64 } = options;
    if (typeof capacity !== "number")
      throw new TypeError(
        `new BridgeWorld(options): expected options.capacity to be a number, got ${describe(capacity)}`,
      );
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY)
      throw new RangeError(
        `new BridgeWorld(options): expected options.capacity to be a whole number in [1, ${MAX_CAPACITY}], got ${capacity}`,
      );
    if (typeof globals !== "number")
      throw new TypeError(
        `new BridgeWorld(options): expected options.globals to be a number, got ${describe(globals)}`,
      );
    if (!Number.isInteger(globals) || globals < 1 || globals > 2 ** 20)
      throw new RangeError(
        `new BridgeWorld(options): expected options.globals to be a whole number in [1, ${2 ** 20}], got ${globals}`,
      );
    this.capacity = capacity;
    this.runtime = new Runtime({
      ...options.runtime,
      ...(options.gcBudgetMs === undefined ? {} : { gcBudgetMs: options.gcBudgetMs }),
    });
    this.#index = createEntityIndex();
    this.ecs = createWorld(this.#index);
    this.scriptIds = this.runtime.column("u32", capacity + 1);
    this.#scriptIdsToken = this.runtime.shareColumn(this.scriptIds);
    this.globals = this.runtime.column("f64", globals);
    this.#globalsToken = this.runtime.shareColumn(this.globals);
    this.#tokens = new Float64Array(capacity + 1);
    this.#despawnStamp = new Uint32Array(capacity + 1);
    this.#eidSymbol = loadAddon().symbols.intern("__eid");
    this.runner = new ScriptRunner(0, this.#stores, this.scriptIds, this.globals);
    // Systems and the host queue through a second runner whose issuer sorts after every
    // entity, so their commands apply after the scripts' ones.
    this.#queue = new ScriptRunner(0, this.#stores, this.scriptIds, this.globals);
    this.#systemBuffer = this.#queue.buffer;
    this.#systemBuffer.issuer = OUTSIDE_UPDATE + 1;
    this.commands = this.#queue;
  }

  /** Number of live entities. */
  get entityCount(): number {
    return this.#index.aliveCount;
  }

  /** One more than the highest entity id ever used (bounds a scan over rows). */
  get maxEid(): number {
    return this.#index.maxId + 1;
  }

  /** True if `eid` is a live entity. */
  alive(eid: number): boolean {
    return Number.isInteger(eid) && eid > 0 && eid <= this.capacity && entityExists(this.ecs, eid);
  }

  // ---- components -------------------------------------------------------------------

  /**
   * The store of a component: typed arrays over Proto columns, indexed by entity id. It is
   * the bitECS component (pass it to addComponent, query…). Registers the component on
   * first use; two different definitions may not share a name.
   */
  store<S extends Schema>(component: ComponentDef<S>): Store<S> {
    if (!isComponentDef(component))
      throw new TypeError(
        `store(component): expected a component made by defineComponent(), got ${describe(component)}`,
      );
    const known = this.#components.get(component.name);
    if (known !== undefined) {
      if (known.def !== component && JSON.stringify(known.def.schema) !== JSON.stringify(component.schema))
        throw new TypeError(
          `another component named '${component.name}' with a different schema is in this world`,
        );
      return known.store as Store<S>;
    }
    const store: Record<string, Float64Array> = {};
    const fields: FieldLayout[] = [];
    for (const [name, type] of Object.entries(component.schema)) {
      const column = this.runtime.column(type, this.capacity + 1);
      store[name] = column as Float64Array;
      fields.push({ name, type, token: this.runtime.shareColumn(column) });
    }
    const frozen = Object.freeze(store) as unknown as Store<S>;
    const entry: ComponentEntry = { def: component, store: frozen, fields, arrays: Object.values(store) };
    this.#components.set(component.name, entry);
    this.#componentList.push(entry);
    this.#stores.set(component.name, frozen);
    this.#layoutVersion++;
    // Every component starts zeroed (rows are recycled), and raw bitECS use past the
    // capacity is caught here rather than writing outside the columns.
    const capacity = this.capacity;
    const rows = Object.values(store);
    observe(this.ecs, onAdd(frozen), (eid: number) => {
      if (eid > capacity) throw new CapacityError(capacity, `adding '${component.name}' to entity ${eid}`);
      for (const column of rows) column[eid] = 0;
    });
    return frozen;
  }

  // ---- scripts ----------------------------------------------------------------------

  /**
   * Imports a module and registers every script (and component) it exports. Scripts
   * loaded this way can run on the worker pool: workers import the same module.
   */
  async loadScripts(module: string | URL): Promise<ScriptDef[]> {
    const url = String(module);
    const exports = (await import(url)) as Record<string, unknown>;
    const defs: ScriptDef[] = [];
    for (const value of Object.values(exports)) {
      if (isComponentDef(value)) this.store(value);
      if (isScriptDef(value)) defs.push(value);
    }
    for (const def of defs) this.addScript(def, url);
    if (!this.#modules.includes(url)) this.#modules.push(url);
    return defs;
  }

  /**
   * Registers a script defined in this thread. Without `module` it can only run on the
   * main thread (a FrameDriver with workers reports an error); prefer loadScripts().
   */
  addScript(def: ScriptDef, module?: string): void {
    if (!isScriptDef(def))
      throw new TypeError(`addScript(def): expected a script made by defineScript(), got ${describe(def)}`);
    if (this.#scripts.has(def.name))
      throw new TypeError(`a script named '${def.name}' is in this world already`);
    for (const component of def.uses) this.store(component);
    const paramNames = Object.keys(def.params);
    const addon = loadAddon();
    const paramIds = paramNames.map((p) => addon.symbols.intern(p));
    const prototype = this.#prototype(def);
    const params: Float64Array[] = [];
    const paramTokens: number[] = [];
    for (let i = 0; i < paramNames.length; i++) {
      const column = this.runtime.column("f64", this.capacity + 1);
      params.push(column);
      paramTokens.push(this.runtime.shareColumn(column));
    }
    const stores = def.uses.map((c) => this.store(c));
    const fieldArrays = def.fields.map(
      (f) => (this.#stores.get(f.component) as unknown as Rows)[f.name] as Float64Array,
    );
    const entry: ScriptEntry = {
      id: this.#scriptsById.length + 1,
      def,
      module,
      prototype,
      paramNames,
      paramIds,
      defaults: this.#resolve(prototype, paramIds),
      params,
      paramTokens,
      tag: {},
      stores,
      fieldArrays,
      overridden: new Uint8Array((this.capacity + 1) * paramNames.length),
      count: 0,
      parked: undefined,
      parkedCount: 0,
    };
    if (this.#names.length < paramNames.length + 1) {
      this.#names = new Float64Array(paramNames.length + 1);
      this.#values = new Float64Array(paramNames.length + 1);
    }
    this.#scripts.set(def.name, entry);
    this.#scriptsById.push(entry);
    observe(this.ecs, onRemove(entry.tag), (eid: number) => this.#release(eid));
    this.#layoutVersion++;
    this.#installRunnerScripts();
  }

  /**
   * Hot reload: imports `module` again and replaces the scripts it defines (matched by
   * name) — new update/prepare code and new parameter defaults — keeping every entity, its
   * rows and its overrides. Components and parameter names may not change (that needs a
   * new world). Workers load the new code at the next step.
   */
  async reloadScripts(module: string | URL): Promise<ScriptDef[]> {
    const base = withoutReload(String(module));
    const url = reloadUrl(base);
    const exports = (await import(url)) as Record<string, unknown>;
    const defs = Object.values(exports).filter(isScriptDef);
    for (const def of defs) {
      const entry = this.#scripts.get(def.name);
      if (entry === undefined) throw new TypeError(`reload: script '${def.name}' was not loaded before`);
      const same = (a: readonly unknown[], b: readonly unknown[]) => JSON.stringify(a) === JSON.stringify(b);
      if (!same(entry.def.fields, def.fields) || !same(entry.paramNames, Object.keys(def.params)))
        throw new TypeError(
          `reload: script '${def.name}' changed its components or parameter names; only code and defaults can change live`,
        );
    }
    for (const def of defs) {
      const entry = this.#scripts.get(def.name) as ScriptEntry;
      const oldDefaults = JSON.stringify(entry.def.params);
      entry.def = def;
      entry.module = url;
      if (JSON.stringify(def.params) !== oldDefaults) this.#rebind(entry);
    }
    const at = this.#modules.findIndex((m) => withoutReload(m) === base);
    if (at >= 0) this.#modules[at] = url;
    else this.#modules.push(url);
    this.#layoutVersion++;
    this.#installRunnerScripts();
    return defs;
  }

  /** The scripts of this world, in id order. */
  scripts(): ScriptDef[] {
    return this.#scriptsById.map((s) => s.def);
  }

  /** The bitECS tag component carried by every entity running `script` (for queries). */
  /** How many live entities run `script` (kept as entities attach and go: no scan, no query). */
  count(script: ScriptDef | string): number {
    return this.#entry(script, "count(script)").count;
  }

  tag(script: ScriptDef | string): object {
    return this.#entry(script, "tag(script)").tag;
  }

  // ---- entities ---------------------------------------------------------------------

  /**
   * Spawns an entity running `script`: adds its components (zeroed, then `init`) and
   * creates its Proto object with `overrides` as own parameters. Returns the entity id.
   */
  spawn<C extends readonly ComponentDef[], P extends ScriptParams>(
    script: ScriptDef<C, P>,
    init?: Readonly<Record<string, number>>,
    overrides?: Readonly<Record<string, number>>,
  ): number {
    return this.#spawn(script, init, overrides, "spawn(script, init, overrides)");
  }

  #spawn(script: ScriptDef | string, init: unknown, overrides: unknown, where: string): number {
    const entry = this.#entry(script, where);
    const fields = this.#initValues(entry, init, where);
    const own = this.#overrideValues(entry, overrides, where);
    const buffer = this.#direct;
    buffer.clear();
    const command = buffer.spawn(entry.id);
    for (const [name, value] of fields) buffer.value(this.#fieldKey(entry, name), value);
    if (own !== undefined)
      for (const name of Object.keys(own))
        buffer.value(entry.def.fields.length + entry.paramNames.indexOf(name), own[name] as number);
    return this.#spawnCommand(buffer, command, entry);
  }

  // Spawns the entity a spawn command describes (values checked already); rolls back a
  // failed attach and rethrows.
  #spawnCommand(buffer: CommandBuffer, command: number, entry: ScriptEntry): number {
    const eid = this.spawnEmpty();
    try {
      this.#attach(eid, entry, buffer, command);
    } catch (error) {
      // Nothing half-done stays: the binding goes (token, parameter rows, script id),
      // whether or not bitECS's onRemove observers get to see the tag, then the entity.
      this.#release(eid);
      removeEntity(this.ecs, eid);
      throw error;
    }
    return eid;
  }

  #fieldKey(entry: ScriptEntry, name: string): number {
    const fields = entry.def.fields;
    for (let k = 0; k < fields.length; k++) if ((fields[k] as { name: string }).name === name) return k;
    return -1;
  }

  /** Spawns an entity with no components or script (bitECS addEntity, capacity-checked). */
  spawnEmpty(): number {
    if (this.#index.aliveCount >= this.capacity) throw new CapacityError(this.capacity, "spawn");
    return addEntity(this.ecs);
  }

  /** Removes an entity (bitECS removeEntity): its object becomes collectable, its id and rows are recycled. */
  despawn(eid: number): void {
    this.#checkAlive(eid, "despawn(eid)");
    removeEntity(this.ecs, eid);
  }

  /** Attaches `script` to a live entity that has none: adds missing components, creates its object. */
  attach<C extends readonly ComponentDef[], P extends ScriptParams>(
    eid: number,
    script: ScriptDef<C, P>,
    overrides?: Readonly<Record<string, number>>,
  ): void {
    const where = "attach(eid, script, overrides)";
    this.#checkAlive(eid, where);
    const entry = this.#entry(script, where);
    const own = this.#overrideValues(entry, overrides, where);
    if ((this.scriptIds[eid] as number) !== 0)
      throw new TypeError(`${where}: entity ${eid} runs a script already; detach(eid) it first`);
    const missing = entry.def.uses.filter((c) => !hasComponent(this.ecs, eid, this.store(c)));
    const buffer = this.#direct;
    buffer.clear();
    const command = buffer.spawn(entry.id);
    if (own !== undefined)
      for (const name of Object.keys(own))
        buffer.value(entry.def.fields.length + entry.paramNames.indexOf(name), own[name] as number);
    try {
      this.#attach(eid, entry, buffer, command);
    } catch (error) {
      // Back to what the entity was: no script, none of the components attach added.
      if (hasComponent(this.ecs, eid, entry.tag)) removeComponent(this.ecs, eid, entry.tag);
      this.#release(eid);
      for (const c of missing) removeComponent(this.ecs, eid, this.store(c));
      throw error;
    }
  }

  /** Detaches the entity's script (its object becomes collectable); components stay. */
  detach(eid: number): void {
    this.#checkAlive(eid, "detach(eid)");
    const entry = this.#scriptsById[(this.scriptIds[eid] as number) - 1];
    if (entry !== undefined) removeComponent(this.ecs, eid, entry.tag);
  }

  /**
   * Adds a component (zeroed, then `init`) to a live entity. `init` may name the
   * component's own fields only (its own properties; numbers only, as for spawn()).
   */
  addComponent<S extends Schema>(
    eid: number,
    component: ComponentDef<S>,
    init?: Partial<{ [K in keyof S]: number }>,
  ): void {
    const where = "addComponent(eid, component, init)";
    this.#checkAlive(eid, where);
    this.#addComponent(eid, component, init, where);
  }

  #addComponent(eid: number, component: ComponentDef, init: unknown, where: string): void {
    const store = this.store(component) as unknown as Rows;
    const schema = component.schema;
    const values = fieldValues(
      init,
      (key) => Object.hasOwn(schema, key),
      where,
      "init",
      `component '${component.name}'`,
      "field",
    );
    addComponent(this.ecs, eid, store);
    for (const [key, value] of values) (store[key] as Float64Array)[eid] = value;
  }

  /**
   * Removes a component from a live entity. Removing one the entity's script uses detaches
   * the script first (a script's entities always carry its components).
   */
  removeComponent(eid: number, component: ComponentDef): void {
    this.#checkAlive(eid, "removeComponent(eid, component)");
    const store = this.store(component);
    const entry = this.#scriptsById[(this.scriptIds[eid] as number) - 1];
    if (entry?.def.uses.some((c) => c.name === component.name)) removeComponent(this.ecs, eid, entry.tag);
    removeComponent(this.ecs, eid, store);
  }

  /** True if the live entity has the component. */
  has(eid: number, component: ComponentDef): boolean {
    this.#checkAlive(eid, "has(eid, component)");
    return hasComponent(this.ecs, eid, this.store(component));
  }

  /** The script the entity runs, if any. */
  scriptOf(eid: number): ScriptDef | undefined {
    this.#checkAlive(eid, "scriptOf(eid)");
    return this.#scriptsById[(this.scriptIds[eid] as number) - 1]?.def;
  }

  /** The entity's Proto object (its parent is the script's prototype). Throws for an entity with no script. */
  object(eid: number): ProtoObject {
    this.#checkAlive(eid, "object(eid)");
    const token = this.#tokens[eid] as number;
    if (token === 0)
      throw new TypeError(`object(eid): entity ${eid} runs no script, so it has no Proto object`);
    return this.runtime.open(token);
  }

  // ---- frames (used by FrameDriver) -------------------------------------------------

  /**
   * @internal Applies the commands of the first `n` buffers and of the systems' buffer,
   * merged in (issuer, sequence) order, then empties the systems' buffer. Each command
   * that fails adds its error to `errors`. Allocates nothing itself (bitECS's own
   * bookkeeping of added and removed entities does).
   */
  applyCommands(buffers: readonly CommandBuffer[], n: number, errors: Error[]): void {
    const applying = this.#applying;
    for (let b = 0; b < n; b++) applying[b] = buffers[b] as CommandBuffer;
    applying[n] = this.#systemBuffer;
    const merge = this.#merge;
    merge.merge(applying, n + 1);
    const order = merge.order;
    const stamp = ++this.#stamp;
    // Removals and changes first, then spawns: a spawn may recycle an id freed this
    // frame, and no later command of this frame can then touch the new entity by mistake.
    for (let k = 0; k < merge.count; k++) {
      const entry = order[k] as number;
      const buffer = applying[mergedBuffer(entry)] as CommandBuffer;
      const i = mergedCommand(entry);
      const op = buffer.op(i);
      if (op === Op.SPAWN) continue;
      try {
        const eid = buffer.eid(i);
        if (op === Op.DESPAWN) {
          if (this.#despawnStamp[eid] === stamp) continue;
          if (!this.alive(eid)) throw new DeadEntityError(eid, "despawn command");
          if (!this.#park(eid)) removeEntity(this.ecs, eid);
          this.#despawnStamp[eid] = stamp;
        } else {
          const component = this.#componentList[buffer.ref(i)] as ComponentEntry;
          const verb = op === Op.ADD ? "add" : "remove";
          if (this.#despawnStamp[eid] === stamp || !this.alive(eid))
            throw new DeadEntityError(eid, `${verb} '${component.def.name}' command`);
          if (op === Op.ADD) {
            const problem = buffer.problemOf(i);
            if (problem !== undefined) throw new TypeError(`add '${component.def.name}' command${problem}`);
            addComponent(this.ecs, eid, component.store);
            const arrays = component.arrays;
            for (let p = buffer.valueStart(i), end = p + buffer.valueCountOf(i); p < end; p++)
              (arrays[buffer.key(p)] as Float64Array)[eid] = buffer.valueAt(p);
          } else {
            this.removeComponent(eid, component.def);
          }
        }
      } catch (error) {
        errors.push(error instanceof Error ? error : new CommandError(String(error)));
      }
    }
    for (let k = 0; k < merge.count; k++) {
      const entry = order[k] as number;
      const buffer = applying[mergedBuffer(entry)] as CommandBuffer;
      const i = mergedCommand(entry);
      if (buffer.op(i) !== Op.SPAWN) continue;
      const script = this.#scriptsById[buffer.ref(i) - 1] as ScriptEntry;
      try {
        const problem = buffer.problemOf(i);
        if (problem !== undefined) throw new TypeError(`spawn '${script.def.name}' command${problem}`);
        if (script.parkedCount > 0) this.#reuse(script, buffer, i);
        else this.#spawnCommand(buffer, i, script);
      } catch (error) {
        errors.push(error instanceof Error ? error : new CommandError(String(error)));
      }
    }
    // Parked entities no spawn reused leave bitECS now.
    const scripts = this.#scriptsById;
    for (let k = 0; k < scripts.length; k++) {
      const script = scripts[k] as ScriptEntry;
      while (script.parkedCount > 0) {
        const eid = (script.parked as Int32Array)[--script.parkedCount] as number;
        try {
          removeEntity(this.ecs, eid);
        } catch (error) {
          errors.push(error instanceof Error ? error : new CommandError(String(error)));
        }
      }
    }
    this.#systemBuffer.clear();
  }

  // A despawn of an entity whose script recycles: unbind it (its object goes, its parameter
  // rows and script id are cleared) and keep it, components and all, for a spawn of the same
  // script this frame. False (a normal removal) for any other entity, or one that carries a
  // component its script does not use.
  #park(eid: number): boolean {
    const entry = this.#scriptsById[(this.scriptIds[eid] as number) - 1];
    if (entry === undefined || entry.def.recycle !== true) return false;
    const components = this.#componentList;
    for (let c = 0; c < components.length; c++) {
      const component = components[c] as ComponentEntry;
      if (entry.stores.includes(component.store)) continue;
      if (hasComponent(this.ecs, eid, component.store)) return false;
    }
    entry.parked ??= new Int32Array(this.capacity + 1);
    this.#release(eid);
    entry.parked[entry.parkedCount++] = eid;
    return true;
  }

  // Spawns into a parked entity of the same script: its components are still there (and
  // its tag), so bitECS is not told; rows are zeroed as a fresh component's would be.
  #reuse(entry: ScriptEntry, buffer: CommandBuffer, command: number): void {
    const eid = (entry.parked as Int32Array)[--entry.parkedCount] as number;
    const stores = entry.stores;
    for (let c = 0; c < stores.length; c++) {
      const arrays = (this.#components.get((entry.def.uses[c] as ComponentDef).name) as ComponentEntry)
        .arrays;
      for (let f = 0; f < arrays.length; f++) (arrays[f] as Float64Array)[eid] = 0;
    }
    const fields = entry.fieldArrays;
    const start = buffer.valueStart(command);
    const end = start + buffer.valueCountOf(command);
    for (let p = start; p < end; p++) {
      const k = buffer.key(p);
      if (k < fields.length) (fields[k] as Float64Array)[eid] = buffer.valueAt(p);
    }
    try {
      this.#bindObject(eid, entry, buffer, start, end);
    } catch (error) {
      this.#release(eid);
      removeEntity(this.ecs, eid);
      throw error;
    }
    this.scriptIds[eid] = entry.id;
    entry.count++;
  }

  /** @internal Changes whenever components, scripts or script modules change. */
  get layoutVersion(): number {
    return this.#layoutVersion;
  }

  /** @internal What workers need to open this world. */
  layout(): WorldLayout {
    const missing = this.#scriptsById.filter((s) => s.module === undefined).map((s) => s.def.name);
    if (missing.length > 0)
      throw new TypeError(
        `script(s) ${missing.join(", ")} were added with addScript() and no module, so workers cannot load them; use loadScripts()`,
      );
    return {
      version: this.#layoutVersion,
      capacity: this.capacity,
      components: [...this.#components.values()].map((c) => ({ name: c.def.name, fields: c.fields })),
      scripts: this.#scriptsById.map((s) => ({ name: s.def.name, id: s.id, paramTokens: s.paramTokens })),
      modules: [...this.#modules],
      scriptIdsToken: this.#scriptIdsToken,
      globalsToken: this.#globalsToken,
    };
  }

  /** Drops every entity (their objects become collectable). The world stays usable. */
  clear(): void {
    for (let eid = 1; eid < this.maxEid; eid++) if (entityExists(this.ecs, eid)) removeEntity(this.ecs, eid);
  }

  // ---- internals ----------------------------------------------------------------------

  #installRunnerScripts(): void {
    const scripts: RunnerScript[] = this.#scriptsById.map((s) => ({
      id: s.id,
      def: s.def,
      params: s.params,
    }));
    this.runner.setScripts(scripts);
    this.#queue.setScripts(scripts);
  }

  #prototype(def: ScriptDef): ProtoObject {
    return this.runtime.object({ __script: def.name, ...def.params });
  }

  #resolve(object: ProtoObject, ids: readonly number[]): number[] {
    const values = loadAddon().objects.getMany(object.handle, ids);
    return values.map((v) => (typeof v === "number" ? v : Number.NaN));
  }

  // The spawn command's values were checked: known fields and parameters, numbers.
  #attach(eid: number, entry: ScriptEntry, buffer: CommandBuffer, command: number): void {
    if ((this.scriptIds[eid] as number) !== 0)
      throw new TypeError(`spawn: entity ${eid} runs a script already`);
    const stores = entry.stores;
    for (let c = 0; c < stores.length; c++) {
      const store = stores[c] as Store;
      if (!hasComponent(this.ecs, eid, store)) addComponent(this.ecs, eid, store);
    }
    const fields = entry.fieldArrays;
    const start = buffer.valueStart(command);
    const end = start + buffer.valueCountOf(command);
    for (let p = start; p < end; p++) {
      const k = buffer.key(p);
      if (k < fields.length) (fields[k] as Float64Array)[eid] = buffer.valueAt(p);
    }
    this.#bindObject(eid, entry, buffer, start, end);
    this.scriptIds[eid] = entry.id;
    entry.count++;
    addComponent(this.ecs, eid, entry.tag);
  }

  // Creates the entity's object — parent: the script's prototype; own attributes: __eid and
  // the overrides — held by a share token (no JS wrapper), and caches its parameters in the
  // parameter columns: an override, or the prototype's value (resolved once). Reads the
  // overrides from value pairs [start, end) of `buffer` (keys past the fields), or, with no
  // buffer, from the entity's overridden flags and columns (a rebind after a reload).
  #bindObject(eid: number, entry: ScriptEntry, buffer: CommandBuffer | undefined, start = 0, end = 0): void {
    const names = this.#names;
    const values = this.#values;
    const params = entry.params;
    const count = params.length;
    const flags = entry.overridden;
    const row = eid * count;
    names[0] = this.#eidSymbol;
    values[0] = eid;
    let n = 1;
    if (buffer !== undefined) {
      for (let j = 0; j < count; j++) flags[row + j] = 0;
      const first = entry.def.fields.length;
      for (let p = start; p < end; p++) {
        const j = buffer.key(p) - first;
        if (j < 0) continue;
        flags[row + j] = 1;
        (params[j] as Float64Array)[eid] = buffer.valueAt(p);
      }
    }
    for (let j = 0; j < count; j++) {
      const column = params[j] as Float64Array;
      if (flags[row + j] === 1) {
        names[n] = entry.paramIds[j] as number;
        values[n] = column[eid] as number;
        n++;
      } else {
        column[eid] = entry.defaults[j] as number;
      }
    }
    const token = loadAddon().objects.createShared(entry.prototype.handle, names, values, n);
    const old = this.#tokens[eid] as number;
    this.#tokens[eid] = token;
    if (old !== 0) this.runtime.unshare(old);
  }

  // New parameter defaults: a new prototype, and every entity of the script gets a new
  // object (objects are immutable, so their parent cannot change); rows stay as they are.
  #rebind(entry: ScriptEntry): void {
    entry.prototype = this.#prototype(entry.def);
    entry.defaults = this.#resolve(entry.prototype, entry.paramIds);
    const ids = this.scriptIds;
    for (let eid = 1; eid < this.maxEid; eid++)
      if (ids[eid] === entry.id) this.#bindObject(eid, entry, undefined);
  }

  #release(eid: number): void {
    const token = this.#tokens[eid] as number;
    if (token !== 0) this.runtime.unshare(token);
    this.#tokens[eid] = 0;
    const entry = this.#scriptsById[(this.scriptIds[eid] as number) - 1];
    if (entry !== undefined) {
      entry.count--;
      const params = entry.params;
      for (let j = 0; j < params.length; j++) {
        (params[j] as Float64Array)[eid] = 0;
        entry.overridden[eid * params.length + j] = 0;
      }
    }
    this.scriptIds[eid] = 0;
  }

  #entry(script: ScriptDef | string, what: string): ScriptEntry {
    if (typeof script !== "string" && !isScriptDef(script))
      throw new TypeError(
        `${what}: expected a script made by defineScript() (or its name), got ${describe(script)}`,
      );
    const name = typeof script === "string" ? script : script.name;
    const entry = this.#scripts.get(name);
    if (entry === undefined) throw new TypeError(`${what}: script '${name}' is not loaded in this world`);
    return entry;
  }

  #component(name: string): ComponentEntry {
    const entry = this.#components.get(name);
    if (entry === undefined) throw new TypeError(`component '${name}' is not part of this world`);
    return entry;
  }

  // A TypeError for something that is no entity id, a DeadEntityError for a dead one.
  #checkAlive(eid: unknown, what: string): asserts eid is number {
    checkEntityId(eid, what);
    if (!this.alive(eid)) throw new DeadEntityError(eid, what);
  }

  #initValues(entry: ScriptEntry, init: unknown, where: string): [string, number][] {
    const fields = entry.def.fields;
    return fieldValues(
      init,
      (key) => fields.some((f) => f.name === key),
      where,
      "init",
      `script '${entry.def.name}'`,
      "field",
    );
  }

  // The overrides as a fresh object of own, known, numeric parameters (undefined: none).
  #overrideValues(entry: ScriptEntry, overrides: unknown, where: string): Record<string, number> | undefined {
    const names = entry.paramNames;
    const values = fieldValues(
      overrides,
      (key) => names.includes(key),
      where,
      "overrides",
      `script '${entry.def.name}'`,
      "parameter",
    );
    return values.length === 0 ? undefined : Object.fromEntries(values);
  }
}

/**
 * The values a caller gives for named fields or parameters: its own enumerable keys only,
 * each a known name (`known`) with a number value, else a TypeError naming `where` and
 * `what`. Inherited keys are never read and no key is ever written to an object by name,
 * so `{"__proto__": 7}` (from JSON.parse) is an unknown field, not a prototype write.
 */
function fieldValues(
  values: unknown,
  known: (key: string) => boolean,
  where: string,
  what: string,
  owner: string,
  kind: "field" | "parameter",
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
