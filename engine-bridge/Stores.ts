// engine-bridge/Stores.ts — a world's component stores: one fixed-capacity Proto column per
// field (capacity + 1 rows, indexed by entity id), registered on first use. A store is the
// bitECS component; its columns are shared with workers through share tokens.
import { observe, onAdd, type World } from "bitecs";
import type { Runtime } from "../scripting/index.ts";
import { describe } from "../scripting/object.ts";
import { type ComponentDef, type FieldType, isComponentDef, type Schema, type Store } from "./Component.ts";
import { CapacityError } from "./errors.ts";

/** @internal How a thread opens one field's column. */
export interface FieldLayout {
  readonly name: string;
  readonly type: FieldType;
  readonly token: number;
}

/** @internal A registered component. */
export interface ComponentEntry {
  readonly def: ComponentDef;
  readonly store: Store;
  readonly fields: readonly FieldLayout[];
  readonly arrays: readonly Float64Array[]; // in schema order: an add command's key k is the k-th
}

/** @internal The component stores of one world. */
export class Stores {
  /** Stores by component name, in registration order (the order every thread indexes). */
  readonly byName = new Map<string, Store>();
  /** Components in registration order. */
  readonly list: ComponentEntry[] = [];
  /** Bumped when a component is registered. */
  version = 0;
  readonly #entries = new Map<string, ComponentEntry>();

  readonly runtime: Runtime;
  readonly ecs: World;
  readonly capacity: number;

  constructor(runtime: Runtime, ecs: World, capacity: number) {
    this.runtime = runtime;
    this.ecs = ecs;
    this.capacity = capacity;
  }

  /** The store of `component`, registered on first use; two definitions may not share a name. */
  store<S extends Schema>(component: ComponentDef<S>): Store<S> {
    if (!isComponentDef(component))
      throw new TypeError(
        `store(component): expected a component made by defineComponent(), got ${describe(component)}`,
      );
    const known = this.#entries.get(component.name);
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
    const arrays = Object.values(store);
    const entry: ComponentEntry = { def: component, store: frozen, fields, arrays };
    this.#entries.set(component.name, entry);
    this.list.push(entry);
    this.byName.set(component.name, frozen);
    this.version++;
    // Every component starts zeroed (rows are recycled), and raw bitECS use past the
    // capacity is caught here rather than writing outside the columns.
    const capacity = this.capacity;
    observe(this.ecs, onAdd(frozen), (eid: number) => {
      if (eid > capacity) throw new CapacityError(capacity, `adding '${component.name}' to entity ${eid}`);
      for (const column of arrays) column[eid] = 0;
    });
    return frozen;
  }

  /** The registered component named `name` (TypeError if none). */
  entry(name: string): ComponentEntry {
    const entry = this.#entries.get(name);
    if (entry === undefined) throw new TypeError(`component '${name}' is not part of this world`);
    return entry;
  }
}
