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
import { type FrameTemps, frameTemps } from "../scripting/temps.ts";
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
  type SpawnInit,
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
  /** The object ctx.spawn() returns for this script: write-only fields and parameters. */
  readonly writer: SpawnWriter;
  /** Spawn value keys: the k-th field is k, the j-th parameter fields.length + j. */
  readonly keys: ReadonlyMap<string, number>;
  list: { ids: Int32Array; count: number; frame: number };
}

/** @internal The spawn writer's state: which command its writes go to. */
interface SpawnWriter {
  command: number;
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
  readonly buffer: CommandBuffer;
  readonly temps: FrameTemps = frameTemps();
  /** True if some script defines commit(). */
  hasCommit = false;

  readonly #stores: ReadonlyMap<string, Store>;
  readonly #scriptIds: Uint32Array;
  #scripts: Prepared[] = [];
  #byName = new Map<string, Prepared>();
  readonly #errors: ErrorReport[] = [];
  // Component index (its place among the world's components, the same in every thread)
  // and field keys, cached until a component is added.
  #componentIndex = new Map<string, number>();
  #componentKeys = new Map<string, ReadonlyMap<string, number>>();
  #indexedStores = 0;

  constructor(
    thread: number,
    stores: ReadonlyMap<string, Store>,
    scriptIds: Uint32Array,
    globals: Float64Array,
    buffer?: CommandBuffer,
  ) {
    this.thread = thread;
    this.#stores = stores;
    this.#scriptIds = scriptIds;
    this.globals = globals;
    this.buffer = buffer ?? new CommandBuffer();
  }

  /** Installs (or replaces, on reload) the scripts this thread runs. */
  setScripts(scripts: readonly RunnerScript[]): void {
    const capacity = this.#scriptIds.length;
    this.#scripts = scripts.map((s) => ({
      id: s.id,
      def: s.def,
      cursor: this.#makeCursor(s),
      writer: this.#makeWriter(s.def),
      keys: spawnKeys(s.def),
      list: this.#byName.get(s.def.name)?.list ?? { ids: new Int32Array(capacity), count: 0, frame: -1 },
    }));
    this.#byName = new Map(this.#scripts.map((s) => [s.def.name, s]));
    this.hasCommit = this.#scripts.some((s) => s.def.commit !== undefined);
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
    const scripts = this.#scripts;
    for (let i = 0; i < scripts.length; i++) {
      const s = scripts[i] as Prepared;
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

  #each(lo: number, hi: number, commit: boolean): void {
    const ids = this.#scriptIds;
    const buffer = this.buffer;
    const dt = this.dt;
    const end = Math.min(hi, this.maxEid, ids.length);
    const scripts = this.#scripts;
    for (let i = 0; i < scripts.length; i++) {
      const s = scripts[i] as Prepared;
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

  /** This frame's script errors (clearErrors() empties the list). */
  get errors(): readonly ErrorReport[] {
    return this.#errors;
  }

  /** Forgets this frame's script errors. */
  clearErrors(): void {
    if (this.#errors.length > 0) this.#errors.length = 0;
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
  ): SpawnInit<C, P> {
    this.#checkQueueing("spawn");
    if (!isScriptDef(script))
      throw new TypeError(
        `spawn(script, init, overrides): expected a script made by defineScript(), got ${describe(script)}`,
      );
    const s = this.#byName.get(script.name);
    if (s === undefined)
      throw new TypeError(
        `spawn(script, init, overrides): script '${script.name}' is not loaded in this world`,
      );
    const buffer = this.buffer;
    const command = buffer.spawn(s.id);
    const fields = s.def.fields.length;
    if (init !== undefined)
      encodeValues(buffer, init, s.keys, 0, fields, "init", `script '${s.def.name}'`, "field");
    if (overrides !== undefined)
      encodeValues(
        buffer,
        overrides,
        s.keys,
        fields,
        Number.MAX_SAFE_INTEGER,
        "overrides",
        `script '${s.def.name}'`,
        "parameter",
      );
    s.writer.command = command;
    return s.writer as unknown as SpawnInit<C, P>;
  }

  despawn(eid: number): void {
    this.#checkQueueing("despawn");
    checkEntityId(eid, "despawn(eid)");
    this.buffer.despawn(eid);
  }

  add<S extends Schema>(
    eid: number,
    component: ComponentDef<S>,
    init?: Partial<{ [K in keyof S]: number }>,
  ): void {
    this.#checkQueueing("add");
    checkEntityId(eid, "add(eid, component, init)");
    this.#store(component, "add(eid, component, init)");
    const buffer = this.buffer;
    buffer.add(eid, this.#componentIndexOf(component.name));
    if (init !== undefined) {
      const keys = this.#componentKeysOf(component);
      encodeValues(buffer, init, keys, 0, keys.size, "init", `component '${component.name}'`, "field");
    }
  }

  remove(eid: number, component: ComponentDef): void {
    this.#checkQueueing("remove");
    checkEntityId(eid, "remove(eid, component)");
    this.#store(component, "remove(eid, component)");
    this.buffer.remove(eid, this.#componentIndexOf(component.name));
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

  // The object ctx.spawn(script) returns: one per script and thread, its setters add the
  // written field or parameter to the spawn it was returned for. Writes go into the
  // command buffer as numbers: spawning this way allocates nothing.
  #makeWriter(def: ScriptDef): SpawnWriter {
    const buffer = this.buffer;
    const name = def.name;
    class Writer {
      command = -1;
    }
    const keys = spawnKeys(def);
    for (const [key, k] of keys) {
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

/** The spawn value keys of a script: its fields first, then its parameters. */
function spawnKeys(def: ScriptDef): ReadonlyMap<string, number> {
  const keys = new Map<string, number>();
  for (const f of def.fields) keys.set(f.name, keys.size);
  for (const p of Object.keys(def.params)) keys.set(p, keys.size);
  return keys;
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
  kind: "field" | "parameter",
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

/** @internal Turns a worker's error report into a ScriptError. */
export function scriptError(report: ErrorReport, thread: number): ScriptError {
  return new ScriptError(report.script, report.eid, thread, report.message, report.stack);
}
