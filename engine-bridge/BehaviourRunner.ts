// engine-bridge/BehaviourRunner.ts — runs behaviour hooks over a range of entity rows in one
// thread (the main thread, or a worker of the pool). It knows the world through typed
// arrays over Proto columns (component stores, the per-row behaviour id, generations and
// object tokens, per-behaviour parameter columns) and through each behaviour's Proto
// prototype, so the same code runs anywhere those are open.
//
// Hooks come from the prototypes' `__code` cells: each frame the runner reads the cell of
// every prototype up each behaviour's chain (a few numbers) and, when one changed (a hot
// reload, in any thread), resolves the hooks again from this thread's code table: own
// hook first, then the parent's, and so on. Hot path: one `self` cursor per behaviour whose
// accessors read and write the columns at `self.eid`; no addon call per entity.
import type { ProtoObject, Runtime } from "../scripting/index.ts";
import { describe } from "../scripting/object.ts";
import { type FrameTemps, frameTemps } from "../scripting/temps.ts";
import {
  type AnyHooks,
  type BehaviourContext,
  type BehaviourDef,
  type EntityList,
  HOOKS,
  isBehaviourDef,
  numericParams,
} from "./Behaviour.ts";
import { CommandBuffer, OUTSIDE_UPDATE } from "./CommandBuffer.ts";
import { CommandQueue } from "./CommandQueue.ts";
import type { ComponentDef, Schema, Store } from "./Component.ts";
import { checkEntityRef, ScriptError } from "./errors.ts";
import { handleOf, liveRow } from "./handles.ts";

/** @internal A behaviour as one thread runs it. */
export interface RunnerBehaviour {
  readonly id: number;
  readonly def: BehaviourDef;
  /** Numeric parameter columns, in numericParams(def) order. */
  readonly params: readonly Float64Array[];
  /** Its prototype, then its ancestors' (as this thread opened them). */
  readonly chain: readonly ProtoObject[];
}

/** @internal The columns a runner reads the world through. */
export interface RunnerColumns {
  readonly stores: ReadonlyMap<string, Store>;
  /** Behaviour id per row (0: none). */
  readonly behaviourIds: Uint32Array;
  readonly generations: Uint32Array;
  /** Share token of each row's entity object (0: none). */
  readonly tokens: Float64Array;
  readonly globals: Float64Array;
}

interface Prepared extends RunnerBehaviour {
  readonly cursor: { eid: number };
  hooks: AnyHooks;
  readonly codeIds: number[];
  list: { ids: Int32Array; count: number; frame: number };
}

/** @internal A serialisable description of a hook error (posted by workers). */
export interface ErrorReport {
  readonly script: string;
  readonly eid: number;
  readonly message: string;
  readonly stack: string | undefined;
}

type RowHook = (self: unknown, dt: number, ctx: BehaviourContext) => void;

/** @internal Runs behaviours for one thread. */
export class BehaviourRunner implements BehaviourContext {
  frame = 0;
  time = 0;
  dt = 0;
  maxEid = 1;
  readonly thread: number;
  readonly globals: Float64Array;
  readonly queue: CommandQueue;
  // The commands of BehaviourContext: this thread's queue's.
  readonly spawn: CommandQueue["spawn"];
  readonly despawn: CommandQueue["despawn"];
  readonly add: CommandQueue["add"];
  readonly remove: CommandQueue["remove"];
  readonly temps: FrameTemps = frameTemps();
  /** True if some behaviour has a commit hook. */
  hasCommit = false;

  readonly #runtime: Runtime;
  readonly #columns: RunnerColumns;
  readonly #code: ReadonlyMap<number, AnyHooks>;
  #behaviours: Prepared[] = [];
  #byName = new Map<string, Prepared>();
  #byId: (Prepared | undefined)[] = [];
  readonly #errors: ErrorReport[] = [];
  // Entity objects opened in this thread, and the token each was opened from.
  readonly #objects: (ProtoObject | undefined)[] = [];
  readonly #objectTokens: Float64Array;
  readonly #alive = (eid: number): boolean => eid > 0 && eid < this.#columns.behaviourIds.length;

  constructor(
    thread: number,
    runtime: Runtime,
    columns: RunnerColumns,
    code: ReadonlyMap<number, AnyHooks>,
    buffer = new CommandBuffer(),
  ) {
    this.thread = thread;
    this.#runtime = runtime;
    this.#columns = columns;
    this.#code = code;
    this.globals = columns.globals;
    this.queue = new CommandQueue(columns.stores, buffer, true);
    const queue = this.queue;
    this.spawn = queue.spawn.bind(queue);
    this.despawn = queue.despawn.bind(queue);
    this.add = queue.add.bind(queue);
    this.remove = queue.remove.bind(queue);
    this.#objectTokens = new Float64Array(columns.tokens.length);
  }

  /** The buffer this thread's hooks queue into. */
  get buffer(): CommandBuffer {
    return this.queue.buffer;
  }

  /** Installs (or replaces, on reload) the behaviours this thread runs. */
  setBehaviours(behaviours: readonly RunnerBehaviour[]): void {
    const capacity = this.#columns.behaviourIds.length;
    this.#behaviours = behaviours.map((b) => ({
      ...b,
      cursor: this.#makeCursor(b),
      hooks: Object.create(null) as AnyHooks,
      codeIds: [],
      list: this.#byName.get(b.def.name)?.list ?? { ids: new Int32Array(capacity), count: 0, frame: -1 },
    }));
    this.#byName = new Map(this.#behaviours.map((b) => [b.def.name, b]));
    this.#byId = [];
    for (const b of this.#behaviours) this.#byId[b.id] = b;
    this.queue.setBehaviours(behaviours);
    this.refreshCode();
  }

  /** Reads every prototype's `__code` cell and resolves the hooks of behaviours whose code changed. */
  refreshCode(): void {
    let commit = false;
    const behaviours = this.#behaviours;
    for (let i = 0; i < behaviours.length; i++) {
      const b = behaviours[i] as Prepared;
      const chain = b.chain;
      let changed = b.codeIds.length !== chain.length;
      for (let k = 0; k < chain.length; k++) {
        const id = (chain[k] as ProtoObject).get("__code") as number;
        if (b.codeIds[k] !== id) {
          b.codeIds[k] = id;
          changed = true;
        }
      }
      if (changed) b.hooks = this.#resolve(b);
      if (b.hooks.commit !== undefined) commit = true;
    }
    this.hasCommit = commit;
  }

  #resolve(b: Prepared): AnyHooks {
    const out: Record<string, unknown> = Object.create(null);
    for (let k = 0; k < b.codeIds.length; k++) {
      const hooks = this.#code.get(b.codeIds[k] as number);
      if (hooks === undefined)
        throw new Error(
          `behaviour '${b.def.name}': code ${b.codeIds[k]} is not loaded in thread ${this.thread}`,
        );
      for (const name of HOOKS)
        if (out[name] === undefined && hooks[name] !== undefined) out[name] = hooks[name];
    }
    return out as AnyHooks;
  }

  /** @internal The current hooks and cursor of behaviour `id` (init and destroy run through them). */
  behaviour(
    id: number,
  ): { readonly hooks: AnyHooks; readonly cursor: { eid: number }; readonly def: BehaviourDef } | undefined {
    return this.#byId[id];
  }

  /** Sets the frame's clock and picks up reloaded code, before prepare/update. */
  beginFrame(frame: number, time: number, dt: number, maxEid: number): void {
    this.frame = frame;
    this.time = time;
    this.dt = dt;
    this.maxEid = maxEid;
    this.refreshCode();
  }

  /** Runs every behaviour's prepare hook (behaviours with no entities are skipped). */
  prepare(): void {
    const behaviours = this.#behaviours;
    for (let i = 0; i < behaviours.length; i++) {
      const b = behaviours[i] as Prepared;
      const prepare = b.hooks.prepare;
      if (prepare === undefined || this.entities(b.def.name).count === 0) continue;
      try {
        prepare(this);
      } catch (error) {
        this.report(b.def.name, -1, error);
      }
    }
  }

  /** Runs update for every entity with id in [lo, hi), behaviour by behaviour, ascending ids. */
  update(lo: number, hi: number): void {
    this.#each(lo, hi, false);
  }

  /** Runs commit (where behaviours have it) for every entity with id in [lo, hi). */
  commit(lo: number, hi: number): void {
    this.#each(lo, hi, true);
  }

  #each(lo: number, hi: number, commit: boolean): void {
    const ids = this.#columns.behaviourIds;
    const buffer = this.queue.buffer;
    const dt = this.dt;
    const end = Math.min(hi, this.maxEid, ids.length);
    const behaviours = this.#behaviours;
    for (let i = 0; i < behaviours.length; i++) {
      const b = behaviours[i] as Prepared;
      const id = b.id;
      const cursor = b.cursor;
      const run = (commit ? b.hooks.commit : b.hooks.update) as RowHook | undefined;
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
          this.report(b.def.name, row, error);
          row++;
        }
      }
    }
    buffer.issuer = OUTSIDE_UPDATE;
  }

  /** This frame's hook errors (clearErrors() empties the list). */
  get errors(): readonly ErrorReport[] {
    return this.#errors;
  }

  /** Forgets this frame's hook errors. */
  clearErrors(): void {
    if (this.#errors.length > 0) this.#errors.length = 0;
  }

  /** @internal Records a hook's error. */
  report(script: string, eid: number, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error ? error.stack : undefined;
    this.#errors.push({ script, eid, message, stack });
  }

  /** @internal The entity's Proto object in this thread (opened once per object). */
  objectOf(eid: number): ProtoObject {
    const token = this.#columns.tokens[eid] as number;
    if (token === 0) throw new TypeError(`entity ${eid} runs no behaviour, so it has no Proto object`);
    if (this.#objectTokens[eid] !== token) {
      this.#objects[eid] = this.#runtime.open(token);
      this.#objectTokens[eid] = token;
    }
    return this.#objects[eid] as ProtoObject;
  }

  // ---- BehaviourContext ---------------------------------------------------------------

  store<S extends Schema>(component: ComponentDef<S>): Store<S> {
    return this.queue.store(component, "store(component)") as Store<S>;
  }

  entities(behaviour: BehaviourDef | string): EntityList {
    if (typeof behaviour !== "string" && !isBehaviourDef(behaviour))
      throw new TypeError(
        `entities(behaviour): expected a behaviour made by defineBehaviour() (or its name), got ${describe(behaviour)}`,
      );
    const name = typeof behaviour === "string" ? behaviour : behaviour.name;
    const b = this.#byName.get(name);
    if (b === undefined)
      throw new TypeError(`entities(behaviour): behaviour '${name}' is not loaded in this world`);
    const list = b.list;
    if (list.frame !== this.frame) {
      const ids = this.#columns.behaviourIds;
      const out = list.ids;
      const id = b.id;
      const end = Math.min(this.maxEid, ids.length);
      let n = 0;
      for (let row = 1; row < end; row++) if (ids[row] === id) out[n++] = row;
      list.count = n;
      list.frame = this.frame;
    }
    return list;
  }

  handle(eid: number): number {
    checkEntityRef(eid, "handle(eid)");
    const row = liveRow(this.#columns.generations, eid, this.#alive, "handle(eid)");
    return handleOf(this.#columns.generations, row);
  }

  resolve(handle: number): number {
    checkEntityRef(handle, "resolve(handle)");
    return liveRow(this.#columns.generations, handle, this.#alive, "resolve(handle)");
  }

  // One class per behaviour per thread: accessors close over this thread's typed arrays,
  // so each property access is a monomorphic typed-array load or store at `this.eid`.
  // Numeric parameters are columns; any other parameter is read through the entity's object.
  #makeCursor(b: RunnerBehaviour): { eid: number } {
    const name = b.def.name;
    const runner = this;
    class Cursor {
      eid = 0;
      get object(): ProtoObject {
        return runner.objectOf(this.eid);
      }
    }
    for (const { name: field, component } of b.def.fields) {
      const store = this.#columns.stores.get(component);
      if (store === undefined)
        throw new TypeError(`behaviour '${name}': component '${component}' is not part of this world`);
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
    const numeric = numericParams(b.def);
    const readOnly = (param: string) => () => {
      throw new TypeError(
        `behaviour '${name}': parameter '${param}' is read-only on self (tune it with world.setParam or world.setOverride)`,
      );
    };
    for (const param of Object.keys(b.def.params)) {
      const j = numeric.indexOf(param);
      const column = b.params[j];
      Object.defineProperty(Cursor.prototype, param, {
        enumerable: true,
        get:
          column !== undefined
            ? function (this: Cursor): number {
                return column[this.eid] as number;
              }
            : function (this: Cursor): unknown {
                return runner.objectOf(this.eid).get(param);
              },
        set: readOnly(param),
      });
    }
    return new Cursor();
  }
}

/** @internal Turns a worker's error report into a ScriptError. */
export function scriptError(report: ErrorReport, thread: number): ScriptError {
  return new ScriptError(report.script, report.eid, thread, report.message, report.stack);
}
