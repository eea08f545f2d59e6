// scripting/behaviour.ts — behaviours as prototype objects, entities that
// delegate to them, the `self` facade scripts see, and hot reload.
//
// A behaviour is a Proto object: its parameters are immutable attributes (the
// defaults), and one mutable attribute `__code` — a cell — names the current
// version of its methods in the runtime's code table. An entity is a Proto
// object whose parent is the behaviour (own attributes = its parameter
// overrides) plus a slot in the behaviour's numeric state columns.
//
// The hot path never calls into the addon per entity: parameters are resolved
// once per entity through Proto and cached on the facade (they are immutable,
// so the cache never goes stale); state accessors read and write typed arrays
// over the columns; methods are resolved through the `__code` cells once per
// behaviour per frame, so a reload reaches every entity at the next frame and
// leaves all state where it is.
import { type Column, type ColumnType, isColumnType, newColumn } from "./column.ts";
import {
  addon,
  checkText,
  describe,
  fromNative,
  keyPath,
  type ProtoObject,
  type ProtoValue,
  symbolId,
  toNative,
} from "./object.ts";

/** Parameters of a behaviour: names and their immutable default values. */
export type Params = Readonly<Record<string, ProtoValue>>;

/** Per-entity state of a behaviour: names and the numeric column type of each. */
export type StateSpec = Readonly<Record<string, ColumnType>>;

/** A parameter's type as scripts see it (literal types widened). */
export type Widen<T> = T extends number
  ? number
  : T extends boolean
    ? boolean
    : T extends string
      ? string
      : T;

/** The resolved parameters of an entity (read-only: parameters are immutable). */
export type ParamValues<P extends Params> = { readonly [K in keyof P]: Widen<P[K]> };

/** The per-entity state of an entity (numbers in typed-array columns). */
export type StateValues<S extends StateSpec> = { -readonly [K in keyof S]: number };

/** The typed-array columns of a behaviour's state, indexed by entity slot. */
export type Columns<S extends StateSpec> = { readonly [K in keyof S]: Column<S[K]> };

/** What every `self` facade has besides parameters and state. */
export interface SelfBase {
  /** The entity this facade belongs to. */
  readonly entity: Entity;
  /** The entity's index in its behaviour's state columns; -1 once destroyed. */
  readonly slot: number;
}

/**
 * The facade a script gets for its entity: parameters (read-only, resolved
 * once), state (reads and writes go straight to typed arrays), entity, slot.
 */
export type Self<P extends Params = Params, S extends StateSpec = StateSpec> = ParamValues<P> &
  StateValues<S> &
  SelfBase;

/** What a behaviour's per-frame hook sees of it. */
export interface BehaviourFrame<S extends StateSpec = StateSpec> {
  readonly name: string;
  /** The state columns (re-read them after spawning: they grow by replacement). */
  readonly columns: Columns<S>;
  /** Slots of the live entities, in update order. */
  readonly slots: readonly number[];
  /** Number of live entities. */
  readonly count: number;
}

/** A behaviour's code. Every method is optional; missing ones are inherited from the parent behaviour. */
export interface BehaviourMethods<P extends Params = Params, S extends StateSpec = StateSpec> {
  /** Runs when an entity is spawned, after its state is initialised. */
  init?(self: Self<P, S>): void;
  /** Runs once per frame for every live entity. */
  update?(self: Self<P, S>, dt: number): void;
  /** Runs when an entity is destroyed, before its state is released. */
  destroy?(self: Self<P, S>): void;
  /** Runs once per frame before this behaviour's entities update (e.g. to build a spatial index). */
  beforeUpdate?(behaviour: BehaviourFrame<S>, dt: number): void;
}

// biome-ignore lint/complexity/noBannedTypes: the empty object type is the identity of `&`
type Empty = {};

/** The declaration of a behaviour (Runtime.defineBehaviour). */
export interface BehaviourDefinition<
  P extends Params = Empty,
  S extends StateSpec = Empty,
  PP extends Params = Empty,
  PS extends StateSpec = Empty,
> extends BehaviourMethods<PP & P, PS & S> {
  /** A name unique within the runtime. */
  readonly name: string;
  /** A behaviour to extend: its parameters, state and methods are inherited. */
  readonly extends?: Behaviour<PP, PS>;
  /** Parameters and their defaults (own ones, or new defaults for inherited ones). */
  readonly params?: P;
  /** Per-entity state fields and their column types. */
  readonly state?: S;
}

/** What a behaviour needs from its runtime (implemented by Runtime). */
export interface BehaviourHost {
  /** @internal Registers a method set; returns its code id. */
  registerCode(methods: BehaviourMethods): number;
  /** @internal Drops a method set that no cell names any more. */
  dropCode(id: number): void;
  /** @internal The method set of a code id. */
  code(id: number): BehaviourMethods | undefined;
  /** @internal Counts reloads in this environment (invalidates method caches). */
  readonly codeEpoch: number;
  /** @internal Frames started so far (the number of the running or last frame). */
  readonly frame: number;
  /** @internal Makes a root object. */
  object(attributes: Params, options: { mutable: Params }): ProtoObject;
}

const RESERVED = new Set([
  "entity",
  "slot",
  "constructor",
  "__proto__",
  "toString",
  "valueOf",
  "hasOwnProperty",
]);
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const CODE = "__code";
const NAME = "__behaviour";
const METHOD_NAMES = ["init", "update", "destroy", "beforeUpdate"] as const;
const INITIAL_CAPACITY = 64;

function checkFieldName(name: string, what: string, behaviour: string): void {
  if (!IDENTIFIER.test(name) || name.startsWith("__"))
    throw new TypeError(
      `behaviour '${behaviour}': ${what} name ${JSON.stringify(name)} must be an identifier not starting with '__'`,
    );
  if (RESERVED.has(name)) throw new TypeError(`behaviour '${behaviour}': ${what} name '${name}' is reserved`);
}

// The methods of a definition or reload: its own properties named like a method only
// (never inherited ones, e.g. from a polluted Object.prototype), in an object without a
// prototype, so that a missing method reads as undefined whatever Object.prototype holds.
function checkMethods(methods: unknown, behaviour: string): BehaviourMethods {
  if (typeof methods !== "object" || methods === null)
    throw new TypeError(`behaviour '${behaviour}': methods must be an object, got ${describe(methods)}`);
  const out: Record<string, unknown> = Object.create(null);
  for (const name of METHOD_NAMES) {
    if (!Object.hasOwn(methods, name)) continue;
    const fn = (methods as Record<string, unknown>)[name];
    if (fn === undefined) continue;
    if (typeof fn !== "function")
      throw new TypeError(`behaviour '${behaviour}': ${name} must be a function, got ${describe(fn)}`);
    out[name] = fn;
  }
  return out as BehaviourMethods;
}

function paramKind(value: ProtoValue): string {
  return value === null ? "null" : typeof value === "object" ? "ProtoObject" : typeof value;
}

/** The key of a facade's first frame (a symbol: no parameter or state name can clash). */
const FIRST_FRAME: unique symbol = Symbol("firstFrame");

/** @internal The mutable view of a facade (the class below). */
interface FacadeInternal {
  entity: Entity;
  slot: number;
  /** The first frame that updates the entity: the one after the frame it was spawned in. */
  [FIRST_FRAME]: number;
}

type FacadeClass = new (
  entity: Entity,
  slot: number,
  values: readonly unknown[],
  firstFrame: number,
) => FacadeInternal;

/**
 * A live entity: a Proto object delegating to its behaviour, a slot in the
 * behaviour's state columns, and the `self` facade its scripts get.
 */
export class Entity<P extends Params = Params, S extends StateSpec = StateSpec> {
  /** The behaviour this entity runs. */
  readonly behaviour: Behaviour<P, S>;
  /** The facade scripts receive as `self`. */
  readonly self: Self<P, S>;
  #object: ProtoObject | undefined;
  #destroying = false;

  /** @internal Use Behaviour.spawn(). */
  constructor(behaviour: Behaviour<P, S>, object: ProtoObject, self: Self<P, S>) {
    this.behaviour = behaviour;
    this.#object = object;
    this.self = self;
  }

  /** False once destroyed. */
  get alive(): boolean {
    return this.#object !== undefined;
  }

  /** The entity's Proto object (its parent is the behaviour's prototype). Throws once destroyed. */
  get object(): ProtoObject {
    if (this.#object === undefined)
      throw new TypeError(`an entity of behaviour '${this.behaviour.name}' was used after destroy()`);
    return this.#object;
  }

  /**
   * Runs the destroy method, releases the slot and drops the Proto object's root.
   * Idempotent: destroying a destroyed entity, or an entity whose destroy method is
   * running (it may call destroy() itself), does nothing. If the destroy method throws,
   * the entity is destroyed all the same and the error propagates.
   */
  destroy(): void {
    if (this.#object === undefined || this.#destroying) return;
    this.#destroying = true;
    try {
      this.behaviour.release(this as unknown as Entity<P, S>);
    } finally {
      this.#object = undefined;
    }
  }

  /** @internal A spawn that failed: the entity never existed (no destroy method runs). */
  discard(): void {
    this.#destroying = true;
    this.#object = undefined;
  }
}

/**
 * A behaviour: a prototype object holding parameter defaults and a code cell,
 * the state columns of its entities, and its live entities.
 */
export class Behaviour<P extends Params = Params, S extends StateSpec = StateSpec>
  implements BehaviourFrame<S>
{
  /** The behaviour's name (also its `__behaviour` attribute). */
  readonly name: string;
  /** The behaviour this one extends, if any. */
  readonly parent: Behaviour | null;
  /** The behaviour's Proto object: entities delegate to it. */
  readonly prototype: ProtoObject;
  /** Every parameter, inherited ones first. */
  readonly paramNames: readonly string[];
  /** Every state field and its column type, inherited ones first. */
  readonly stateTypes: Readonly<Record<string, ColumnType>>;
  /** State columns indexed by slot. */
  readonly columns: Columns<S>;
  /** Slots of the live entities, in update order. */
  readonly slots: number[] = [];

  readonly #host: BehaviourHost;
  readonly #paramIds: number[];
  readonly #defaults: Readonly<Record<string, ProtoValue>>;
  readonly #holders: { name: string; type: ColumnType; holder: { array: Column } }[];
  readonly #Facade: FacadeClass;
  readonly #selves: FacadeInternal[] = [];
  readonly #entities: Entity<P, S>[] = [];
  /** Index of each entity in #entities (and #selves, slots), so removal is O(1). */
  readonly #positions = new Map<Entity<P, S>, number>();
  readonly #free: number[] = [];
  readonly #pending: Entity<P, S>[] = [];
  #capacity = INITIAL_CAPACITY;
  #next = 0;
  #codeId: number;
  #updating = false;
  #methods: BehaviourMethods = {};
  #methodsEpoch = -1;
  #codeIds: number[] = [];

  /** @internal Use Runtime.defineBehaviour(). */
  constructor(host: BehaviourHost, definition: BehaviourDefinition<Params, StateSpec, Params, StateSpec>) {
    if (typeof definition !== "object" || definition === null)
      throw new TypeError(`a behaviour definition must be an object, got ${describe(definition)}`);
    const own = (key: string): unknown =>
      Object.hasOwn(definition, key) ? (definition as never)[key] : undefined;
    const name = own("name");
    const params = (own("params") ?? {}) as Params;
    const state = (own("state") ?? {}) as StateSpec;
    if (typeof name !== "string" || name.length === 0)
      throw new TypeError(`a behaviour needs a non-empty string name, got ${describe(name)}`);
    checkText(name, "defineBehaviour(definition)", "definition.name");
    const parent = own("extends") ?? null;
    if (parent !== null && !(parent instanceof Behaviour))
      throw new TypeError(`behaviour '${name}': extends must be a Behaviour, got ${describe(parent)}`);
    if (typeof params !== "object" || params === null || Array.isArray(params))
      throw new TypeError(`behaviour '${name}': params must be an object, got ${describe(params)}`);
    if (typeof state !== "object" || state === null || Array.isArray(state))
      throw new TypeError(`behaviour '${name}': state must be an object, got ${describe(state)}`);
    this.name = name;
    this.parent = parent as Behaviour | null;
    this.#host = host;

    const inheritedDefaults = parent === null ? {} : parent.#defaults;
    const defaults: Record<string, ProtoValue> = { ...inheritedDefaults };
    for (const [key, value] of Object.entries(params)) {
      checkFieldName(key, "parameter", name);
      toNative(value, "defineBehaviour(definition)", keyPath("definition.params", key));
      const inherited = Object.hasOwn(inheritedDefaults, key)
        ? (inheritedDefaults as Record<string, ProtoValue>)[key]
        : undefined;
      if (inherited !== undefined && inherited !== null && paramKind(inherited) !== paramKind(value))
        throw new TypeError(
          `behaviour '${name}': parameter '${key}' is a ${paramKind(inherited)} in '${parent?.name}', got ${describe(value)}`,
        );
      defaults[key] = value;
    }
    const types: Record<string, ColumnType> = { ...(parent?.stateTypes ?? {}) };
    for (const [key, type] of Object.entries(state)) {
      checkFieldName(key, "state", name);
      if (!isColumnType(type))
        throw new TypeError(
          `behaviour '${name}': state '${key}' has unknown type ${JSON.stringify(type)} (use f64, f32, i32, u32 or u8)`,
        );
      if (Object.hasOwn(defaults, key))
        throw new TypeError(`behaviour '${name}': '${key}' is both a parameter and a state field`);
      if (Object.hasOwn(types, key) && types[key] !== type)
        throw new TypeError(
          `behaviour '${name}': state '${key}' is ${types[key]} in '${parent?.name}', got ${type}`,
        );
      types[key] = type;
    }
    for (const key of Object.keys(defaults))
      if (Object.hasOwn(types, key))
        throw new TypeError(`behaviour '${name}': '${key}' is both a parameter and a state field`);
    this.#defaults = defaults;
    this.paramNames = Object.keys(defaults);
    this.stateTypes = types;
    this.#paramIds = this.paramNames.map((p) => symbolId(p, "defineBehaviour(definition)", "parameter name"));

    const methods = checkMethods(definition, name);
    this.#codeId = host.registerCode(methods);
    const attributes: Record<string, ProtoValue> = { [NAME]: name, ...params };
    const mutable = { [CODE]: this.#codeId };
    try {
      this.prototype =
        parent === null
          ? host.object(attributes, { mutable })
          : parent.prototype.extend(attributes, { mutable });
    } catch (error) {
      host.dropCode(this.#codeId);
      throw error;
    }

    this.#holders = Object.entries(types).map(([field, type]) => ({
      name: field,
      type,
      holder: { array: newColumn(type, INITIAL_CAPACITY) as Column },
    }));
    const columns: Record<string, Column> = {};
    for (const { name: field, holder } of this.#holders)
      Object.defineProperty(columns, field, { enumerable: true, get: () => holder.array });
    this.columns = Object.freeze(columns) as unknown as Columns<S>;
    this.#Facade = this.#makeFacade();
  }

  /** Number of live entities. */
  get count(): number {
    return this.#entities.length;
  }

  /** The live entities, in update order (a copy). */
  entities(): Entity<P, S>[] {
    return this.#entities.filter((e) => e.alive);
  }

  /**
   * Spawns an entity: a Proto object delegating to this behaviour with
   * `overrides` as its own (immutable) parameters, and a zeroed state slot
   * set from `state`. Runs the init method.
   */
  spawn(overrides: Partial<ParamValues<P>> = {}, state: Partial<StateValues<S>> = {}): Entity<P, S> {
    if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides))
      throw new TypeError(
        `behaviour '${this.name}': spawn() overrides must be an object, got ${describe(overrides)}`,
      );
    if (typeof state !== "object" || state === null || Array.isArray(state))
      throw new TypeError(
        `behaviour '${this.name}': spawn() state must be an object, got ${describe(state)}`,
      );
    const own: Record<string, ProtoValue> = {};
    for (const [key, value] of Object.entries(overrides as Record<string, ProtoValue>)) {
      if (!Object.hasOwn(this.#defaults, key))
        throw new TypeError(`behaviour '${this.name}' has no parameter '${key}'`);
      const def = this.#defaults[key] as ProtoValue;
      if (def !== null && paramKind(def) !== paramKind(value))
        throw new TypeError(
          `behaviour '${this.name}': parameter '${key}' is a ${paramKind(def)}, got ${describe(value)}`,
        );
      toNative(value, `${this.name}.spawn(overrides)`, keyPath("overrides", key));
      own[key] = value;
    }
    const initial: [{ array: Column }, number][] = [];
    for (const [key, value] of Object.entries(state as Record<string, unknown>)) {
      const h = this.#holders.find((x) => x.name === key);
      if (h === undefined) throw new TypeError(`behaviour '${this.name}' has no state field '${key}'`);
      if (typeof value !== "number")
        throw new TypeError(
          `behaviour '${this.name}': state '${key}' must be a number, got ${describe(value)}`,
        );
      initial.push([h.holder, value]);
    }
    const object = this.prototype.extend(own);
    const values = addon().objects.getMany(object.handle, this.#paramIds).map(fromNative);
    const slot = this.#takeSlot();
    for (const { holder } of this.#holders) holder.array[slot] = 0;
    for (const [holder, value] of initial) holder.array[slot] = value;
    const entity: Entity<P, S> = new Entity(this, object, undefined as unknown as Self<P, S>);
    // Updated from the next frame on, whether spawned between frames or during one (even
    // into a behaviour that updates later in the running frame).
    const self = new this.#Facade(entity as unknown as Entity, slot, values, this.#host.frame + 1);
    (entity as { self: unknown }).self = self;
    this.#positions.set(entity, this.#entities.length);
    this.#entities.push(entity);
    this.#selves.push(self);
    this.slots.push(slot);
    const init = this.#resolveMethods().init;
    if (init !== undefined) {
      try {
        init(self as unknown as Self);
      } catch (error) {
        // Roll the spawn back: no entity that the caller never got may stay behind (it
        // would be updated every frame and could never be destroyed).
        this.#freeSlot(entity);
        entity.discard();
        throw error;
      }
    }
    return entity;
  }

  /**
   * Replaces this behaviour's methods (hot reload). Methods not given are
   * inherited from the parent behaviour afterwards. Every entity of this
   * behaviour — and of behaviours extending it that inherit these methods —
   * runs the new code from the next frame on, with its state untouched.
   */
  reload(methods: BehaviourMethods<P, S>): void {
    const checked = checkMethods(methods, this.name);
    const id = this.#host.registerCode(checked);
    this.prototype.set(CODE, id);
    this.#host.dropCode(this.#codeId);
    this.#codeId = id;
  }

  /** @internal Runs one frame: beforeUpdate, then update for every live entity. */
  runFrame(dt: number): void {
    const methods = this.#resolveMethods(true);
    if (methods.beforeUpdate !== undefined) methods.beforeUpdate(this, dt);
    const update = methods.update;
    if (update === undefined) return;
    const selves = this.#selves;
    const n = selves.length;
    const frame = this.#host.frame;
    this.#updating = true;
    try {
      for (let i = 0; i < n; i++) {
        const self = selves[i] as FacadeInternal;
        if (self.slot >= 0 && self[FIRST_FRAME] <= frame) update(self as unknown as Self, dt);
      }
    } finally {
      this.#updating = false;
      this.#flushPending();
    }
  }

  /** @internal Entity.destroy(): runs destroy, then frees the slot (even if destroy throws). */
  release(entity: Entity<P, S>): void {
    const destroy = this.#resolveMethods().destroy;
    try {
      if (destroy !== undefined) destroy(entity.self as unknown as Self);
    } finally {
      this.#freeSlot(entity);
    }
  }

  // Zeroes and frees the entity's slot, once: a freed facade has slot -1.
  #freeSlot(entity: Entity<P, S>): void {
    const self = entity.self as unknown as FacadeInternal;
    const slot = self.slot;
    if (slot < 0) return;
    for (const { holder } of this.#holders) holder.array[slot] = 0;
    self.slot = -1;
    this.#free.push(slot);
    this.#pending.push(entity);
    if (!this.#updating) this.#flushPending();
  }

  #flushPending(): void {
    for (const entity of this.#pending) {
      const index = this.#positions.get(entity);
      if (index === undefined) continue;
      this.#positions.delete(entity);
      const last = this.#entities.length - 1;
      const moved = this.#entities[last] as Entity<P, S>;
      if (index !== last) this.#positions.set(moved, index);
      this.#entities[index] = moved;
      this.#selves[index] = this.#selves[last] as FacadeInternal;
      this.slots[index] = this.slots[last] as number;
      this.#entities.pop();
      this.#selves.pop();
      this.slots.pop();
    }
    this.#pending.length = 0;
  }

  #takeSlot(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    if (this.#next === this.#capacity) this.#grow();
    return this.#next++;
  }

  // Columns grow by replacement: a bigger block, the old contents copied. The
  // old block returns to Proto when its last JS view is collected.
  #grow(): void {
    const capacity = this.#capacity * 2;
    for (const h of this.#holders) {
      const bigger = newColumn(h.type, capacity) as Column;
      (bigger as Float64Array).set(h.holder.array as Float64Array);
      h.holder.array = bigger;
    }
    this.#capacity = capacity;
  }

  // The current methods, resolved through the `__code` cells up the
  // behaviour chain: own methods first, then the parent's, and so on.
  #resolveMethods(fromCells = false): BehaviourMethods {
    if (!fromCells && this.#methodsEpoch === this.#host.codeEpoch) return this.#methods;
    if (fromCells && this.#methodsEpoch === this.#host.codeEpoch && this.#sameCodeIds()) return this.#methods;
    const out: Record<string, unknown> = Object.create(null);
    for (let b: Behaviour | null = this as unknown as Behaviour; b !== null; b = b.parent) {
      const id = b.prototype.get(CODE);
      const methods = typeof id === "number" ? this.#host.code(id) : undefined;
      if (methods === undefined) continue;
      for (const name of METHOD_NAMES)
        if (out[name] === undefined && methods[name] !== undefined) out[name] = methods[name];
    }
    this.#methods = out as BehaviourMethods;
    this.#methodsEpoch = this.#host.codeEpoch;
    this.#sameCodeIds(true);
    return this.#methods;
  }

  // True if the `__code` cells up the chain hold the ids the methods were resolved from
  // (`record`: remember the current ids). Reads numbers only: a frame whose code did not
  // change allocates nothing here.
  #sameCodeIds(record = false): boolean {
    let i = 0;
    let same = true;
    const ids = this.#codeIds;
    for (let b: Behaviour | null = this as unknown as Behaviour; b !== null; b = b.parent, i++) {
      const id = addon().objects.get(b.prototype.handle, symbolId(CODE, "code"));
      const n = typeof id === "number" ? id : -1;
      if (record) ids[i] = n;
      else if (ids[i] !== n) same = false;
    }
    if (record) ids.length = i;
    return same && ids.length === i;
  }

  // The facade class of this behaviour: parameters are read-only own data
  // properties (same order for every entity, so one hidden class); state
  // fields are accessors on the prototype over the current columns.
  #makeFacade(): FacadeClass {
    const paramNames = this.paramNames;
    const behaviourName = this.name;
    class Facade implements FacadeInternal {
      entity: Entity;
      slot: number;
      [FIRST_FRAME]: number;
      constructor(entity: Entity, slot: number, values: readonly unknown[], firstFrame: number) {
        this.entity = entity;
        this.slot = slot;
        this[FIRST_FRAME] = firstFrame;
        for (let i = 0; i < paramNames.length; i++)
          Object.defineProperty(this, paramNames[i] as string, {
            value: values[i],
            writable: false,
            enumerable: true,
            configurable: false,
          });
        Object.seal(this);
      }
    }
    for (const { name: field, holder } of this.#holders) {
      Object.defineProperty(Facade.prototype, field, {
        enumerable: true,
        get(this: FacadeInternal): number {
          const s = this.slot;
          if (s < 0) throw deadEntity(behaviourName, field);
          return holder.array[s] as number;
        },
        set(this: FacadeInternal, value: number) {
          const s = this.slot;
          if (s < 0 || typeof value !== "number") throw badWrite(behaviourName, field, s, value);
          holder.array[s] = value;
        },
      });
    }
    return Facade;
  }
}

function deadEntity(behaviour: string, field: string): TypeError {
  return new TypeError(`'${field}' read from an entity of behaviour '${behaviour}' after destroy()`);
}

function badWrite(behaviour: string, field: string, slot: number, value: unknown): TypeError {
  if (slot < 0)
    return new TypeError(`'${field}' written to an entity of behaviour '${behaviour}' after destroy()`);
  return new TypeError(`behaviour '${behaviour}': state '${field}' must be a number, got ${describe(value)}`);
}
