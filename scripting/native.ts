// scripting/native.ts — loads Proto's Node addon (proto.node) and types its exports.
// The single place that knows where the addon is built; every TS layer gets the
// addon through loadAddon(). Node caches native modules per process, and the addon
// keeps its state per environment (main thread, each worker), so loading it again
// from a worker is safe.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** How the loaded binary was compiled (from the compiler's own macros). */
export interface NativeBuildInfo {
  /** Compiled with optimisation (-O1 or higher). */
  readonly optimized: boolean;
  /** assert() is active (NDEBUG not defined). */
  readonly assertions: boolean;
  readonly sanitizer: "none" | "address" | "thread";
}

/** The functions proto.node exports (native/addon/addon.cpp). Keep both in step. */
export interface NativeAddon {
  /** "Hello, Proto!", produced by libproto. */
  greeting(): string;
  /** libproto's version, e.g. "0.1.0". */
  version(): string;
  /** Does nothing: the cost of a bare call into the addon (metric js.napi.noop). */
  noop(): void;
  buildInfo(): NativeBuildInfo;
}

/** Thrown when proto.node is missing or cannot be loaded. */
export class AddonLoadError extends Error {
  override readonly name = "AddonLoadError";
}

/**
 * Where proto.node is: $PROTO_ADDON_PATH if set, else the cmake-js Release build
 * that `npm ci` / `npm run build:native` produce.
 */
export function addonPath(): string {
  const fromEnv = process.env.PROTO_ADDON_PATH;
  if (fromEnv !== undefined && fromEnv.length > 0) return fromEnv;
  return fileURLToPath(new URL("../build/addon/Release/proto.node", import.meta.url));
}

let loaded: NativeAddon | undefined;

/** Loads proto.node once per JS environment and returns its exports. */
export function loadAddon(): NativeAddon {
  if (loaded !== undefined) return loaded;
  const path = addonPath();
  if (!existsSync(path)) {
    throw new AddonLoadError(
      `Proto's native addon is not built: ${path} does not exist. ` +
        "Run `npm ci` (first set-up) or `npm run build:native` (rebuild) in the repository root.",
    );
  }
  const require = createRequire(import.meta.url);
  try {
    loaded = require(path) as NativeAddon;
  } catch (error) {
    throw new AddonLoadError(
      `Proto's native addon at ${path} failed to load (${String(error)}). ` +
        "Rebuild it with `npm run build:native`; it must be built for this Node version and platform.",
      { cause: error },
    );
  }
  return loaded;
}
