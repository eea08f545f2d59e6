// tests/ts/scripting-worker.bootstrap.mjs — entry of the test workers: registers
// tsx's TypeScript loader in the worker, then runs scripting-worker.fixture.ts.
import { register } from "tsx/esm/api";

register();
await import("./scripting-worker.fixture.ts");
