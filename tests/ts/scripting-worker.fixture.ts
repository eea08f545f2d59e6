// tests/ts/scripting-worker.fixture.ts — the body of the worker threads that
// tests/ts/scripting-workers.test.ts starts (loaded through tsx). Each worker
// attaches to the process runtime through its own Runtime, does what
// workerData.task says with the tokens it was given, and reports back.
import { parentPort, workerData } from "node:worker_threads";
import { Runtime } from "../../scripting/index.ts";

/** What the test asks a worker to do. */
export interface WorkerTask {
  readonly task: "read-write" | "hammer" | "spin" | "bad-input";
  readonly objectToken?: number;
  readonly columnToken?: number;
  readonly iterations?: number;
}

const task = workerData as WorkerTask;
const runtime = new Runtime();
const port = parentPort;
if (port === null) throw new Error("this file runs only as a worker");

switch (task.task) {
  case "read-write": {
    const shared = runtime.open(task.objectToken as number);
    const column = runtime.openColumn(task.columnToken as number) as Int32Array;
    const speed = shared.get("speed");
    shared.set("hits", 41 + 1);
    Atomics.add(column, 0, 7);
    port.postMessage({ speed, attached: runtime.stats().attachedEnvironments, length: column.length });
    break;
  }
  case "hammer": {
    const shared = runtime.open(task.objectToken as number);
    const column = runtime.openColumn(task.columnToken as number) as Int32Array;
    let last = 0;
    for (let i = 0; i < (task.iterations ?? 1000); i++) {
      const fresh = shared.extend({ n: i });
      last = fresh.get("n") as number;
      Atomics.add(column, 1, 1);
      if (i % 100 === 0) runtime.object({ garbage: i });
    }
    port.postMessage({ last });
    break;
  }
  case "spin": {
    const shared = runtime.open(task.objectToken as number);
    port.postMessage("spinning");
    for (;;) shared.get("speed");
  }
  case "bad-input": {
    const errors: string[] = [];
    const tries: (() => unknown)[] = [
      () => runtime.open(-1),
      () => runtime.open(123456789),
      () => runtime.openColumn(task.objectToken as number),
      () => runtime.open(task.columnToken as number),
    ];
    for (const attempt of tries) {
      try {
        attempt();
        errors.push("no error");
      } catch (error) {
        errors.push((error as Error).name);
      }
    }
    port.postMessage({ errors });
    break;
  }
}
