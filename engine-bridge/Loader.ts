// engine-bridge/Loader.ts — loading, registering and hot-reloading a world's behaviours
// from modules, and the layout workers open the world with (column tokens, behaviours,
// code ids and the module URLs to import).

import { describe } from "../scripting/object.ts";
import type { BehaviourDef } from "./Behaviour.ts";
import { isBehaviourDef } from "./Behaviour.ts";
import { type BehaviourEntry, reloadUrl, withoutReload } from "./Behaviours.ts";
import type { BridgeWorld } from "./BridgeWorld.ts";
import { isComponentDef } from "./Component.ts";
import type { FieldLayout } from "./Stores.ts";

/** @internal Everything a worker needs to open the world's columns and load its behaviours. */
export interface WorldLayout {
  readonly version: number;
  readonly capacity: number;
  readonly components: readonly { readonly name: string; readonly fields: readonly FieldLayout[] }[];
  readonly behaviours: readonly {
    readonly name: string;
    readonly id: number;
    readonly codeId: number;
    /** The prototype's share token, then its ancestors'. */
    readonly chainTokens: readonly number[];
    readonly paramTokens: readonly number[];
  }[];
  /** Module URLs (with their reload query) that define the behaviours. */
  readonly modules: readonly string[];
  readonly behaviourIdsToken: number;
  readonly generationsToken: number;
  readonly objectsToken: number;
  readonly globalsToken: number;
}

/** @internal Loads behaviours into one world. */
export class Loader {
  /** Bumped when behaviours or their modules change. */
  version = 1;
  readonly #world: BridgeWorld;
  readonly #modules: string[] = [];
  readonly #tokens: { behaviourIds: number; generations: number; globals: number };

  constructor(world: BridgeWorld) {
    this.#world = world;
    const runtime = world.runtime;
    this.#tokens = {
      behaviourIds: runtime.shareColumn(world.behaviourIds),
      generations: runtime.shareColumn(world.generations),
      globals: runtime.shareColumn(world.globals),
    };
  }

  async load(module: string | URL): Promise<BehaviourDef[]> {
    const url = String(module);
    const exports = (await import(url)) as Record<string, unknown>;
    const defs: BehaviourDef[] = [];
    for (const value of Object.values(exports)) {
      if (isComponentDef(value)) this.#world.store(value);
      if (isBehaviourDef(value)) defs.push(value);
    }
    for (const def of defs) if (this.#world.behaviours.byName.get(def.name)?.def !== def) this.add(def, url);
    if (!this.#modules.includes(url)) this.#modules.push(url);
    this.version++;
    return defs;
  }

  add(def: BehaviourDef, module: string | undefined): void {
    if (!isBehaviourDef(def))
      throw new TypeError(
        `addBehaviour(def): expected a behaviour made by defineBehaviour(), got ${describe(def)}`,
      );
    const behaviours = this.#world.behaviours;
    const before = behaviours.list.length;
    behaviours.add(def, module);
    for (const entry of behaviours.list.slice(before)) this.#world.observeTag(entry);
    this.version++;
    this.#install();
  }

  async reload(module: string | URL): Promise<BehaviourDef[]> {
    const base = withoutReload(String(module));
    const url = reloadUrl(base);
    const exports = (await import(url)) as Record<string, unknown>;
    const defs = Object.values(exports).filter(isBehaviourDef);
    const world = this.#world;
    for (const entry of world.behaviours.reload(defs, url))
      for (const name of Object.keys(entry.def.ownParams))
        world.setParam(entry.def, name, entry.prototype.get(name) as never);
    const at = this.#modules.findIndex((m) => withoutReload(m) === base);
    if (at >= 0) this.#modules[at] = url;
    else this.#modules.push(url);
    this.version++;
    this.#install();
    return defs;
  }

  layout(): WorldLayout {
    const world = this.#world;
    const list = world.behaviours.list;
    const missing = list.filter((b) => b.module === undefined).map((b) => b.def.name);
    if (missing.length > 0)
      throw new TypeError(
        `behaviour(s) ${missing.join(", ")} were added with addBehaviour() and no module, so workers cannot load them; use loadBehaviours()`,
      );
    const chainTokens = (b: BehaviourEntry): number[] => {
      const out: number[] = [];
      for (let e: BehaviourEntry | undefined = b; e !== undefined; e = e.parent) out.push(e.prototypeToken);
      return out;
    };
    return {
      version: world.layoutVersion,
      capacity: world.capacity,
      components: world.stores.list.map((c) => ({ name: c.def.name, fields: c.fields })),
      behaviours: list.map((b) => ({
        name: b.def.name,
        id: b.id,
        codeId: b.codeId,
        chainTokens: chainTokens(b),
        paramTokens: b.paramTokens,
      })),
      modules: [...this.#modules],
      behaviourIdsToken: this.#tokens.behaviourIds,
      generationsToken: this.#tokens.generations,
      objectsToken: world.objects.columnToken,
      globalsToken: this.#tokens.globals,
    };
  }

  #install(): void {
    const world = this.#world;
    const list = world.behaviours.list.map((b) => ({
      id: b.id,
      def: b.def,
      params: b.params,
      chain: b.chain,
    }));
    world.runner.setBehaviours(list);
    world.installQueue(list);
  }
}

/** @internal A worker's view of module exports: every behaviour by name, with the ones they extend. */
export function behavioursByName(exports: Record<string, unknown>, into: Map<string, BehaviourDef>): void {
  for (const value of Object.values(exports))
    for (let def = isBehaviourDef(value) ? value : null; def !== null; def = def.parent)
      if (!into.has(def.name)) into.set(def.name, def);
}
