// engine-bridge/Tuning.ts — live tuning: a new default for a behaviour's parameter (a write
// of the prototype's cell, seen by every entity that does not override it) or a new override
// for one entity (a new entity object), both effective from the next frame, no reload.
import type { ProtoValue } from "../scripting/index.ts";
import { describe } from "../scripting/object.ts";
import type { BehaviourDef } from "./Behaviour.ts";
import type { BehaviourEntry } from "./Behaviours.ts";
import type { BridgeWorld } from "./BridgeWorld.ts";
import { checkKind } from "./values.ts";

/** @internal Live tuning of one world. */
export class Tuning {
  readonly #world: BridgeWorld;

  constructor(world: BridgeWorld) {
    this.#world = world;
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
}
