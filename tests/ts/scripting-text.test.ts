// tests/ts/scripting-text.test.ts — one rule for text crossing into Proto: a lone UTF-16
// surrogate (which UTF-8 cannot hold) is refused with a TypeError naming the argument and
// the UTF-16 index, wherever the text goes (names, symbol values, ProtoStrings), both in
// the scripting layer and in the addon itself. Surrogate pairs are ordinary characters.
import { describe, expect, it } from "vitest";
import { BridgeWorld, defineBehaviour } from "../../engine-bridge/index.ts";
import { loadAddon, Runtime } from "../../scripting/index.ts";

const runtime = new Runtime();
const native = loadAddon();
const HIGH = "\uD800";
const LOW = "\uDC00";

describe("lone surrogates", () => {
  it("are refused in attribute names, so two different names never become one", () => {
    expect(() => runtime.object({ [HIGH]: 1 })).toThrow(TypeError);
    expect(() => runtime.object({ [HIGH]: 1 })).toThrow(
      "object(attributes): attribute name has a lone surrogate at index 0",
    );
    expect(() => runtime.object({ [HIGH]: 1, [LOW]: 2 })).toThrow(/lone surrogate at index 0/);
    expect(() => runtime.object({ [`ab${LOW}`]: 1 })).toThrow(
      /attribute name has a lone surrogate at index 2/,
    );
    expect(() => runtime.object({}, { mutable: { [LOW]: 1 } })).toThrow(
      "object(attributes, options): options.mutable attribute name has a lone surrogate at index 0",
    );
  });

  it("are refused in the names given to get, has, find, set and with", () => {
    const o = runtime.object({ a: 1 }, { mutable: { m: 1 } });
    expect(() => o.get(LOW)).toThrow("get(name): name has a lone surrogate at index 0");
    expect(() => o.has(`x${HIGH}`)).toThrow("has(name): name has a lone surrogate at index 1");
    expect(() => o.find(HIGH)).toThrow("find(name): name has a lone surrogate at index 0");
    expect(() => o.set(HIGH, 1)).toThrow("set(name): name has a lone surrogate at index 0");
    expect(() => o.with(HIGH, 1)).toThrow("with(name): name has a lone surrogate at index 0");
  });

  it("are refused in string values (stored as symbols), naming where the value was", () => {
    const o = runtime.object({ a: 1 }, { mutable: { m: 1 } });
    expect(() => runtime.object({ tag: `x${LOW}` })).toThrow(
      "object(attributes): attributes.tag has a lone surrogate at index 1",
    );
    expect(() => o.extend({ "a-b": HIGH })).toThrow(
      'extend(attributes): attributes["a-b"] has a lone surrogate at index 0',
    );
    expect(() => o.set("m", HIGH)).toThrow("set(name, value): value has a lone surrogate at index 0");
    expect(() => o.with("a", LOW)).toThrow("with(name, value): value has a lone surrogate at index 0");
    expect(() => runtime.tuple([1, `ok${HIGH}`])).toThrow(
      "tuple(values): values[1] has a lone surrogate at index 2",
    );
    expect(() => runtime.tuple([]).push(LOW)).toThrow("push(value): value has a lone surrogate at index 0");
    expect(o.get("m")).toBe(1);
  });

  it("are refused by runtime.string() and every ProtoString method taking text, by the same rule", () => {
    const s = runtime.string("abc");
    expect(() => runtime.string(`a${HIGH}`)).toThrow("string(text): text has a lone surrogate at index 1");
    expect(() => s.concat(LOW)).toThrow("concat(other): other has a lone surrogate at index 0");
    expect(() => s.indexOf(`b${HIGH}`)).toThrow("indexOf(needle): needle has a lone surrogate at index 1");
    expect(() => s.equals(HIGH)).toThrow("equals(other): other has a lone surrogate at index 0");
  });

  it("are refused in behaviour names, parameter values, spawn overrides and live tuning", () => {
    expect(() => defineBehaviour({ name: `b${HIGH}` })).toThrow(
      "defineBehaviour(spec): spec.name: expected an identifier not starting with '__', got \"b\\ud800\"",
    );
    expect(() => defineBehaviour({ name: "tagged", params: { tag: LOW } })).toThrow(
      "defineBehaviour(spec): behaviour 'tagged': parameter 'tag' has a lone surrogate at index 0",
    );
    const Labelled = defineBehaviour({ name: "labelled", params: { label: "x" } });
    const world = new BridgeWorld({ capacity: 4 });
    world.addBehaviour(Labelled);
    expect(() => world.spawn(Labelled, {}, { label: HIGH })).toThrow(
      "spawn(behaviour, init, overrides): overrides.label has a lone surrogate at index 0",
    );
    expect(world.count(Labelled)).toBe(0);
    expect(() => world.setParam(Labelled, "label", LOW)).toThrow(
      "setParam(behaviour, name, value): value has a lone surrogate at index 0",
    );
    const e = world.spawn(Labelled);
    expect(() => world.setOverride(e, "label", HIGH)).toThrow(
      "setOverride(entity, name, value): value has a lone surrogate at index 0",
    );
    expect(world.object(e).get("label")).toBe("x");
  });

  it("are refused by the addon itself, naming the argument and the UTF-16 index", () => {
    expect(() => native.symbols.intern(`a${HIGH}b`)).toThrow(TypeError);
    expect(() => native.symbols.intern(`a${HIGH}b`)).toThrow(
      "symbols.intern(name): name has a lone surrogate at index 1",
    );
    const x = native.symbols.intern("x");
    expect(() => native.objects.create(null, [x], [LOW], [false])).toThrow(
      "attribute 'x' has a lone surrogate at index 0",
    );
    expect(() => native.strings.create(`${LOW}`)).toThrow(
      "strings.create(text): text has a lone surrogate at index 0",
    );
    expect(() => native.tuples.create([`z${HIGH}`])).toThrow(
      "tuple element 0 has a lone surrogate at index 1",
    );
  });

  it("never pass for U+FFFD: a name with the replacement character stays its own name", () => {
    const o = runtime.object({ "\uFFFD": 1 });
    expect(o.get("\uFFFD")).toBe(1);
    expect(() => o.get(HIGH)).toThrow(TypeError);
  });
});

describe("surrogate pairs", () => {
  it("are one character: astral names and values round-trip", () => {
    const o = runtime.object({ "😀": "🌍" });
    expect(o.get("😀")).toBe("🌍");
    expect(o.ownNames()).toEqual(["😀"]);
    expect(native.symbols.name(native.symbols.intern("a😀"))).toBe("a😀");
    expect(() => o.get("\uD83D")).toThrow("get(name): name has a lone surrogate at index 0");
    expect(runtime.string("x😀").equals("x😀")).toBe(true);
  });
});
