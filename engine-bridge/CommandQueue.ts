// engine-bridge/CommandQueue.ts — the structural changes a thread queues during a frame
// (spawn, despawn, add, remove), encoded as numbers into its CommandBuffer. Hooks queue
// through their runner's queue (ctx.spawn…), systems and the host through the world's
// (BridgeWorld.commands); the main thread applies them all at frame end (Commands.ts).
import { describe } from "../scripting/object.ts";
import {
  type BehaviourDef,
  type BehaviourParams,
  type Fields,
  isBehaviourDef,
  type NumericParams,
  numericParams,
  type SpawnInit,
} from "./Behaviour.ts";
import { type CommandBuffer, OUTSIDE_UPDATE } from "./CommandBuffer.ts";
import { type ComponentDef, isComponentDef, type Schema, type Store } from "./Component.ts";
import { checkEntityRef } from "./errors.ts";

/** @internal What a queue knows of a behaviour: its id and spawn keys. */
export interface QueuedBehaviour {
  readonly id: number;
  readonly def: BehaviourDef;
  /** Spawn value keys: the k-th field is k, the j-th numeric parameter fields.length + j. */
  readonly keys: ReadonlyMap<string, number>;
  /** The object spawn() returns for this behaviour: write-only fields and parameters. */
  readonly writer: { command: number };
}

/** @internal The spawn value keys of a behaviour: its fields first, then its numeric parameters. */
export function spawnKeys(def: BehaviourDef): ReadonlyMap<string, number> {
  const keys = new Map<string, number>();
  for (const f of def.fields) keys.set(f.name, keys.size);
  for (const p of numericParams(def)) keys.set(p, keys.size);
  return keys;
}

/** @internal Queues structural changes into one CommandBuffer. */
export class CommandQueue {
  readonly buffer: CommandBuffer;
  #behaviours = new Map<string, QueuedBehaviour>();
  readonly #stores: ReadonlyMap<string, Store>;
  // Component index (its place among the world's components, the same in every thread)
  // and field keys, cached until a component is added.
  #componentIndex = new Map<string, number>();
  #componentKeys = new Map<string, ReadonlyMap<string, number>>();
  #indexedStores = 0;
  /** True for a queue hooks use: queueing is refused outside update and commit. */
  readonly #hooks: boolean;

  constructor(stores: ReadonlyMap<string, Store>, buffer: CommandBuffer, hooks: boolean) {
    this.#stores = stores;
    this.buffer = buffer;
    this.#hooks = hooks;
  }

  /** Installs (or replaces, on reload) the behaviours spawn() knows. */
  setBehaviours(behaviours: readonly { id: number; def: BehaviourDef }[]): void {
    this.#behaviours = new Map(
      behaviours.map((b) => [
        b.def.name,
        { id: b.id, def: b.def, keys: spawnKeys(b.def), writer: this.#makeWriter(b.def) },
      ]),
    );
  }

  spawn<C extends readonly ComponentDef[], P extends BehaviourParams>(
    behaviour: BehaviourDef<C, P>,
    init?: Partial<Fields<C>>,
    overrides?: Partial<NumericParams<P>>,
  ): SpawnInit<C, P> {
    this.#checkQueueing("spawn");
    const where = "spawn(behaviour, init, overrides)";
    if (!isBehaviourDef(behaviour))
      throw new TypeError(
        `${where}: expected a behaviour made by defineBehaviour(), got ${describe(behaviour)}`,
      );
    const b = this.#behaviours.get(behaviour.name);
    if (b === undefined)
      throw new TypeError(`${where}: behaviour '${behaviour.name}' is not loaded in this world`);
    const buffer = this.buffer;
    const command = buffer.spawn(b.id);
    const fields = b.def.fields.length;
    const owner = `behaviour '${b.def.name}'`;
    if (init !== undefined) encodeValues(buffer, init, b.keys, 0, fields, "init", owner, "field");
    if (overrides !== undefined)
      encodeValues(
        buffer,
        overrides,
        b.keys,
        fields,
        Number.MAX_SAFE_INTEGER,
        "overrides",
        owner,
        "numeric parameter",
      );
    b.writer.command = command;
    return b.writer as unknown as SpawnInit<C, P>;
  }

  despawn(entity: number): void {
    this.#checkQueueing("despawn");
    checkEntityRef(entity, "despawn(entity)");
    this.buffer.despawn(entity);
  }

  add<S extends Schema>(
    entity: number,
    component: ComponentDef<S>,
    init?: Partial<{ [K in keyof S]: number }>,
  ): void {
    const where = "add(entity, component, init)";
    this.#checkQueueing("add");
    checkEntityRef(entity, where);
    this.store(component, where);
    const buffer = this.buffer;
    buffer.add(entity, this.#componentIndexOf(component.name));
    if (init !== undefined) {
      const keys = this.#componentKeysOf(component);
      encodeValues(buffer, init, keys, 0, keys.size, "init", `component '${component.name}'`, "field");
    }
  }

  remove(entity: number, component: ComponentDef): void {
    const where = "remove(entity, component)";
    this.#checkQueueing("remove");
    checkEntityRef(entity, where);
    this.store(component, where);
    this.buffer.remove(entity, this.#componentIndexOf(component.name));
  }

  /** A component's store in this thread (TypeError for anything else, naming `where`). */
  store(component: unknown, where: string): Store {
    if (!isComponentDef(component))
      throw new TypeError(
        `${where}: expected a component made by defineComponent(), got ${describe(component)}`,
      );
    const store = this.#stores.get(component.name);
    if (store === undefined)
      throw new TypeError(`${where}: component '${component.name}' is not part of this world`);
    return store;
  }

  // The component's place among the world's components (registration order, the same
  // in every thread: workers fill their stores in the layout's order).
  #componentIndexOf(name: string): number {
    if (this.#indexedStores !== this.#stores.size) {
      this.#componentIndex = new Map();
      let i = 0;
      for (const key of this.#stores.keys()) this.#componentIndex.set(key, i++);
      this.#indexedStores = this.#stores.size;
    }
    return this.#componentIndex.get(name) as number;
  }

  #componentKeysOf(component: ComponentDef): ReadonlyMap<string, number> {
    let keys = this.#componentKeys.get(component.name);
    if (keys === undefined) {
      keys = new Map(Object.keys(component.schema).map((field, i) => [field, i]));
      this.#componentKeys.set(component.name, keys);
    }
    return keys;
  }

  // The object spawn(behaviour) returns: one per behaviour and queue; its setters add the
  // written field or parameter to the spawn it was returned for, as numbers in the buffer.
  #makeWriter(def: BehaviourDef): { command: number } {
    const buffer = this.buffer;
    const name = def.name;
    class Writer {
      command = -1;
    }
    for (const [key, k] of spawnKeys(def)) {
      Object.defineProperty(Writer.prototype, key, {
        enumerable: true,
        set(this: Writer, value: number) {
          if (typeof value !== "number")
            throw new TypeError(`spawn(${name}).${key}: expected a number, got ${describe(value)}`);
          if (!buffer.isLast(this.command))
            throw new TypeError(
              `spawn(${name}).${key}: write the new entity's fields right after spawn(), before queueing another command`,
            );
          buffer.value(k, value);
        },
      });
    }
    return Object.seal(new Writer());
  }

  #checkQueueing(what: string): void {
    if (this.#hooks && this.buffer.issuer === OUTSIDE_UPDATE)
      throw new TypeError(
        `${what}() was called outside update() and commit(): prepare() runs once in every thread, so ` +
          "structural changes must be queued from update() (or from systems, through BridgeWorld.commands)",
      );
  }
}

/**
 * Adds the caller's own enumerable values to the buffer's last command: each a known name
 * whose key is in [lo, hi), with a number value. Anything else becomes the command's problem
 * (reported when it is applied, in the words applying it directly would use). Reads with
 * for-in over own keys: no key array is made.
 */
function encodeValues(
  buffer: CommandBuffer,
  values: unknown,
  keys: ReadonlyMap<string, number>,
  lo: number,
  hi: number,
  what: string,
  owner: string,
  kind: string,
): void {
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    buffer.problem(`: expected ${what} to be an object of ${kind} values, got ${describe(values)}`);
    return;
  }
  for (const key in values) {
    if (!Object.hasOwn(values, key)) continue;
    const k = keys.get(key);
    if (k === undefined || k < lo || k >= hi) {
      buffer.problem(`: ${owner} has no ${kind} ${JSON.stringify(key)}`);
      return;
    }
    const value = (values as Record<string, unknown>)[key];
    if (typeof value !== "number") {
      buffer.problem(`: expected ${what}.${key} to be a number, got ${describe(value)}`);
      return;
    }
    buffer.value(k, value);
  }
}
