import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { numberOption } from "../../demos/host/CliOptions.ts";

describe("numberOption", () => {
  it("returns the fallback when the option is absent", () => {
    expect(numberOption(undefined, "entities", { fallback: 10_000 })).toBe(10_000);
  });

  it("accepts zero workers", () => {
    expect(numberOption("0", "workers", { fallback: 2, integer: true })).toBe(0);
  });

  it("rejects a fractional count with a message naming the option", () => {
    expect(() => numberOption("50.5", "entities", { fallback: 1, min: 1, integer: true })).toThrow(
      '--entities must be a whole number >= 1, got "50.5"',
    );
  });

  it("rejects values below the minimum, empty strings and non-numbers", () => {
    expect(() => numberOption("0", "budget", { fallback: 0.5, min: 0.001 })).toThrow(/--budget/);
    expect(() => numberOption(" ", "hz", { fallback: 60 })).toThrow(/--hz/);
    expect(() => numberOption("fast", "hz", { fallback: 60 })).toThrow(/--hz/);
  });
});

describe("npm start -- --help", () => {
  it("prints the usage, with the capacity and /trace.json, before building anything", () => {
    const root = resolve(import.meta.dirname, "../..");
    const run = spawnSync(process.execPath, ["scripts/start.mjs", "--help"], { cwd: root, encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/--capacity N/);
    expect(run.stdout).toMatch(/trace\.json/);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/building the client/);
  }, 60_000);
});
