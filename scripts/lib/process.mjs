// scripts/lib/process.mjs — running child commands for the repo's scripts:
// inherited output, a printed command line, and the exit status returned (never thrown).
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (two levels above this file). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Number of parallel build jobs: all cores (the machines have 2). */
export function buildJobs() {
  const fromEnv = Number.parseInt(process.env.PROTO_BUILD_JOBS ?? "", 10);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return availableParallelism();
}

/**
 * Runs a command with inherited stdio from the repo root and returns its exit code
 * (127 when it could not be started, e.g. not installed).
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string, quiet?: boolean }} [options]
 * @returns {number}
 */
export function run(command, args, options = {}) {
  if (!options.quiet) console.log(`$ ${[command, ...args].join(" ")}`);
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? repoRoot,
    env: options.env ?? process.env,
    stdio: "inherit",
  });
  if (result.error) {
    console.error(`error: could not start '${command}': ${result.error.message}`);
    return 127;
  }
  if (result.signal) {
    console.error(`error: '${command}' was killed by ${result.signal}`);
    return 128;
  }
  return result.status ?? 1;
}

/**
 * Runs a command and captures its stdout (trimmed); null if it cannot start or fails.
 * @param {string} command
 * @param {string[]} args
 * @param {{ input?: string }} [options]
 * @returns {string | null}
 */
export function capture(command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: repoRoot,
    encoding: "utf8",
    input: options.input,
    stdio: ["pipe", "pipe", "pipe"],
  });
  if (result.error || result.status !== 0) return null;
  return result.stdout.trim();
}
