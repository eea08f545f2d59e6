// vitest.config.ts — the TypeScript test suites: tests/ts/** plus any *.test.ts
// beside the TS layers. Tests run in Node (forks pool: the native addon is loaded
// per process, which keeps a crash in native code from taking the runner down).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "tests/ts/**/*.test.ts",
      "scripting/**/*.test.ts",
      "engine-bridge/**/*.test.ts",
      "demos/**/*.test.ts",
    ],
    environment: "node",
    pool: "forks",
    // --expose-gc: lifetime tests (tests/ts/scripting-lifetimes.test.ts) collect JS
    // garbage to check that Proto objects die with their wrappers.
    execArgv: ["--expose-gc"],
    testTimeout: 30_000,
  },
});
