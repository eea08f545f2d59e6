// engine-bridge/CommandBuffer.ts — structural changes queued during a frame (spawn,
// despawn, add, remove) as numbers in typed arrays, so that queueing and applying them
// allocates nothing, and a worker's buffer can live in shared memory the main thread
// reads directly. Each command carries the entity whose update issued it and a sequence
// number; the main thread applies all buffers merged in (issuer, sequence) order, which
// is the order a single thread would have produced — results do not depend on the
// partition.
//
// A command is one record of RECORD numbers; its values (initial fields, parameter
// overrides) are (key, value) pairs in a second array: for a spawn, key k < F is the
// script's k-th field and F + j its j-th parameter; for an add, the component's k-th
// field. A value the caller got wrong (an unknown name, a string) cannot be stored as a
// number: the command keeps a problem (text) instead, and applying it reports that
// error in the frame, as it would have for any other bad command.

/** Spawn an entity running `script` (by name). */
export interface SpawnCommand {
  readonly op: "spawn";
  readonly script: string;
  readonly init: Readonly<Record<string, number>> | undefined;
  readonly overrides: Readonly<Record<string, number>> | undefined;
}
/** Remove an entity. */
export interface DespawnCommand {
  readonly op: "despawn";
  readonly eid: number;
}
/** Add a component (by name) to an entity. */
export interface AddCommand {
  readonly op: "add";
  readonly eid: number;
  readonly component: string;
  readonly init: Readonly<Record<string, number>> | undefined;
}
/** Remove a component (by name) from an entity. */
export interface RemoveCommand {
  readonly op: "remove";
  readonly eid: number;
  readonly component: string;
}

/** A queued structural change, with who queued it (what CommandBuffer.toCommands() describes). */
export type Command = (SpawnCommand | DespawnCommand | AddCommand | RemoveCommand) & {
  /** The entity whose update queued it; systems and the host use ids above any entity. */
  readonly by: number;
  /** Order among the commands of the same issuer. */
  readonly seq: number;
};

/** Issuer id of commands queued outside any entity's update (systems, prepare hooks, the host). */
export const OUTSIDE_UPDATE = 2 ** 32;

/** @internal Operation codes. */
export const Op = { SPAWN: 1, DESPAWN: 2, ADD: 3, REMOVE: 4 } as const;

/** @internal Numbers per command record. */
export const RECORD = 8;
const OP = 0;
const BY = 1;
const SEQ = 2;
const EID = 3;
/** Script id (spawn) or component index (add, remove). */
const REF = 4;
const VALUE_START = 5;
const VALUE_COUNT = 6;
/** 0, or 1 + the index of the command's problem text. */
const PROBLEM = 7;

/** @internal The sizes a buffer starts with (commands, value pairs). */
export const INITIAL_COMMANDS = 256;
export const INITIAL_VALUES = 1024;

/** @internal One thread's queue for one frame. */
export class CommandBuffer {
  /** The entity whose update is running (OUTSIDE_UPDATE otherwise). */
  issuer = OUTSIDE_UPDATE;
  /** Commands queued. */
  count = 0;
  /** Value pairs queued. */
  valueCount = 0;
  #records: Float64Array;
  #values: Float64Array;
  #seq = 0;
  #problems: string[] = [];
  /** True while the arrays are the ones given to the constructor (shared memory). */
  #given: boolean;

  /** A buffer over `records` and `values` (shared memory for a worker), or its own arrays. */
  constructor(records?: Float64Array, values?: Float64Array) {
    this.#records = records ?? new Float64Array(INITIAL_COMMANDS * RECORD);
    this.#values = values ?? new Float64Array(INITIAL_VALUES * 2);
    this.#given = records !== undefined;
  }

  /** The command records (RECORD numbers each; the first `count` are queued). */
  get records(): Float64Array {
    return this.#records;
  }

  /** The value pairs (key, value; the first `valueCount` pairs are queued). */
  get values(): Float64Array {
    return this.#values;
  }

  /** False once the buffer outgrew the arrays it was given (a worker then posts them). */
  get inGivenArrays(): boolean {
    return this.#given;
  }

  /** Problem texts of commands that carry one (see problem()). */
  get problems(): readonly string[] {
    return this.#problems;
  }

  // ---- queueing -------------------------------------------------------------------

  /** Queues a spawn of script `scriptId`; its values follow (value()). Returns the command index. */
  spawn(scriptId: number): number {
    return this.#push(Op.SPAWN, 0, scriptId);
  }

  despawn(eid: number): number {
    return this.#push(Op.DESPAWN, eid, 0);
  }

  /** Queues adding component `component` (its index in the world); its values follow. */
  add(eid: number, component: number): number {
    return this.#push(Op.ADD, eid, component);
  }

  remove(eid: number, component: number): number {
    return this.#push(Op.REMOVE, eid, component);
  }

  /** True if command `index` is the last one queued (values can still be added to it). */
  isLast(index: number): boolean {
    return index === this.count - 1;
  }

  /** Adds a (key, value) pair to the last command. */
  value(key: number, value: number): void {
    const at = this.valueCount * 2;
    if (at + 2 > this.#values.length) this.#growValues();
    this.#values[at] = key;
    this.#values[at + 1] = value;
    this.valueCount++;
    const r = (this.count - 1) * RECORD;
    this.#records[r + VALUE_COUNT] = (this.#records[r + VALUE_COUNT] as number) + 1;
  }

  /** Marks the last command as bad: applying it reports `where + text` as a TypeError. */
  problem(text: string): void {
    const r = (this.count - 1) * RECORD;
    if (this.#records[r + PROBLEM] !== 0) return; // the first problem is the one reported
    this.#problems.push(text);
    this.#records[r + PROBLEM] = this.#problems.length;
  }

  /** Empties the buffer (the arrays stay). */
  clear(): void {
    this.count = 0;
    this.valueCount = 0;
    this.#seq = 0;
    if (this.#problems.length > 0) this.#problems.length = 0;
  }

  /** Back to the arrays given to the constructor (after a worker posted outgrown ones). */
  reset(records: Float64Array, values: Float64Array): void {
    this.#records = records;
    this.#values = values;
    this.#given = true;
    this.clear();
  }

  /** @internal Takes a posted buffer's contents as its own (main thread, a worker's overflow). */
  adopt(
    records: Float64Array,
    values: Float64Array,
    count: number,
    valueCount: number,
    problems: string[],
  ): void {
    this.#records = records;
    this.#values = values;
    this.count = count;
    this.valueCount = valueCount;
    this.#problems = problems;
  }

  /** @internal Takes the problem texts a worker posted for its commands. */
  setProblems(problems: readonly string[]): void {
    this.#problems = problems.slice();
  }

  /** @internal Sets how many commands and values of the given arrays are queued (a worker's reply). */
  setCounts(count: number, valueCount: number): void {
    this.count = count;
    this.valueCount = valueCount;
  }

  // ---- reading --------------------------------------------------------------------

  op(i: number): number {
    return this.#records[i * RECORD + OP] as number;
  }
  by(i: number): number {
    return this.#records[i * RECORD + BY] as number;
  }
  seq(i: number): number {
    return this.#records[i * RECORD + SEQ] as number;
  }
  eid(i: number): number {
    return this.#records[i * RECORD + EID] as number;
  }
  ref(i: number): number {
    return this.#records[i * RECORD + REF] as number;
  }
  valueStart(i: number): number {
    return this.#records[i * RECORD + VALUE_START] as number;
  }
  valueCountOf(i: number): number {
    return this.#records[i * RECORD + VALUE_COUNT] as number;
  }
  key(pair: number): number {
    return this.#values[pair * 2] as number;
  }
  valueAt(pair: number): number {
    return this.#values[pair * 2 + 1] as number;
  }
  /** The problem text of command i, if it has one. */
  problemOf(i: number): string | undefined {
    const p = this.#records[i * RECORD + PROBLEM] as number;
    return p === 0 ? undefined : this.#problems[p - 1];
  }

  // ---- internals ------------------------------------------------------------------

  #push(op: number, eid: number, ref: number): number {
    const i = this.count;
    let r = i * RECORD;
    if (r + RECORD > this.#records.length) this.#growRecords();
    r = i * RECORD;
    const records = this.#records;
    records[r + OP] = op;
    records[r + BY] = this.issuer;
    records[r + SEQ] = this.#seq++;
    records[r + EID] = eid;
    records[r + REF] = ref;
    records[r + VALUE_START] = this.valueCount;
    records[r + VALUE_COUNT] = 0;
    records[r + PROBLEM] = 0;
    this.count = i + 1;
    return i;
  }

  #growRecords(): void {
    const bigger = new Float64Array(this.#records.length * 2);
    bigger.set(this.#records);
    this.#records = bigger;
    this.#given = false;
  }

  #growValues(): void {
    const bigger = new Float64Array(this.#values.length * 2);
    bigger.set(this.#values);
    this.#values = bigger;
    this.#given = false;
  }
}

/**
 * @internal The commands of several buffers in application order, (issuer, sequence),
 * computed without allocating once its arrays are big enough: `order` holds
 * (buffer << 24 | command) for each command.
 */
export class CommandMerge {
  order = new Int32Array(256);
  #keys = new Float64Array(256);
  #scratchOrder = new Int32Array(256);
  #scratchKeys = new Float64Array(256);
  count = 0;

  /** Merges the first `n` buffers of `buffers`. */
  merge(buffers: readonly CommandBuffer[], n: number): void {
    let total = 0;
    for (let b = 0; b < n; b++) total += (buffers[b] as CommandBuffer).count;
    if (total > this.order.length) this.#grow(total);
    const order = this.order;
    const keys = this.#keys;
    let k = 0;
    for (let b = 0; b < n; b++) {
      const buffer = buffers[b] as CommandBuffer;
      for (let i = 0; i < buffer.count; i++, k++) {
        order[k] = (b << 24) | i;
        // Issuers are below 2^32 + 2 and sequences below 2^20: the key is exact in a double.
        keys[k] = buffer.by(i) * 1048576 + Math.min(buffer.seq(i), 1048575);
      }
    }
    this.count = total;
    this.#sort(total);
  }

  // A stable bottom-up merge sort of (keys, order) on preallocated scratch arrays.
  #sort(n: number): void {
    let keys = this.#keys;
    let order = this.order;
    let tk = this.#scratchKeys;
    let to = this.#scratchOrder;
    for (let width = 1; width < n; width *= 2) {
      for (let lo = 0; lo < n; lo += 2 * width) {
        const mid = Math.min(lo + width, n);
        const hi = Math.min(lo + 2 * width, n);
        let a = lo;
        let b = mid;
        for (let k = lo; k < hi; k++) {
          if (a < mid && (b >= hi || (keys[a] as number) <= (keys[b] as number))) {
            tk[k] = keys[a] as number;
            to[k] = order[a] as number;
            a++;
          } else {
            tk[k] = keys[b] as number;
            to[k] = order[b] as number;
            b++;
          }
        }
      }
      const sk = keys;
      keys = tk;
      tk = sk;
      const so = order;
      order = to;
      to = so;
    }
    this.#keys = keys;
    this.order = order;
    this.#scratchKeys = tk;
    this.#scratchOrder = to;
  }

  #grow(n: number): void {
    let size = this.order.length;
    while (size < n) size *= 2;
    this.order = new Int32Array(size);
    this.#keys = new Float64Array(size);
    this.#scratchOrder = new Int32Array(size);
    this.#scratchKeys = new Float64Array(size);
  }
}

/** @internal The buffer index of a merged entry. */
export function mergedBuffer(entry: number): number {
  return entry >>> 24;
}

/** @internal The command index of a merged entry. */
export function mergedCommand(entry: number): number {
  return entry & 0xffffff;
}
