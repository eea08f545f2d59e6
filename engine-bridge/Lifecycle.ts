// engine-bridge/Lifecycle.ts — an entity starting and stopping a behaviour: components,
// object, behaviour id, the init and destroy hooks, rollback of a start that fails, and
// live tuning of parameters. Everything here runs on the main thread.
//
// Rules: a start whose init hook (or anything else) throws leaves nothing behind (no
// entity, token, parameter row or count); destroy runs once per stop, even when the hook
// removes its own entity again, and the entity is stopped even when destroy throws.
import { addComponent, hasComponent, removeComponent } from "bitecs";
import type { ProtoValue } from "../scripting/index.ts";
import type { BehaviourEntry } from "./Behaviours.ts";
import type { BridgeWorld } from "./BridgeWorld.ts";
import { CommandBuffer } from "./CommandBuffer.ts";
import { ScriptError } from "./errors.ts";
import { retire } from "./handles.ts";
import type { ComponentEntry } from "./Stores.ts";
import { checkOverrides, fieldValues } from "./values.ts";

// An init hook's throw, told apart from the bridge's own errors while a start is undone.
class InitError {
  readonly cause: unknown;
  constructor(cause: unknown) {
    this.cause = cause;
  }
}

/** @internal Starts and stops entities' behaviours for one world. */
export class Lifecycle {
  readonly #world: BridgeWorld;
  readonly #direct = new CommandBuffer();
  /** Errors of hooks that ran inside bitECS observers, with what they ran for. */
  readonly #errors: { error: unknown; behaviour: string; eid: number; hook: string }[] = [];
  readonly #stopping: Uint8Array;

  constructor(world: BridgeWorld) {
    this.#world = world;
    this.#stopping = new Uint8Array(world.capacity + 1);
  }

  /** world.spawn(): checks every argument before anything changes. */
  spawn(behaviour: unknown, init: unknown, overrides: unknown): number {
    const where = "spawn(behaviour, init, overrides)";
    const world = this.#world;
    const entry = world.behaviours.entry(behaviour, where);
    const def = entry.def;
    const fields = fieldValues(
      init,
      (key) => def.fields.some((f) => f.name === key),
      where,
      "init",
      `behaviour '${def.name}'`,
      "field",
    );
    const [numeric, values] = checkOverrides(entry, overrides, where);
    const buffer = this.#direct;
    buffer.clear();
    const command = buffer.spawn(entry.id);
    for (const [name, value] of fields)
      buffer.value(
        def.fields.findIndex((f) => f.name === name),
        value,
      );
    for (const [j, value] of numeric) buffer.value(def.fields.length + j, value);
    const eid = world.spawnEmpty();
    try {
      this.#startOrUndo(eid, entry, buffer, command, values, false, true);
    } catch (error) {
      throw error instanceof InitError ? error.cause : error;
    }
    return eid;
  }

  /** A spawn command, into a parked entity of the same behaviour if `parked` > 0. */
  spawnFrom(entry: BehaviourEntry, buffer: CommandBuffer, command: number, parked: number): void {
    const eid = parked > 0 ? parked : this.#world.spawnEmpty();
    try {
      this.#startOrUndo(eid, entry, buffer, command, undefined, parked > 0, true);
    } catch (error) {
      if (!(error instanceof InitError)) throw error;
      const cause = error.cause;
      throw new ScriptError(
        entry.def.name,
        eid,
        0,
        cause instanceof Error ? cause.message : String(cause),
        cause instanceof Error ? cause.stack : undefined,
        "init",
      );
    }
  }

  /** world.attach(): on failure the entity is back to what it was. */
  attach(eid: number, entry: BehaviourEntry, overrides: unknown, where: string): void {
    const world = this.#world;
    const [numeric, values] = checkOverrides(entry, overrides, where);
    if ((world.behaviourIds[eid] as number) !== 0)
      throw new TypeError(`${where}: entity ${eid} runs a behaviour already; detach(entity) it first`);
    const missing = entry.stores.filter((store) => !hasComponent(world.ecs, eid, store));
    const buffer = this.#direct;
    buffer.clear();
    const command = buffer.spawn(entry.id);
    for (const [j, value] of numeric) buffer.value(entry.def.fields.length + j, value);
    try {
      this.#start(eid, entry, buffer, command, values, false);
    } catch (error) {
      this.#undo(eid, entry);
      if (hasComponent(world.ecs, eid, entry.tag)) removeComponent(world.ecs, eid, entry.tag);
      for (const store of missing) removeComponent(world.ecs, eid, store);
      throw error instanceof InitError ? error.cause : error;
    }
  }

  #startOrUndo(
    eid: number,
    entry: BehaviourEntry,
    buffer: CommandBuffer,
    command: number,
    values: Record<string, ProtoValue> | undefined,
    reuse: boolean,
    remove: boolean,
  ): void {
    try {
      this.#start(eid, entry, buffer, command, values ?? {}, reuse);
    } catch (error) {
      // Nothing half-done stays: the binding goes, whether or not bitECS's onRemove
      // observers get to see the tag (the behaviour id is 0 by then), then the entity.
      this.#undo(eid, entry);
      if (remove) this.#world.removeFromEcs(eid);
      throw error;
    }
  }

  #start(
    eid: number,
    entry: BehaviourEntry,
    buffer: CommandBuffer,
    command: number,
    values: Record<string, ProtoValue>,
    reuse: boolean,
  ): void {
    const world = this.#world;
    if (!reuse) {
      if ((world.behaviourIds[eid] as number) !== 0)
        throw new TypeError(`spawn: entity ${eid} runs a behaviour already`);
      for (const store of entry.stores)
        if (!hasComponent(world.ecs, eid, store)) addComponent(world.ecs, eid, store);
    } else {
      // A parked entity keeps its components (and tag): zero them as fresh ones would be.
      for (const store of entry.stores)
        for (const column of Object.values(store)) (column as Float64Array)[eid] = 0;
    }
    const fields = entry.fieldArrays;
    const start = buffer.valueStart(command);
    const end = start + buffer.valueCountOf(command);
    for (let p = start; p < end; p++) {
      const k = buffer.key(p);
      if (k < fields.length) (fields[k] as Float64Array)[eid] = buffer.valueAt(p);
    }
    world.objects.bind(eid, entry, buffer, start, end, values);
    world.behaviourIds[eid] = entry.id;
    entry.count++;
    if (!reuse) addComponent(world.ecs, eid, entry.tag);
    this.#runHook(entry, eid, "init", true);
  }

  // Unbinds without running destroy: the entity never ran (or just stopped).
  #undo(eid: number, entry: BehaviourEntry): void {
    const world = this.#world;
    if ((world.behaviourIds[eid] as number) === entry.id) entry.count--;
    world.objects.release(eid, entry);
    world.behaviourIds[eid] = 0;
  }

  /** The tag's onRemove observer: runs destroy once, then unbinds (even if destroy throws). */
  stop(eid: number): void {
    const world = this.#world;
    const entry = world.behaviours.byId(world.behaviourIds[eid] as number);
    if (entry === undefined || this.#stopping[eid] === 1) return;
    this.#stopping[eid] = 1;
    try {
      this.#runHook(entry, eid, "destroy", false);
    } finally {
      this.#stopping[eid] = 0;
      this.#undo(eid, entry);
    }
  }

  /** Adds a component with a command's values (an add command). */
  addComponent(eid: number, component: ComponentEntry, buffer: CommandBuffer, command: number): void {
    addComponent(this.#world.ecs, eid, component.store);
    const arrays = component.arrays;
    for (let p = buffer.valueStart(command), end = p + buffer.valueCountOf(command); p < end; p++)
      (arrays[buffer.key(p)] as Float64Array)[eid] = buffer.valueAt(p);
  }

  /** Removes a component; removing one the entity's behaviour uses stops the behaviour first. */
  removeComponent(eid: number, component: ComponentEntry): void {
    const world = this.#world;
    const entry = world.behaviours.byId(world.behaviourIds[eid] as number);
    if (entry?.def.uses.some((c) => c.name === component.def.name))
      removeComponent(world.ecs, eid, entry.tag);
    removeComponent(world.ecs, eid, component.store);
  }

  /** Removes a live entity (parks it instead when `parking` and its behaviour recycles). */
  removeEntity(eid: number, parking = false): void {
    if (this.#stopping[eid] === 1) return; // destroy removing its own entity again
    if (parking && this.#park(eid)) return;
    this.#world.removeFromEcs(eid);
  }

  /** Runs `change`, then rethrows the first error a destroy hook threw meanwhile (direct calls). */
  afterHooks(change: () => void): void {
    const before = this.#errors.length;
    change();
    if (this.#errors.length > before) {
      const [first] = this.#errors.splice(before);
      throw first?.error;
    }
  }

  /** Moves hook errors into a frame's errors, as ScriptErrors. */
  takeErrors(errors: Error[]): void {
    if (this.#errors.length === 0) return;
    for (const e of this.#errors.splice(0)) {
      const error = e.error;
      errors.push(
        new ScriptError(
          e.behaviour,
          e.eid,
          0,
          error instanceof Error ? error.message : String(error),
          error instanceof Error ? error.stack : undefined,
          e.hook,
        ),
      );
    }
  }

  // A recycled despawn: stop the behaviour (destroy runs) and keep the entity, components
  // and all, for a spawn of the same behaviour this frame. False for an entity that carries
  // a component its behaviour does not use (it is removed normally).
  #park(eid: number): boolean {
    const world = this.#world;
    const entry = world.behaviours.byId(world.behaviourIds[eid] as number);
    if (entry === undefined || !entry.def.recycle) return false;
    for (const component of world.stores.list)
      if (!entry.stores.includes(component.store) && hasComponent(world.ecs, eid, component.store))
        return false;
    entry.parked ??= new Int32Array(world.capacity + 1);
    this.stop(eid);
    retire(world.generations, eid);
    entry.parked[entry.parkedCount++] = eid;
    return true;
  }

  // Runs init or destroy with the main runner's cursor (saved and restored: a direct spawn
  // may come from inside another entity's update). `rethrow`: init's error undoes the start.
  #runHook(entry: BehaviourEntry, eid: number, hook: "init" | "destroy", rethrow: boolean): void {
    const b = this.#world.runner.behaviour(entry.id);
    const fn = b?.hooks[hook] as ((self: unknown) => void) | undefined;
    if (b === undefined || fn === undefined) return;
    const cursor = b.cursor;
    const saved = cursor.eid;
    cursor.eid = eid;
    try {
      fn(cursor);
    } catch (error) {
      if (rethrow) throw new InitError(error);
      this.#errors.push({ error, behaviour: entry.def.name, eid, hook });
    } finally {
      cursor.eid = saved;
    }
  }
}
