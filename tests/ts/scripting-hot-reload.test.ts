// tests/ts/scripting-hot-reload.test.ts — replacing a behaviour's code reaches
// every entity at the next frame and keeps every entity's state.
import { describe, expect, it } from "vitest";
import { Runtime } from "../../scripting/index.ts";

function counterRuntime() {
  const runtime = new Runtime();
  const Counter = runtime.defineBehaviour({
    name: "counter",
    params: { step: 1 },
    state: { n: "f64" },
    update(self) {
      self.n += self.step;
    },
  });
  return { runtime, Counter };
}

describe("hot reload", () => {
  it("runs the new update from the next frame on and keeps each entity's state", () => {
    const { runtime, Counter } = counterRuntime();
    const a = Counter.spawn();
    const b = Counter.spawn({ step: 10 });
    runtime.update(1);
    Counter.reload({
      update(self) {
        self.n -= self.step * 2;
      },
    });
    runtime.update(1);
    expect([a.self.n, b.self.n]).toEqual([1 - 2, 10 - 20]);
  });

  it("stores the code version in the prototype's __code cell", () => {
    const { Counter } = counterRuntime();
    const before = Counter.prototype.get("__code");
    Counter.reload({});
    expect(Counter.prototype.find("__code").mutable).toBe(true);
    expect(Counter.prototype.get("__code")).not.toBe(before);
  });

  it("reaches entities of extending behaviours that inherit the method, not those that override it", () => {
    const { runtime, Counter } = counterRuntime();
    const Inheriting = runtime.defineBehaviour({ name: "inheriting", extends: Counter });
    const Overriding = runtime.defineBehaviour({
      name: "overriding",
      extends: Counter,
      update(self) {
        self.n += 1000;
      },
    });
    const i = Inheriting.spawn();
    const o = Overriding.spawn();
    Counter.reload({
      update(self) {
        self.n += 5;
      },
    });
    runtime.update(1);
    expect([i.self.n, o.self.n]).toEqual([5, 1000]);
  });

  it("lets a reload drop a method so the parent's is inherited again", () => {
    const { runtime, Counter } = counterRuntime();
    const Child = runtime.defineBehaviour({
      name: "child",
      extends: Counter,
      update(self) {
        self.n += 100;
      },
    });
    const c = Child.spawn();
    Child.reload({});
    runtime.update(1);
    expect(c.self.n).toBe(1);
  });

  it("uses the reloaded init and destroy for later spawns and destroys", () => {
    const { Counter } = counterRuntime();
    const seen: string[] = [];
    Counter.reload({
      init(self) {
        self.n = 42;
        seen.push("init");
      },
      destroy() {
        seen.push("destroy");
      },
    });
    const e = Counter.spawn();
    expect(e.self.n).toBe(42);
    e.destroy();
    expect(seen).toEqual(["init", "destroy"]);
  });

  it("rejects methods that are not functions and keeps the old code", () => {
    const { runtime, Counter } = counterRuntime();
    const e = Counter.spawn();
    expect(() => Counter.reload({ update: 3 as unknown as () => void })).toThrow(/update must be a function/);
    runtime.update(1);
    expect(e.self.n).toBe(1);
  });
});
