// tests/ts/addon.test.ts — the Node addon as npm ci builds it: it loads, its
// functions reach libproto, it works in worker threads, and a missing build says
// how to fix it.
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it, vi } from "vitest";
import { addonPath, greeting, loadAddon, nativeVersion } from "../../scripting/index.ts";
import { missingExports } from "../../scripting/native.ts";

describe("the native addon", () => {
  it("greets with 'Hello, Proto!' produced by libproto", () => {
    expect(loadAddon().greeting()).toBe("Hello, Proto!");
  });

  it("is reached through the scripting layer's greeting()", () => {
    expect(greeting()).toBe("Hello, Proto!");
  });

  it("reports libproto's version as major.minor.patch", () => {
    expect(nativeVersion()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("has a noop() that returns undefined", () => {
    expect(loadAddon().noop()).toBeUndefined();
  });

  it("is built optimised and without a sanitizer by npm ci", () => {
    expect(loadAddon().buildInfo()).toEqual({
      optimized: true,
      assertions: false,
      sanitizer: "none",
      nodeApi: "experimental",
    });
  });

  it("exports every group and function scripting/native.ts declares", () => {
    expect(missingExports(loadAddon())).toBeNull();
  });

  it("tells a stale build from a current one: a missing group, function or error code", () => {
    const current = loadAddon();
    expect(missingExports({ ...current, strings: undefined })).toBe("the group strings is missing");
    expect(missingExports({ ...current, objects: { ...current.objects, get: 1 } })).toBe(
      "objects.get is missing",
    );
    expect(missingExports({ ...current, errorCodes: ["ERR_PROTO_INVALID_ARGUMENT"] })).toMatch(/error codes/);
    expect(missingExports(null)).toBe("the module is not an object");
  });

  it("loads in a worker thread with its own per-environment state", async () => {
    const source =
      "const { parentPort, workerData } = require('node:worker_threads');" +
      "parentPort.postMessage(require(workerData).greeting());";
    const worker = new Worker(source, { eval: true, workerData: addonPath() });
    const message = await new Promise<unknown>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    await worker.terminate();
    expect(message).toBe("Hello, Proto!");
  });
});

describe("loading the addon when it is not built", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it("throws an AddonLoadError that names the path and says to run npm ci", async () => {
    vi.stubEnv("PROTO_ADDON_PATH", "/nonexistent/proto.node");
    vi.resetModules();
    const fresh = await import("../../scripting/native.ts");
    expect(() => fresh.loadAddon()).toThrow(fresh.AddonLoadError);
    expect(() => fresh.loadAddon()).toThrow(/\/nonexistent\/proto\.node does not exist.*npm ci/);
  });
});
