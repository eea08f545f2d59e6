// engine-bridge/Lifecycle.ts — an entity starting and stopping a behaviour: components,
// object, behaviour id, the init and destroy hooks, rollback of a start that fails, and
// live tuning of parameters. Everything here runs on the main thread.
//
// Rules: a start whose init hook (or anything else) throws leaves nothing behind (no
// entity, token, parameter row or count); destroy runs once per stop, even when the hook
// removes its own entity again, and the entity is stopped even when destroy throws.
import { addComponent, hasComponent, removeComponent } from "bitecs";
import type { ProtoValue } from "../scripting/index.ts";
import { describe, toNative } from "../scripting/object.ts";
import { type BehaviourDef, paramKind } from "./Behaviour.ts";
import type { BehaviourEntry } from "./Behaviours.ts";
import type { BridgeWorld } from "./BridgeWorld.ts";
import { CommandBuffer } from "./CommandBuffer.ts";
import { ScriptError } from "./errors.ts";
import { retire } from "./handles.ts";

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

  /** Live tuning of a default (world.setParam). */
  setParam(entry: BehaviourEntry, name: string, value: ProtoValue): void {
    const where = "setParam(behaviour, name, value)";
    const def = entry.def;
    if (typeof name !== "string" || !Object.hasOwn(def.params, name))
      throw new TypeError(
        `${where}: behaviour '${def.name}' has no parameter ${typeof name === "string" ? JSON.stringify(name) : describe(name)}`,
      );
    if (!Object.hasOwn(def.ownParams, name)) {
      let owner: BehaviourDef | null = def.parent;
      while (owner !== null && !Object.hasOwn(owner.ownParams, name)) owner = owner.parent;
      throw new TypeError(
        `${where}: parameter '${name}' of '${def.name}' is inherited from '${owner?.name}': set it there`,
      );
    }
    checkKind(def, name, value, where, "value");
    entry.prototype.set(name, value);
    const world = this.#world;
    for (const d of world.behaviours.descendants(entry)) {
      world.behaviours.refreshDefaults(d);
      const j = d.numeric.indexOf(name);
      if (j < 0) continue;
      const column = d.params[j] as Float64Array;
      const n = d.numeric.length;
      const value = d.defaults[j] as number;
      for (let eid = 1; eid < world.maxEid; eid++)
        if (world.behaviourIds[eid] === d.id && d.overridden[eid * n + j] === 0) column[eid] = value;
    }
  }

  /** Live tuning of one entity's override (world.setOverride); undefined removes it. */
  setOverride(eid: number, name: string, value: ProtoValue | undefined, where: string): void {
    const world = this.#world;
    const entry = world.behaviours.byId(world.behaviourIds[eid] as number);
    if (entry === undefined) throw new TypeError(`${where}: entity ${eid} runs no behaviour`);
    const def = entry.def;
    if (typeof name !== "string" || !Object.hasOwn(def.params, name))
      throw new TypeError(
        `${where}: behaviour '${def.name}' has no parameter ${typeof name === "string" ? JSON.stringify(name) : describe(name)}`,
      );
    if (value !== undefined) checkKind(def, name, value, where, "value");
    const j = entry.numeric.indexOf(name);
    const values = { ...entry.valueOverrides.get(eid) };
    if (j >= 0) {
      entry.overridden[eid * entry.numeric.length + j] = value === undefined ? 0 : 1;
      if (value !== undefined) (entry.params[j] as Float64Array)[eid] = value as number;
    } else if (value === undefined) delete values[name];
    else values[name] = value;
    world.objects.bind(eid, entry, undefined, 0, 0, values);
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

function checkKind(def: BehaviourDef, name: string, value: unknown, where: string, what: string): void {
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
