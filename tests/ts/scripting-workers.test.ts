// tests/ts/scripting-workers.test.ts — worker_threads share the process
// runtime: each worker attaches its own thread, opens objects and columns the
// main thread shared by token, and detaches when it exits — even when killed.
import { Worker } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import { Runtime } from "../../scripting/index.ts";
import type { WorkerTask } from "./scripting-worker.fixture.ts";

const runtime = new Runtime();
const bootstrap = new URL("./scripting-worker.bootstrap.mjs", import.meta.url);
const workers: Worker[] = [];
const exits = new WeakMap<Worker, Promise<number>>();

function start(task: WorkerTask): Worker {
  const worker = new Worker(bootstrap, { workerData: task });
  workers.push(worker);
  // Listen from the start: a worker may exit before the test awaits it.
  exits.set(worker, new Promise((resolve) => worker.once("exit", resolve)));
  return worker;
}

function message<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
}

function exit(worker: Worker): Promise<number> {
  return exits.get(worker) as Promise<number>;
}

afterAll(async () => {
  await Promise.all(workers.map((w) => w.terminate()));
});

describe("workers", () => {
  it("read a shared object's inherited attribute and write its mutable one", async () => {
    const base = runtime.object({ speed: 3 }, { mutable: { hits: 0 } });
    const shared = base.extend({});
    const column = runtime.column("i32", 4);
    const token = shared.share();
    const worker = start({
      task: "read-write",
      objectToken: token,
      columnToken: runtime.shareColumn(column),
    });
    const reply = await message<{ speed: number; attached: number; length: number }>(worker);
    await exit(worker);
    expect(reply.speed).toBe(3);
    expect(reply.attached).toBeGreaterThanOrEqual(2);
    expect(shared.get("hits")).toBe(42);
    expect(column[0]).toBe(7);
    expect(runtime.unshare(token)).toBe(true);
    expect(runtime.unshare(token)).toBe(false);
  });

  it("detach their thread when they exit", async () => {
    const before = runtime.stats().attachedEnvironments;
    const shared = runtime.object({ speed: 1 }, { mutable: { hits: 0 } });
    const column = runtime.column("i32", 1);
    const worker = start({
      task: "read-write",
      objectToken: shared.share(),
      columnToken: runtime.shareColumn(column),
    });
    await message(worker);
    await exit(worker);
    expect(runtime.stats().attachedEnvironments).toBe(before);
  });

  it("allocate and read concurrently with the main thread while it collects", async () => {
    const shared = runtime.object({ speed: 2 });
    const column = runtime.column("i32", 2);
    const task: WorkerTask = {
      task: "hammer",
      objectToken: shared.share(),
      columnToken: runtime.shareColumn(column),
      iterations: 3000,
    };
    const pair = [start(task), start(task)];
    const replies = Promise.all(pair.map((w) => message<{ last: number }>(w)));
    for (let i = 0; i < 5; i++) runtime.collect();
    const results = await replies;
    await Promise.all(pair.map(exit));
    expect(results.map((r) => r.last)).toEqual([2999, 2999]);
    expect(column[1]).toBe(6000);
    runtime.collect();
    runtime.verifyHeap();
  });

  it("can be terminated while calling into the runtime without hurting it", async () => {
    const before = runtime.stats().attachedEnvironments;
    const shared = runtime.object({ speed: 5 });
    const worker = start({ task: "spin", objectToken: shared.share() });
    expect(await message(worker)).toBe("spinning");
    await new Promise((resolve) => setTimeout(resolve, 20));
    await worker.terminate();
    expect(runtime.stats().attachedEnvironments).toBe(before);
    runtime.collect();
    runtime.verifyHeap();
    expect(shared.get("speed")).toBe(5);
  });

  it("get clear errors for unknown or mismatched tokens", async () => {
    const shared = runtime.object({});
    const column = runtime.column("u8", 1);
    const worker = start({
      task: "bad-input",
      objectToken: shared.share(),
      columnToken: runtime.shareColumn(column),
    });
    const reply = await message<{ errors: string[] }>(worker);
    await exit(worker);
    expect(reply.errors).toEqual(["RangeError", "RangeError", "TypeError", "TypeError"]);
  });
});
