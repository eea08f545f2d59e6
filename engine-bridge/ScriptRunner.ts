// engine-bridge/ScriptRunner.ts — runs behaviour scripts over a range of entity rows in
// one thread (the main thread, or a worker of the pool). It knows the world only through
// typed arrays over Proto columns: component stores, the per-row script id column and the
// per-script parameter columns, so the same code runs anywhere the columns are open.
//
// Hot path: one `self` cursor object per script whose accessors read and write the
// columns at `self.eid`; no call into the addon per entity. Parameters were resolved
// through Proto when the entity was attached (objects are immutable, so the cached
// values never go stale) and sit in f64 columns.

import { describe } from "../scripting/object.ts";
import { CommandBuffer, OUTSIDE_UPDATE } from "./CommandBuffer.ts";
import { type ComponentDef, isComponentDef, type Schema, type Store } from "./Component.ts";
import { checkEntityId, ScriptError } from "./errors.ts";
import {
  type EntityList,
  type Fields,
  isScriptDef,
  type ScriptContext,
  type ScriptDef,
  type ScriptParams,
} from "./Script.ts";

/** @internal A script as one thread runs it. */
export interface RunnerScript {
  readonly id: number;
  readonly def: ScriptDef;
  /** Parameter columns, in the order of Object.keys(def.params). */
  readonly params: readonly Float64Array[];
}

interface Prepared {
  readonly id: number;
  readonly def: ScriptDef;
  readonly cursor: { eid: number };
  list: { ids: Int32Array; count: number; frame: number };
}

/** @internal A serialisable description of a script error (posted by workers). */
export interface ErrorReport {
  readonly script: string;
  readonly eid: number;
  readonly message: string;
  readonly stack: string | undefined;
}

/** @internal Runs scripts for one thread. */
export class ScriptRunner implements ScriptContext {
  frame = 0;
  time = 0;
  dt = 0;
  maxEid = 1;
  readonly thread: number;
  readonly globals: Float64Array;
  readonly buffer = new CommandBuffer();

  readonly #stores: ReadonlyMap<string, Store>;
  readonly #scriptIds: Uint32Array;
  #scripts: Prepared[] = [];
  #byName = new Map<string, Prepared>();
  readonly #errors: ErrorReport[] = [];

  constructor(
    thread: number,
    stores: ReadonlyMap<string, Store>,
    scriptIds: Uint32Array,
    globals: Float64Array,
  ) {
    this.thread = thread;
    this.#stores = stores;
    this.#scriptIds = scriptIds;
    this.globals = globals;
  }

  /** Installs (or replaces, on reload) the scripts this thread runs. */
  setScripts(scripts: readonly RunnerScript[]): void {
    const capacity = this.#scriptIds.length;
    this.#scripts = scripts.map((s) => ({
      id: s.id,
      def: s.def,
      cursor: this.#makeCursor(s),
      list: this.#byName.get(s.def.name)?.list ?? { ids: new Int32Array(capacity), count: 0, frame: -1 },
    }));
    this.#byName = new Map(this.#scripts.map((s) => [s.def.name, s]));
  }

  /** Sets the frame's clock before prepare/update. */
  beginFrame(frame: number, time: number, dt: number, maxEid: number): void {
    this.frame = frame;
    this.time = time;
    this.dt = dt;
    this.maxEid = maxEid;
  }

  /** Runs every script's prepare hook (scripts with no entities are skipped). */
  prepare(): void {
    for (const s of this.#scripts) {
      const prepare = s.def.prepare;
      if (prepare === undefined || this.entities(s.def.name).count === 0) continue;
      try {
        prepare.call(s.def, this);
      } catch (error) {
        this.#report(s.def.name, -1, error);
      }
    }
  }

  /** Runs update() for every scripted entity with id in [lo, hi), script by script, ascending ids. */
  update(lo: number, hi: number): void {
    this.#each(lo, hi, false);
  }

  /** Runs commit() (where scripts define it) for every scripted entity with id in [lo, hi). */
  commit(lo: number, hi: number): void {
    this.#each(lo, hi, true);
  }

  /** True if some script defines commit(). */
  get hasCommit(): boolean {
    return this.#scripts.some((s) => s.def.commit !== undefined);
  }

  #each(lo: number, hi: number, commit: boolean): void {
    const ids = this.#scriptIds;
    const buffer = this.buffer;
    const dt = this.dt;
    const end = Math.min(hi, this.maxEid, ids.length);
    for (const s of this.#scripts) {
      const id = s.id;
      const cursor = s.cursor;
      const run = (commit ? s.def.commit : s.def.update) as
        | ((self: unknown, dt: number, ctx: ScriptContext) => void)
        | undefined;
      if (run === undefined) continue;
      let row = Math.max(lo, 1);
      while (row < end) {
        try {
          for (; row < end; row++) {
            if (ids[row] !== id) continue;
            cursor.eid = row;
            buffer.issuer = row;
            run(cursor, dt, this);
          }
        } catch (error) {
          this.#report(s.def.name, row, error);
          row++;
        }
      }
    }
    buffer.issuer = OUTSIDE_UPDATE;
  }

  /** Takes this frame's script errors. */
  takeErrors(): ErrorReport[] {
    return this.#errors.splice(0);
  }

  // ---- ScriptContext ----------------------------------------------------------------

  store<S extends Schema>(component: ComponentDef<S>): Store<S> {
    return this.#store(component, "store(component)") as Store<S>;
  }

  entities(script: ScriptDef | string): EntityList {
    if (typeof script !== "string" && !isScriptDef(script))
      throw new TypeError(
        `entities(script): expected a script made by defineScript() (or its name), got ${describe(script)}`,
      );
    const name = typeof script === "string" ? script : script.name;
    const s = this.#byName.get(name);
    if (s === undefined)
      throw new TypeError(`entities(script): script '${name}' is not loaded in this world`);
    const list = s.list;
    if (list.frame !== this.frame) {
      const ids = this.#scriptIds;
      const out = list.ids;
      const id = s.id;
      const end = Math.min(this.maxEid, ids.length);
      let n = 0;
      for (let row = 1; row < end; row++) if (ids[row] === id) out[n++] = row;
      list.count = n;
      list.frame = this.frame;
    }
    return list;
  }

  spawn<C extends readonly ComponentDef[], P extends ScriptParams>(
    script: ScriptDef<C, P>,
    init?: Partial<Fields<C>>,
    overrides?: Partial<{ [K in keyof P]: number }>,
  ): void {
    this.#checkQueueing("spawn");
    if (!isScriptDef(script))
      throw new TypeError(
        `spawn(script, init, overrides): expected a script made by defineScript(), got ${describe(script)}`,
      );
    if (!this.#byName.has(script.name))
      throw new TypeError(
        `spawn(script, init, overrides): script '${script.name}' is not loaded in this world`,
      );
    this.buffer.push({
      op: "spawn",
      script: script.name,
      init: init as Record<string, number> | undefined,
      overrides: overrides as Record<string, number> | undefined,
    });
  }

  despawn(eid: number): void {
    this.#checkQueueing("despawn");
    checkEntityId(eid, "despawn(eid)");
    this.buffer.push({ op: "despawn", eid });
  }

  add<S extends Schema>(
    eid: number,
    component: ComponentDef<S>,
    init?: Partial<{ [K in keyof S]: number }>,
  ): void {
    this.#checkQueueing("add");
    checkEntityId(eid, "add(eid, component, init)");
    this.#store(component, "add(eid, component, init)");
    this.buffer.push({
      op: "add",
      eid,
      component: component.name,
      init: init as Record<string, number> | undefined,
    });
  }

  remove(eid: number, component: ComponentDef): void {
    this.#checkQueueing("remove");
    checkEntityId(eid, "remove(eid, component)");
    this.#store(component, "remove(eid, component)");
    this.buffer.push({ op: "remove", eid, component: component.name });
  }

  // ---- internals ----------------------------------------------------------------------

  #store(component: unknown, where: string): Store {
    if (!isComponentDef(component))
      throw new TypeError(
        `${where}: expected a component made by defineComponent(), got ${describe(component)}`,
      );
    const store = this.#stores.get(component.name);
    if (store === undefined)
      throw new TypeError(`${where}: component '${component.name}' is not part of this world`);
    return store;
  }

  #checkQueueing(what: string): void {
    if (this.buffer.issuer === OUTSIDE_UPDATE)
      throw new TypeError(
        `${what}() was called outside update(): prepare() runs once in every thread, so structural changes ` +
          "must be queued from update() (or from systems, through BridgeWorld.commands)",
      );
  }

  #report(script: string, eid: number, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error ? error.stack : undefined;
    this.#errors.push({ script, eid, message, stack });
  }

  // One class per script per thread: accessors close over this thread's typed arrays, so
  // each property access is a monomorphic typed-array load or store at `this.eid`.
  #makeCursor(s: RunnerScript): { eid: number } {
    const name = s.def.name;
    class Cursor {
      eid = 0;
    }
    for (const { name: field, component } of s.def.fields) {
      const store = this.#stores.get(component);
      if (store === undefined)
        throw new TypeError(`script '${name}': component '${component}' is not part of this world`);
      const array = (store as Record<string, Float64Array>)[field] as Float64Array;
      Object.defineProperty(Cursor.prototype, field, {
        enumerable: true,
        get(this: Cursor): number {
          return array[this.eid] as number;
        },
        set(this: Cursor, value: number) {
          array[this.eid] = value;
        },
      });
    }
    Object.keys(s.def.params).forEach((param, i) => {
      const column = s.params[i] as Float64Array;
      Object.defineProperty(Cursor.prototype, param, {
        enumerable: true,
        get(this: Cursor): number {
          return column[this.eid] as number;
        },
        set() {
          throw new TypeError(
            `script '${name}': parameter '${param}' is read-only (parameters are immutable)`,
          );
        },
      });
    });
    return new Cursor();
  }
}

/** @internal Turns a worker's error report into a ScriptError. */
export function scriptError(report: ErrorReport, thread: number): ScriptError {
  return new ScriptError(report.script, report.eid, thread, report.message, report.stack);
}
