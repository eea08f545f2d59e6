// scripting/object.ts — ProtoObject: a JS handle of an immutable Proto prototype
// object, and the conversions of values between JS and Proto.
//
// Lifetime rule: a ProtoObject owns a native persistent root. While the
// ProtoObject (or any copy of its handle) is reachable from JS, the Proto object
// stays alive; once JS collects it, the root is dropped and the Proto collector
// may free the object (unless something else in Proto still references it).
import type { NativeObjectHandle, NativeObjects, NativeValue } from "./native.ts";
import {
  addon,
  checkText,
  describe,
  fromNative,
  keyPath,
  ProtoHandle,
  type ProtoValue,
  registerWrapper,
  toNative,
} from "./value.ts";

export type { ProtoValue } from "./value.ts";
export { addon, checkText, describe, fromNative, keyPath, toNative } from "./value.ts";

/** Attributes by name, as objects and behaviours declare them. */
export type Attributes = Readonly<Record<string, ProtoValue>>;

/** Where a lookup found an attribute. */
export type AttributeWhere = "own" | "inherited" | "missing";

/** The answer of ProtoObject.find(). */
export interface AttributeLookup {
  readonly where: AttributeWhere;
  /** True for an attribute declared mutable (it lives in a cell). */
  readonly mutable: boolean;
  /** The value (a mutable attribute's current one); undefined when missing. */
  readonly value: ProtoValue | undefined;
}

/** Options of ProtoObject.extend() and Runtime.object(). */
export interface ObjectOptions {
  /** Mutable attributes and their initial values; each gets its own cell. */
  readonly mutable?: Attributes;
}

/**
 * An attribute name interned once (Runtime.symbol()): get() and has() take it in place
 * of the string and skip looking the name up. A number at run time, valid in every
 * environment of the process (symbols are process-wide).
 */
export type ProtoSymbol = number & { readonly __protoSymbol: unique symbol };

const symbolIds = new Map<string, number>();
const symbolNames = new Map<number, string>();

/**
 * @internal The runtime's id of an attribute name (cached per environment: ids never
 * change). Errors read `${where}: ${what} …`, e.g. "get(name): name must not be empty".
 */
export function symbolId(name: unknown, where: string, what = "name"): number {
  if (typeof name !== "string")
    throw new TypeError(`${where}: expected ${what} to be a string, got ${describe(name)}`);
  let id = symbolIds.get(name);
  if (id === undefined) {
    if (name.length === 0) throw new TypeError(`${where}: ${what} must not be empty`);
    checkText(name, where, what);
    id = addon().symbols.intern(name);
    symbolIds.set(name, id);
    symbolNames.set(id, name);
  }
  return id;
}

/** @internal The name of a symbol id (cached per environment). */
export function symbolName(id: number): string {
  let name = symbolNames.get(id);
  if (name === undefined) {
    name = addon().symbols.name(id);
    symbolNames.set(id, name);
  }
  return name;
}

// The fast read path (native/addon/bind_reads.cpp, ReadKind): objects.read() says what
// the value is and writes a number or a symbol id into the environment's io array.
const READ_NUMBER = 1;
const READ_REFERENCE = 6;
let reads: NativeObjects | undefined;
let readIo: Float64Array = new Float64Array(1);

function fastReads(): NativeObjects {
  if (reads === undefined) {
    const objects = addon().objects;
    readIo = objects.readIo();
    reads = objects;
  }
  return reads;
}

// A value read() described by its kind alone (not a number, not a reference).
function readValue(kind: number): ProtoValue | undefined {
  switch (kind) {
    case 2:
      return true;
    case 3:
      return false;
    case 4:
      return null;
    case 5:
      return symbolName(readIo[0] as number);
    default:
      return undefined;
  }
}

/** @internal Checks the options of object() and extend(): an object (its own `mutable`). */
export function objectOptions(options: unknown, fn: string): ObjectOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options))
    throw new TypeError(
      `${fn}(attributes, options): expected options to be an object, got ${describe(options)}`,
    );
  return Object.hasOwn(options, "mutable") ? { mutable: (options as ObjectOptions).mutable } : {};
}

/** @internal Where newObject's arguments came from, for its error messages. */
export interface ObjectSource {
  /** The function, e.g. "object" (messages read "object(attributes): …"). */
  readonly fn: string;
  /** What the immutable attributes are called there (default "attributes"). */
  readonly attributes?: string;
}

/** @internal Splits declared attributes into the addon's parallel arrays. */
export function newObject(
  parent: ProtoObject | null,
  immutable: Attributes | undefined,
  mutable: Attributes | undefined,
  source: ObjectSource = { fn: "object" },
): ProtoObject {
  const names: number[] = [];
  const values: NativeValue[] = [];
  const flags: boolean[] = [];
  const attributes = source.attributes ?? "attributes";
  const add = (attrs: Attributes | undefined, isMutable: boolean, where: string, what: string) => {
    if (attrs === undefined) return;
    if (typeof attrs !== "object" || attrs === null || Array.isArray(attrs) || attrs instanceof ProtoObject)
      throw new TypeError(
        `${where}: expected ${what} to be a plain object of attributes, got ${describe(attrs)}`,
      );
    for (const [name, value] of Object.entries(attrs)) {
      names.push(symbolId(name, where, `${isMutable ? "options.mutable " : ""}attribute name`));
      values.push(toNative(value, where, keyPath(what, name)));
      flags.push(isMutable);
    }
  };
  add(immutable, false, `${source.fn}(${attributes})`, attributes);
  add(mutable, true, `${source.fn}(${attributes}, options)`, "options.mutable");
  if (parent !== null && !(parent instanceof ProtoObject))
    throw new TypeError(`a parent must be a ProtoObject or null, got ${describe(parent)}`);
  return new ProtoObject(
    addon().objects.create(parent === null ? null : parent.handle, names, values, flags),
  );
}

/**
 * A Proto prototype object seen from JS. Objects are immutable: their parent
 * and attribute set never change; an attribute declared mutable lives in a
 * cell whose value set() replaces. Lookups delegate to the parent chain.
 *
 * Make objects with Runtime.object() or ProtoObject.extend(); every method
 * throws TypeError/RangeError (with a `code`) on bad input.
 */
export class ProtoObject extends ProtoHandle<NativeObjectHandle> {
  // The slot id of the fast read path: -1 not asked yet, 0 none (read the slow way).
  #slot = -1;

  /**
   * The attribute's value, own or inherited; `undefined` if no object in the chain has
   * it. `name` is a string or, faster, a ProtoSymbol (Runtime.symbol()).
   */
  get(name: string | ProtoSymbol): ProtoValue | undefined {
    const id = typeof name === "number" ? name : symbolId(name, "get(name)");
    const objects = reads ?? fastReads();
    const slot = this.#slot === -1 ? this.#pin(objects) : this.#slot;
    if (slot !== 0) {
      const kind = objects.read(slot, id);
      if (kind === READ_NUMBER) return readIo[0];
      if (kind !== READ_REFERENCE) return readValue(kind);
    }
    return fromNative(objects.get(this.handle, id));
  }

  /** True if the object or one of its ancestors has the attribute (even if its value is null). */
  has(name: string | ProtoSymbol): boolean {
    const id = typeof name === "number" ? name : symbolId(name, "has(name)");
    const objects = reads ?? fastReads();
    const slot = this.#slot === -1 ? this.#pin(objects) : this.#slot;
    if (slot !== 0) return objects.read(slot, id) !== 0;
    return objects.get(this.handle, id) !== undefined;
  }

  #pin(objects: NativeObjects): number {
    this.#slot = objects.pin(this.handle);
    return this.#slot;
  }

  /** Where the attribute is, whether it is mutable, and its value. */
  find(name: string): AttributeLookup {
    const [where, mutable, value] = addon().objects.find(this.handle, symbolId(name, "find(name)"));
    return {
      where: where === 0 ? "missing" : where === 1 ? "own" : "inherited",
      mutable,
      value: fromNative(value),
    };
  }

  /**
   * Writes a mutable attribute (own or inherited: the cell is shared by every
   * object that delegates to its owner). Throws TypeError (code NotMutable) for
   * an immutable attribute and RangeError (code Missing) for a missing one.
   */
  set(name: string, value: ProtoValue): void {
    const id = symbolId(name, "set(name)");
    addon().objects.set(this.handle, id, toNative(value, "set(name, value)", "value"));
  }

  /** A new object like this one with `name` set to `value` (added if absent), same parent. */
  with(name: string, value: ProtoValue): ProtoObject {
    const id = symbolId(name, "with(name)");
    return new ProtoObject(
      addon().objects.with(this.handle, id, toNative(value, "with(name, value)", "value")),
    );
  }

  /** A new object whose parent is this one: it inherits what it does not override. */
  extend(attributes: Attributes = {}, options: ObjectOptions = {}): ProtoObject {
    return newObject(this, attributes, objectOptions(options, "extend").mutable, { fn: "extend" });
  }

  /** The prototype this object delegates to, or null at the root of a chain. */
  get parent(): ProtoObject | null {
    const p = addon().objects.parent(this.handle);
    return p === null ? null : new ProtoObject(p);
  }

  /** Names of the attributes this object itself declares. */
  ownNames(): string[] {
    return addon().objects.ownNames(this.handle);
  }

  /** True if both wrap the same Proto object (wrappers are not unique). */
  is(other: ProtoObject): boolean {
    if (!(other instanceof ProtoObject))
      throw new TypeError(`is(other): expected other to be a ProtoObject, got ${describe(other)}`);
    return addon().objects.same(this.handle, other.handle);
  }

  /**
   * A token for this object that any environment of the process (a worker)
   * can pass to Runtime.open(). The token keeps the object alive until
   * Runtime.unshare(token).
   */
  share(): number {
    return addon().objects.share(this.handle);
  }
}

registerWrapper("object", "ProtoObject", ProtoObject, (handle) => new ProtoObject(handle));
