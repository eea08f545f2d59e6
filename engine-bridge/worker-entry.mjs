// engine-bridge/worker-entry.mjs — the file a pool worker starts from: it registers the
// TypeScript loader (tsx) in this thread, then runs WorkerMain.ts. Plain JS on purpose:
// a worker does not inherit the parent's loader when the parent runs under a test runner.
import { register } from "tsx/esm/api";

register();
await import("./WorkerMain.ts");
