// engine-bridge/BridgeWorld.ts — a bitECS world whose components live in Proto's
// mutability table, with entities that run behaviours. This file is the world's public
// face and its entity lifecycle; the parts live beside it: Stores.ts (component columns),
// Behaviours.ts (prototypes, parameters, code), EntityObjects.ts (each entity's Proto
// object), Commands.ts (applying a frame's queued commands).
//
// Capacity is FIXED at creation: every column has `capacity + 1` rows (bitECS ids start at
// 1 and are recycled, so with at most `capacity` live entities every id is ≤ capacity).
// Views never move and stay valid for the world's whole life, in every thread. Spawning
// past the capacity throws CapacityError; nothing is half-done.
import {
  addComponent,
  addEntity,
  createEntityIndex,
  createWorld,
  entityExists,
  hasComponent,
  observe,
  onRemove,
  removeComponent,
  removeEntity,
  type World,
} from "bitecs";
import { type ProtoObject, type ProtoValue, Runtime, type RuntimeOptions } from "../scripting/index.ts";
import { describe } from "../scripting/object.ts";
import type { BehaviourDef, BehaviourParams, Fields, ParamType } from "./Behaviour.ts";
import { BehaviourRunner } from "./BehaviourRunner.ts";
import { type BehaviourEntry, Behaviours } from "./Behaviours.ts";
import { CommandBuffer, OUTSIDE_UPDATE } from "./CommandBuffer.ts";
import { CommandQueue } from "./CommandQueue.ts";
import { CommandApplier } from "./Commands.ts";
import type { ComponentDef, Schema, Store } from "./Component.ts";
import { EntityObjects } from "./EntityObjects.ts";
import { CapacityError, checkEntityRef } from "./errors.ts";
import { handleOf, liveRow, retire } from "./handles.ts";
import { Lifecycle } from "./Lifecycle.ts";
import { Loader, type WorldLayout } from "./Loader.ts";
import { Stores } from "./Stores.ts";
import { Tuning } from "./Tuning.ts";
import { fieldValues } from "./values.ts";

export type { WorldLayout } from "./Loader.ts";

/** Options of a BridgeWorld. */
export interface BridgeWorldOptions {
  /** Maximum number of live entities (fixed; 1 … 2^24). */
  readonly capacity: number;
  /** Proto GC pause budget per frame in ms (process-wide; default: the runtime's, 0.5). */
  readonly gcBudgetMs?: number;
  /** Length of the `globals` column (default 64). */
  readonly globals?: number;
  /** Options of the process runtime, if this world's Runtime is the first of the process. */
  readonly runtime?: RuntimeOptions;
}

const MAX_CAPACITY = 2 ** 24;

function checkCount(value: unknown, name: string, max: number): number {
  const where = "new BridgeWorld(options)";
  if (typeof value !== "number")
    throw new TypeError(`${where}: expected options.${name} to be a number, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new RangeError(
      `${where}: expected options.${name} to be a whole number in [1, ${max}], got ${value}`,
    );
  return value;
}

/**
 * A bitECS world over Proto columns whose entities run behaviours. Structural changes
 * during a frame go through command buffers (see FrameDriver); outside a frame, call
 * spawn(), despawn(), attach()… directly.
 */
export class BridgeWorld {
  /** The bitECS world: use it with bitECS's own query, addComponent, removeEntity, observe. */
  readonly ecs: World;
  /** Maximum number of live entities (fixed). */
  readonly capacity: number;
  /** The scripting runtime (process-wide Proto runtime, attached to this thread). */
  readonly runtime: Runtime;
  /** Numbers every behaviour reads as ctx.globals (a Proto column, shared with workers). */
  readonly globals: Float64Array;
  /** Commands for systems and the host to queue during a frame; applied at frame end, after the hooks' ones. */
  readonly commands: Pick<CommandQueue, "spawn" | "despawn" | "add" | "remove">;
  /** @internal The main thread's runner. */
  readonly runner: BehaviourRunner;
  /** @internal Behaviour id per row (0: none). */
  readonly behaviourIds: Uint32Array;
  /** @internal Generation per row (versioned handles). */
  readonly generations: Uint32Array;
  /** @internal */
  readonly stores: Stores;
  /** @internal */
  readonly behaviours: Behaviours;
  /** @internal */
  readonly objects: EntityObjects;

  readonly #index: ReturnType<typeof createEntityIndex>;
  readonly #queue: CommandQueue;
  readonly #applier: CommandApplier;
  /** @internal */
  readonly lifecycle: Lifecycle;
  readonly #tuning: Tuning;
  readonly #loader: Loader;

  constructor(options: BridgeWorldOptions) {
    if (typeof options !== "object" || options === null)
      throw new TypeError(
        `new BridgeWorld(options): expected options to be an object, got ${describe(options)}`,
      );
    this.capacity = checkCount(options.capacity, "capacity", MAX_CAPACITY);
    const globals = checkCount(options.globals ?? 64, "globals", 2 ** 20);
    const capacity = this.capacity;
    this.runtime = new Runtime({
      ...options.runtime,
      ...(options.gcBudgetMs === undefined ? {} : { gcBudgetMs: options.gcBudgetMs }),
    });
    this.#index = createEntityIndex();
    this.ecs = createWorld(this.#index);
    this.behaviourIds = this.runtime.column("u32", capacity + 1);
    this.generations = this.runtime.column("u32", capacity + 1);
    this.globals = this.runtime.column("f64", globals);
    this.stores = new Stores(this.runtime, this.ecs, capacity);
    this.behaviours = new Behaviours(this.stores);
    this.objects = new EntityObjects(this.runtime, capacity);
    const columns = {
      stores: this.stores.byName,
      behaviourIds: this.behaviourIds,
      generations: this.generations,
      tokens: this.objects.tokens,
      globals: this.globals,
    };
    this.runner = new BehaviourRunner(0, this.runtime, columns, this.behaviours.code);
    // Systems and the host queue with an issuer that sorts after every entity, so their
    // commands apply after the hooks' ones.
    const system = new CommandBuffer();
    system.issuer = OUTSIDE_UPDATE + 1;
    this.#queue = new CommandQueue(this.stores.byName, system, false);
    this.commands = this.#queue;
    this.#applier = new CommandApplier(capacity);
    this.lifecycle = new Lifecycle(this);
    this.#tuning = new Tuning(this);
    this.#loader = new Loader(this);
  }

  /** Number of live entities. */
  get entityCount(): number {
    return this.#index.aliveCount;
  }

  /** One more than the highest entity id ever used (bounds a scan over rows). */
  get maxEid(): number {
    return this.#index.maxId + 1;
  }

  /** True if `entity` (an id or handle) is a live entity. */
  alive(entity: number): boolean {
    if (typeof entity !== "number" || !Number.isSafeInteger(entity) || entity < 1) return false;
    try {
      this.#row(entity, "alive(entity)");
      return true;
    } catch {
      return false;
    }
  }

  /** @internal True if row `eid` is a live entity. */
  isAlive(eid: number): boolean {
    return eid > 0 && eid <= this.capacity && entityExists(this.ecs, eid);
  }

  /** A handle of a live entity: use it to refer to the entity across frames (see handles.ts). */
  handle(entity: number): number {
    return handleOf(this.generations, this.#row(entity, "handle(entity)"));
  }

  /** The id of the live entity a handle (or id) names; StaleEntityError once the entity is gone. */
  resolve(entity: number): number {
    return this.#row(entity, "resolve(entity)");
  }

  // ---- components and behaviours ----------------------------------------------------

  /** The store of a component: typed arrays over Proto columns, indexed by entity id (the bitECS component). */
  store<S extends Schema>(component: ComponentDef<S>): Store<S> {
    return this.stores.store(component);
  }

  /** Imports a module and registers every behaviour (and component) it exports; workers import it too. */
  loadBehaviours(module: string | URL): Promise<BehaviourDef[]> {
    return this.#loader.load(module);
  }

  /** Registers a behaviour defined in this thread: it runs on the main thread only (prefer loadBehaviours). */
  addBehaviour(def: BehaviourDef, module?: string): void {
    this.#loader.add(def, module);
  }

  /**
   * Hot reload: imports `module` again and gives the behaviours it defines their new hooks
   * and defaults, through their prototypes' cells — every thread runs the new code from the
   * next frame on; entities keep their rows and overrides.
   */
  reloadBehaviours(module: string | URL): Promise<BehaviourDef[]> {
    return this.#loader.reload(module);
  }

  /** The behaviours of this world, in id order. */
  behaviourDefs(): BehaviourDef[] {
    return this.behaviours.list.map((b) => b.def);
  }

  /** How many live entities run `behaviour` (kept as entities come and go). */
  count(behaviour: BehaviourDef | string): number {
    return this.behaviours.entry(behaviour, "count(behaviour)").count;
  }

  /** The bitECS tag component carried by every entity running `behaviour` (for queries). */
  tag(behaviour: BehaviourDef | string): object {
    return this.behaviours.entry(behaviour, "tag(behaviour)").tag;
  }

  /** The behaviour's prototype: its Proto object, which every entity of it delegates to. */
  prototype(behaviour: BehaviourDef | string): ProtoObject {
    return this.behaviours.entry(behaviour, "prototype(behaviour)").prototype;
  }

  /**
   * Live tuning: a new default for a parameter `behaviour` declares. Every entity that does
   * not override it (in this behaviour and in those extending it) sees it from now on.
   */
  setParam(behaviour: BehaviourDef | string, name: string, value: ProtoValue): void {
    this.#tuning.setParam(this.behaviours.entry(behaviour, "setParam(behaviour, name, value)"), name, value);
  }

  /** Live tuning: a new override for one entity's parameter (undefined: back to the default). */
  setOverride(entity: number, name: string, value: ProtoValue | undefined): void {
    const where = "setOverride(entity, name, value)";
    this.#tuning.setOverride(this.#row(entity, where), name, value, where);
  }

  // ---- entities ---------------------------------------------------------------------

  /**
   * Spawns an entity running `behaviour`: adds its components (zeroed, then `init`), creates
   * its Proto object with `overrides` as own parameters and runs its init hook (a throw
   * undoes the spawn and propagates). Returns the entity id.
   */
  spawn<C extends readonly ComponentDef[], P extends BehaviourParams>(
    behaviour: BehaviourDef<C, P>,
    init?: Partial<Fields<C>>,
    overrides?: Partial<{ [K in keyof P]: ParamType<P[K]> }>,
  ): number {
    return this.lifecycle.spawn(behaviour, init, overrides);
  }

  /** Spawns an entity with no components or behaviour (bitECS addEntity, capacity-checked). */
  spawnEmpty(): number {
    if (this.#index.aliveCount >= this.capacity) throw new CapacityError(this.capacity, "spawn");
    return addEntity(this.ecs);
  }

  /** Removes an entity (id or handle): its destroy hook runs, its object and id are released. */
  despawn(entity: number): void {
    const eid = this.#row(entity, "despawn(entity)");
    this.lifecycle.afterHooks(() => this.lifecycle.removeEntity(eid));
  }

  /** Makes a live entity that runs no behaviour run `behaviour` (adds missing components, runs init). */
  attach<C extends readonly ComponentDef[], P extends BehaviourParams>(
    entity: number,
    behaviour: BehaviourDef<C, P>,
    overrides?: Partial<{ [K in keyof P]: ParamType<P[K]> }>,
  ): void {
    const where = "attach(entity, behaviour, overrides)";
    this.lifecycle.attach(
      this.#row(entity, where),
      this.behaviours.entry(behaviour, where),
      overrides,
      where,
    );
  }

  /** Stops the entity's behaviour (its destroy hook runs, its object goes); components stay. */
  detach(entity: number): void {
    const eid = this.#row(entity, "detach(entity)");
    const entry = this.behaviours.byId(this.behaviourIds[eid] as number);
    if (entry !== undefined) this.lifecycle.afterHooks(() => removeComponent(this.ecs, eid, entry.tag));
  }

  /** Adds a component (zeroed, then `init`: own fields only, numbers only) to a live entity. */
  addComponent<S extends Schema>(
    entity: number,
    component: ComponentDef<S>,
    init?: Partial<{ [K in keyof S]: number }>,
  ): void {
    const where = "addComponent(entity, component, init)";
    const eid = this.#row(entity, where);
    const store = this.store(component) as unknown as Record<string, Float64Array>;
    const values = fieldValues(
      init,
      (key) => Object.hasOwn(component.schema, key),
      where,
      "init",
      `component '${component.name}'`,
      "field",
    );
    addComponent(this.ecs, eid, store);
    for (const [key, value] of values) (store[key] as Float64Array)[eid] = value;
  }

  /** Removes a component; removing one the entity's behaviour uses stops the behaviour first. */
  removeComponent(entity: number, component: ComponentDef): void {
    const eid = this.#row(entity, "removeComponent(entity, component)");
    this.store(component);
    this.lifecycle.afterHooks(() => this.lifecycle.removeComponent(eid, this.stores.entry(component.name)));
  }

  /** True if the live entity has the component. */
  has(entity: number, component: ComponentDef): boolean {
    return hasComponent(this.ecs, this.#row(entity, "has(entity, component)"), this.store(component));
  }

  /** The behaviour the entity runs, if any. */
  behaviourOf(entity: number): BehaviourDef | undefined {
    return this.behaviours.byId(this.behaviourIds[this.#row(entity, "behaviourOf(entity)")] as number)?.def;
  }

  /** The entity's Proto object (its parent is its behaviour's prototype); TypeError with no behaviour. */
  object(entity: number): ProtoObject {
    const eid = this.#row(entity, "object(entity)");
    const token = this.objects.tokens[eid] as number;
    if (token === 0)
      throw new TypeError(`object(entity): entity ${eid} runs no behaviour, so it has no Proto object`);
    return this.runtime.open(token);
  }

  /** Drops every entity (destroy hooks run; the first error one throws is rethrown at the end). */
  clear(): void {
    this.lifecycle.afterHooks(() => {
      for (let eid = 1; eid < this.maxEid; eid++) if (entityExists(this.ecs, eid)) this.removeFromEcs(eid);
    });
  }

  // ---- frames (used by FrameDriver and the worker pool) ------------------------------

  /** @internal Applies the first `n` buffers and the systems' commands; failures go to `errors`. */
  applyCommands(buffers: readonly CommandBuffer[], n: number, errors: Error[]): void {
    this.#applier.apply(this, buffers, n, this.#queue.buffer, errors);
    this.#queue.buffer.clear();
  }

  /** @internal Changes whenever components, behaviours or their modules change. */
  get layoutVersion(): number {
    return this.#loader.version + this.stores.version;
  }

  /** @internal What workers need to open this world. */
  layout(): WorldLayout {
    return this.#loader.layout();
  }

  /** @internal Installs the behaviours the systems' queue can spawn. */
  installQueue(list: readonly { id: number; def: BehaviourDef }[]): void {
    this.#queue.setBehaviours(list);
  }

  /** @internal Removes an entity from bitECS and retires its handles. */
  removeFromEcs(eid: number): void {
    retire(this.generations, eid);
    removeEntity(this.ecs, eid);
  }

  /** @internal Registers the bitECS observer that stops an entity's behaviour when its tag goes. */
  observeTag(entry: BehaviourEntry): void {
    observe(this.ecs, onRemove(entry.tag), (eid: number) => this.lifecycle.stop(eid));
  }

  // The live row an id or handle names (TypeError, StaleEntityError or DeadEntityError).
  #row(entity: unknown, where: string): number {
    checkEntityRef(entity, where);
    return liveRow(this.generations, entity, (eid) => this.isAlive(eid), where);
  }
}
