// engine-bridge/EntityObjects.ts — each scripted entity's Proto object: parent the
// behaviour's prototype, own attributes the entity id and its parameter overrides. The
// world holds it by a share token (a native root that does not depend on V8's GC) kept in
// a shared column, so every thread can open it; numeric parameters are also cached in the
// behaviour's parameter columns (an override, or the prototype's current default).
import type { ProtoValue, Runtime } from "../scripting/index.ts";
import type { BehaviourEntry } from "./Behaviours.ts";
import type { CommandBuffer } from "./CommandBuffer.ts";

/** @internal The entity objects of one world. */
export class EntityObjects {
  /** Share token of each row's object (0: none); a Proto column, shared with workers. */
  readonly tokens: Float64Array;
  /** The share token of `tokens` itself. */
  readonly columnToken: number;
  readonly #runtime: Runtime;
  // Making an object with numeric own attributes allocates nothing: names and values go
  // through these arrays.
  #names = new Float64Array(16);
  #values = new Float64Array(16);
  readonly #eidSymbol: number;

  constructor(runtime: Runtime, capacity: number) {
    this.#runtime = runtime;
    this.tokens = runtime.column("f64", capacity + 1);
    this.columnToken = runtime.shareColumn(this.tokens);
    this.#eidSymbol = runtime.symbol("__eid");
  }

  /**
   * Creates (or re-creates) the object of entity `eid` running `entry`. Numeric overrides
   * come from value pairs [start, end) of `buffer` (keys past the fields), or, with no
   * buffer, from the entity's overridden flags and columns (a rebind); other overrides from
   * `values` when given, else from what the entity had.
   */
  bind(
    eid: number,
    entry: BehaviourEntry,
    buffer: CommandBuffer | undefined,
    start = 0,
    end = 0,
    values?: Record<string, ProtoValue>,
  ): void {
    const params = entry.params;
    const count = params.length;
    const flags = entry.overridden;
    const row = eid * count;
    if (buffer !== undefined) {
      for (let j = 0; j < count; j++) flags[row + j] = 0;
      const first = entry.def.fields.length;
      for (let p = start; p < end; p++) {
        const j = buffer.key(p) - first;
        if (j < 0) continue;
        flags[row + j] = 1;
        (params[j] as Float64Array)[eid] = buffer.valueAt(p);
      }
    }
    if (values !== undefined) {
      if (Object.keys(values).length === 0) entry.valueOverrides.delete(eid);
      else entry.valueOverrides.set(eid, values);
    }
    if (this.#names.length < count + 1) {
      this.#names = new Float64Array(count + 1);
      this.#values = new Float64Array(count + 1);
    }
    const names = this.#names;
    const numbers = this.#values;
    names[0] = this.#eidSymbol;
    numbers[0] = eid;
    let n = 1;
    for (let j = 0; j < count; j++) {
      const column = params[j] as Float64Array;
      if (flags[row + j] === 1) {
        names[n] = this.#runtime.symbol(entry.numeric[j] as string);
        numbers[n] = column[eid] as number;
        n++;
      } else {
        column[eid] = entry.defaults[j] as number;
      }
    }
    const others = entry.valueOverrides.get(eid);
    let token: number;
    if (others === undefined) {
      token = this.#runtime.shareNewObject(entry.prototype, names, numbers, n);
    } else {
      const own: Record<string, ProtoValue> = { __eid: eid, ...others };
      for (let j = 0; j < count; j++)
        if (flags[row + j] === 1)
          own[entry.numeric[j] as string] = (params[j] as Float64Array)[eid] as number;
      token = entry.prototype.extend(own).share();
    }
    const old = this.tokens[eid] as number;
    this.tokens[eid] = token;
    if (old !== 0) this.#runtime.unshare(old);
  }

  /** Drops the object of `eid` and clears its parameter rows (entry: what it ran, if anything). */
  release(eid: number, entry: BehaviourEntry | undefined): void {
    const token = this.tokens[eid] as number;
    if (token !== 0) this.#runtime.unshare(token);
    this.tokens[eid] = 0;
    if (entry === undefined) return;
    const params = entry.params;
    for (let j = 0; j < params.length; j++) {
      (params[j] as Float64Array)[eid] = 0;
      entry.overridden[eid * params.length + j] = 0;
    }
    if (entry.valueOverrides.size > 0) entry.valueOverrides.delete(eid);
  }
}
