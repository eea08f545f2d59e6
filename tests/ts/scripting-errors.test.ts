// tests/ts/scripting-errors.test.ts — bad input of every kind, at the scripting
// API and straight at the addon: a TypeError or RangeError with a message that
// names the problem, never a crash, and the runtime stays usable.
import { constants as bufferConstants } from "node:buffer";
import { describe, expect, it } from "vitest";
import { BridgeWorld, defineBehaviour, defineComponent } from "../../engine-bridge/index.ts";
import { type ColumnType, loadAddon, Runtime } from "../../scripting/index.ts";
import { ERROR_CODES, type NativeAddon } from "../../scripting/native.ts";
import { collectV8Full } from "../../scripting/v8.ts";

const runtime = new Runtime();
// The addon as a hostile caller sees it: any argument goes.
type Loose = Record<string, (...args: unknown[]) => unknown>;
const top = loadAddon() as unknown as Loose;
const raw = loadAddon() as unknown as { readonly [G in keyof NativeAddon]: Loose };
const native = loadAddon() as NativeAddon;
const object = runtime.object({ speed: 1 }, { mutable: { hp: 1 } });
const Spot = defineComponent("Spot", { x: "f64" });
const handle = object.handle as unknown;
const speed = native.symbols.intern("speed");

type Case = readonly [
  label: string,
  call: () => unknown,
  error: typeof TypeError | typeof RangeError,
  message: RegExp,
];

const addonCases: Case[] = [
  ["get() without arguments", () => raw.objects.get?.(), TypeError, /expects 2 argument/],
  [
    "get() on a plain object",
    () => raw.objects.get?.({}, speed),
    TypeError,
    /must be a ProtoObject handle, got an object/,
  ],
  ["get() on a number", () => raw.objects.get?.(42, speed), TypeError, /ProtoObject handle, got a number/],
  ["get() on null", () => raw.objects.get?.(null, speed), TypeError, /ProtoObject handle, got null/],
  [
    "get() on an ArrayBuffer",
    () => raw.objects.get?.(new ArrayBuffer(8), speed),
    TypeError,
    /ProtoObject handle/,
  ],
  ["get() with a string symbol id", () => raw.objects.get?.(handle, "speed"), TypeError, /must be a number/],
  ["get() with symbol id 0", () => raw.objects.get?.(handle, 0), RangeError, /0 is no symbol/],
  ["get() with a negative symbol id", () => raw.objects.get?.(handle, -1), RangeError, /out of range/],
  ["get() with a fractional symbol id", () => raw.objects.get?.(handle, 1.5), RangeError, /whole number/],
  ["get() with NaN", () => raw.objects.get?.(handle, Number.NaN), RangeError, /whole number/],
  ["get() with a huge symbol id", () => raw.objects.get?.(handle, 2 ** 40), RangeError, /out of range/],
  [
    "get() with an unknown symbol id",
    () => raw.objects.get?.(handle, 4_000_000_000),
    TypeError,
    /not interned/,
  ],
  ["symbol() of a number", () => raw.symbols.intern?.(5), TypeError, /must be a string/],
  ["symbol() of an empty string", () => raw.symbols.intern?.(""), TypeError, /must not be empty/],
  [
    "set() of a bigint",
    () => raw.objects.set?.(handle, native.symbols.intern("hp"), 1n),
    TypeError,
    /got a bigint/,
  ],
  [
    "set() of a function",
    () => raw.objects.set?.(handle, native.symbols.intern("hp"), () => 1),
    TypeError,
    /got a function/,
  ],
  [
    "set() of a JS symbol",
    () => raw.objects.set?.(handle, native.symbols.intern("hp"), Symbol("x")),
    TypeError,
    /got a symbol/,
  ],
  [
    "set() of a plain object",
    () => raw.objects.set?.(handle, native.symbols.intern("hp"), { a: 1 }),
    TypeError,
    /got an object/,
  ],
  [
    "set() of undefined",
    () => raw.objects.set?.(handle, native.symbols.intern("hp"), undefined),
    TypeError,
    /use null/,
  ],
  ["newObject() with a bad parent", () => raw.objects.create?.({}, [], [], []), TypeError, /parent must be/],
  ["newObject() with non-arrays", () => raw.objects.create?.(null, 1, 2, 3), TypeError, /arrays of names/],
  [
    "newObject() with mismatched arrays",
    () => raw.objects.create?.(null, [speed], [], []),
    RangeError,
    /same length/,
  ],
  [
    "newObject() with a non-boolean flag",
    () => raw.objects.create?.(null, [speed], [1], [1]),
    TypeError,
    /boolean/,
  ],
  [
    "newObject() with a repeated name",
    () => raw.objects.create?.(null, [speed, speed], [1, 2], [false, false]),
    TypeError,
    /speed/,
  ],
  ["getMany() with a non-array", () => raw.objects.getMany?.(handle, 3), TypeError, /array of name ids/],
  ["newColumn() of an unknown type", () => raw.cells.newColumn?.("f16", 4), TypeError, /unknown column type/],
  ["newColumn() of a non-string type", () => raw.cells.newColumn?.(5, 4), TypeError, /must be a string/],
  ["newColumn() of length 0", () => raw.cells.newColumn?.("f64", 0), RangeError, /at least 1/],
  ["newColumn() of negative length", () => raw.cells.newColumn?.("f64", -3), RangeError, /out of range/],
  ["newColumn() of length 2^40", () => raw.cells.newColumn?.("f64", 2 ** 40), RangeError, /out of range/],
  ["newColumn() of fractional length", () => raw.cells.newColumn?.("f64", 2.5), RangeError, /whole number/],
  [
    "shareColumn() of a foreign buffer",
    () => raw.cells.shareColumn?.(new ArrayBuffer(8)),
    TypeError,
    /not a Proto column/,
  ],
  ["shareColumn() of a number", () => raw.cells.shareColumn?.(8), TypeError, /ArrayBuffer/],
  ["open() of an unknown token", () => raw.objects.open?.(987654321), RangeError, /unknown/],
  ["open() of a negative token", () => raw.objects.open?.(-1), RangeError, /out of range/],
  ["unshare() of a string", () => raw.objects.unshare?.("1"), TypeError, /must be a number/],
  ["configure() with a non-object", () => top.configure?.(5), TypeError, /must be an object/],
  ["configure() with a tiny heap", () => top.configure?.({ heapLimitMb: 1 }), RangeError, /at least 4/],
  ["configure() with a budget of 0", () => top.configure?.({ gcBudgetMs: 0 }), RangeError, /gcBudgetMs/],
  [
    "configure() with a string budget",
    () => top.configure?.({ gcBudgetMs: "1" }),
    TypeError,
    /must be a number/,
  ],
  ["setFrameBudgetMs() of -1", () => raw.frames.setBudgetMs?.(-1), RangeError, /\(0, 1000\]/],
  [
    "pin() of a string handle",
    () => raw.objects.pin?.(runtime.string("x").handle),
    TypeError,
    /ProtoObject handle/,
  ],
  ["pin() of a plain object", () => raw.objects.pin?.({}), TypeError, /ProtoObject handle, got an object/],
  ["read() without arguments", () => raw.objects.read?.(), TypeError, /expects 2 argument/],
  ["read() of a forged slot", () => raw.objects.read?.(12_345, speed), RangeError, /names no live object/],
  ["read() of slot 0", () => raw.objects.read?.(0, speed), RangeError, /names no live object/],
  ["read() of a string slot", () => raw.objects.read?.("1", speed), TypeError, /must be a number/],
  ["read() of a huge slot", () => raw.objects.read?.(2 ** 40, speed), RangeError, /out of range/],
  ["read() of a fractional slot", () => raw.objects.read?.(1.5, speed), RangeError, /whole number/],
  [
    "read() of symbol 0",
    () => raw.objects.read?.(native.objects.pin(object.handle), 0),
    RangeError,
    /0 is no symbol/,
  ],
  [
    "read() of a symbol never interned",
    () => raw.objects.read?.(native.objects.pin(object.handle), 4_000_000_000),
    TypeError,
    /not interned/,
  ],
  ["frameEnd() without frameBegin()", () => raw.frames.end?.(), TypeError, /without frameBegin/],
];

describe("the addon given bad input", () => {
  it.each(addonCases)("throws for %s", (_label, call, error, message) => {
    expect(call).toThrow(error);
    expect(call).toThrow(message);
  });

  it("gives every error a code from the one vocabulary", () => {
    expect(native.errorCodes).toEqual(ERROR_CODES);
    for (const [, call] of addonCases) {
      let code: unknown;
      try {
        call();
      } catch (error) {
        code = (error as { code?: unknown }).code;
      }
      expect(ERROR_CODES).toContain(code);
    }
    expect(() => raw.objects.get?.({}, speed)).toThrow(expect.objectContaining({ code: "InvalidArgument" }));
    expect(() => raw.objects.get?.(handle, 0)).toThrow(expect.objectContaining({ code: "OutOfRange" }));
  });

  it("exports frozen groups a script cannot patch", () => {
    expect(Object.isFrozen(native)).toBe(true);
    expect(Object.isFrozen(native.objects)).toBe(true);
    expect(() => {
      (native.objects as { get: unknown }).get = () => 1;
    }).toThrow(TypeError);
  });

  it("refuses the slot of a handle V8 has collected, and keeps one io array per environment", () => {
    const name = native.symbols.intern("collectedSlot");
    const io = native.objects.readIo();
    expect(native.objects.readIo()).toBe(io);
    let slot = 0;
    (() => {
      const doomed = runtime.object({ collectedSlot: 42 });
      slot = native.objects.pin(doomed.handle);
      expect(native.objects.pin(doomed.handle)).toBe(slot);
      expect(native.objects.read(slot, name)).toBe(1);
      expect(io[0]).toBe(42);
    })();
    collectV8Full();
    expect(() => native.objects.read(slot, name)).toThrow(/names no live object/);
    expect(object.get(runtime.symbol("speed"))).toBe(1);
  });

  it("runs argument getters (which may call back into the addon) before entering the runtime", () => {
    const values: unknown[] = [];
    Object.defineProperty(values, 0, {
      get: () => {
        native.memory.collect();
        return native.objects.get(object.handle, speed);
      },
    });
    const made = native.objects.create(null, [native.symbols.intern("copied")], values as never, [false]);
    expect(native.objects.get(made, native.symbols.intern("copied"))).toBe(1);
  });

  it("survives a reentrant addon call from a setter patched onto Array.prototype", () => {
    Object.defineProperty(Array.prototype, "0", {
      configurable: true,
      set(this: unknown[], v: unknown) {
        native.memory.collect();
        Object.defineProperty(this, "0", { value: v, writable: true, enumerable: true, configurable: true });
      },
    });
    try {
      const names = native.objects.ownNames(object.handle);
      expect(names.length).toBeGreaterThan(0);
    } finally {
      delete (Array.prototype as unknown as Record<string, unknown>)["0"];
    }
    expect(object.get("speed")).toBe(1);
  });

  it("stays usable after all of them", () => {
    expect(object.get("speed")).toBe(1);
    object.set("hp", 5);
    expect(object.get("hp")).toBe(5);
    runtime.verifyHeap();
  });
});

const apiCases: Case[] = [
  [
    "an unknown runtime option",
    () => new Runtime({ gcBudget: 1 } as never),
    TypeError,
    /unknown runtime option 'gcBudget'/,
  ],
  [
    "runtime options that are not an object",
    () => new Runtime(3 as never),
    TypeError,
    /^new Runtime\(options\): expected options to be an object, got a number \(3\)$/,
  ],
  [
    "a different heap limit from the process runtime's",
    () => new Runtime({ heapLimitMb: 77 }),
    RangeError,
    /cannot change/,
  ],
  ["a GC budget out of range", () => runtime.setGcBudgetMs(5000), RangeError, /\(0, 1000\]/],
  [
    "an attribute value that is an array",
    () => runtime.object({ a: [1] as never }),
    TypeError,
    /got an array/,
  ],
  ["attributes that are not an object", () => runtime.object(5 as never), TypeError, /plain object/],
  [
    "an attribute name that is neither a string nor a symbol",
    () => object.get(true as never),
    TypeError,
    /^get\(name\): expected name to be a string, got a boolean/,
  ],
  ["an empty attribute name", () => object.get(""), TypeError, /must not be empty/],
  [
    "is() with a non-object",
    () => object.is({} as never),
    TypeError,
    /^is\(other\): expected other to be a ProtoObject, got an object$/,
  ],
  ["a column of an unknown type", () => runtime.column("f16" as never, 4), TypeError, /unknown column type/],
  ["a column of NaN length", () => runtime.column("f64", Number.NaN), RangeError, /whole number/],
  [
    "sharing something that is not a column",
    () => runtime.shareColumn({} as never),
    TypeError,
    /typed array/,
  ],
  [
    "a behaviour without a name",
    () => defineBehaviour({} as never),
    TypeError,
    /spec\.name: expected an identifier not starting with '__', got undefined/,
  ],
  [
    "a behaviour definition that is null",
    () => defineBehaviour(null as never),
    TypeError,
    /declaration object/,
  ],
  [
    "a parameter named like a name self has",
    () => defineBehaviour({ name: "r1", params: { eid: 1 } }),
    TypeError,
    /reserved/,
  ],
  [
    "a parameter name that is not an identifier",
    () => defineBehaviour({ name: "r2", params: { "a-b": 1 } }),
    TypeError,
    /identifier/,
  ],
  [
    "a parameter name starting with __",
    () => defineBehaviour({ name: "r3", params: { __code: 1 } }),
    TypeError,
    /identifier/,
  ],
  [
    "a component field of an unknown type",
    () => defineComponent("R4", { x: "f16" as never }),
    TypeError,
    /unknown type/,
  ],
  [
    "a name both parameter and field",
    () => defineBehaviour({ name: "r5", uses: [Spot], params: { x: 1 } }),
    TypeError,
    /both a field and a parameter/,
  ],
  [
    "extends that is not a behaviour",
    () => defineBehaviour({ name: "r6", extends: {} as never }),
    TypeError,
    /extends must be a behaviour made by defineBehaviour\(\), got an object/,
  ],
  [
    "an update that is not a function",
    () => defineBehaviour({ name: "r7", update: 1 as never }),
    TypeError,
    /must be a function/,
  ],
];

describe("the scripting API given bad input", () => {
  it.each(apiCases)("throws for %s", (_label, call, error, message) => {
    expect(call).toThrow(error);
    expect(call).toThrow(message);
  });

  it("refuses a second behaviour with the same name in a world", () => {
    const world = new BridgeWorld({ capacity: 4 });
    world.addBehaviour(defineBehaviour({ name: "twice" }));
    expect(() => world.addBehaviour(defineBehaviour({ name: "twice" }))).toThrow(/in this world already/);
  });

  it("refuses spawn overrides that are unknown or of the wrong kind, and bad initial fields", () => {
    const world = new BridgeWorld({ capacity: 4 });
    const Mover = defineBehaviour({ name: "mover", uses: [Spot], params: { speed: 1, label: "m" } });
    world.addBehaviour(Mover);
    expect(() => world.spawn(Mover, {}, { sped: 2 } as never)).toThrow(/has no parameter "sped"/);
    expect(() => world.spawn(Mover, {}, { speed: "fast" } as never)).toThrow(
      /'speed' of 'mover' is a number, got a string/,
    );
    expect(() => world.spawn(Mover, {}, { label: 1 } as never)).toThrow(
      /'label' of 'mover' is a string, got a number/,
    );
    expect(() => world.spawn(Mover, { y: 1 } as never)).toThrow(/has no field "y"/);
    expect(() => world.spawn(Mover, { x: "1" } as never)).toThrow(/must be a number|to be a number/);
    expect(() => world.spawn(Mover, {}, 5 as never)).toThrow(TypeError);
    expect(world.count(Mover)).toBe(0);
    expect(world.entityCount).toBe(0);
  });

  it("refuses an extending behaviour that changes a parameter's kind", () => {
    const Mover = defineBehaviour({ name: "mover", params: { speed: 1 } });
    expect(() => defineBehaviour({ name: "bad", extends: Mover, params: { speed: "x" } })).toThrow(
      /'speed' is a number in 'mover'/,
    );
  });
});

describe("numbers in the addon's messages", () => {
  const values = [
    -1,
    -0.5,
    1.5,
    -1234.5678,
    0.1 + 0.2,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    1e21,
    123456789012345680000,
    2 ** 60,
    1e-7,
    5e-324,
    Number.MAX_VALUE,
  ];

  it.each(values)("are printed the way JavaScript prints them (%s)", (value) => {
    const escaped = String(value).replace(/[.+*?()[\]{}|^$\\-]/g, "\\$&");
    expect(() => raw.objects.open?.(value)).toThrow(new RegExp(`got ${escaped}$`));
  });

  it("print a frame budget of -1 as -1 and NaN as NaN, not -1.000000 and nan", () => {
    expect(() => raw.frames.setBudgetMs?.(-1)).toThrow(/got -1$/);
    expect(() => raw.frames.setBudgetMs?.(Number.NaN)).toThrow(/got NaN$/);
  });

  it("print a boolean option that cannot change as true or false", () => {
    expect(() => top.configure?.({ backgroundCollector: false })).toThrow(
      /backgroundCollector = true, asked for false$/,
    );
  });
});

describe("a column larger than the largest ArrayBuffer the platform allows", () => {
  // Before: Node refused the external ArrayBuffer, called the finalizer anyway, and
  // node-addon-api freed the finalizer data a second time (free(): double free detected).
  const tooLarge: [ColumnType, number][] = [
    ["f64", 2 ** 29 + 1],
    ["u32", 2 ** 31],
    ["f64", 2 ** 31],
  ];

  it.each(tooLarge)(
    "is refused with a RangeError naming the length (%s × %d), and the process lives on",
    (type, length) => {
      expect(() => runtime.column(type, length)).toThrow(RangeError);
      expect(() => runtime.column(type, length)).toThrow(
        new RegExp(
          `^column\\(type, length\\): expected length to be a whole number in \\[1, \\d+\\].*got ${length}$`,
        ),
      );
      expect(() => native.cells.newColumn(type, length)).toThrow(RangeError);
      expect(() => native.cells.newColumn(type, length)).toThrow(
        /^cells\.newColumn\(type, count\): expected count ≤ \d+/,
      );
      expect(runtime.column(type, 4).length).toBe(4);
    },
  );

  it("names the platform's limit in bytes (buffer.constants.MAX_LENGTH)", () => {
    expect(() => runtime.column("f64", 2 ** 29 + 1)).toThrow(
      `the largest ArrayBuffer this platform allows is ${bufferConstants.MAX_LENGTH} bytes`,
    );
  });
});
