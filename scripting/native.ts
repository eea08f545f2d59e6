// scripting/native.ts — loads Proto's Node addon (proto.node) and types its exports.
// The single place that knows where the addon is; every TS layer gets the addon through
// loadAddon(). It is the one built from source (this repository, or a package installed
// where no prebuilt addon fits), else the npm package's prebuilt one for this platform
// (prebuilds/<platform>-<arch>/, found by node-gyp-build). Node caches native modules per
// process, and the addon keeps its state per environment (main thread, each worker), so
// loading it again from a worker is safe.
// The loader checks the binary against this file (every group and function, the
// error codes), so a stale build is a clear error, not an undefined function in the
// middle of a frame.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { missingExports, type NativeAddon } from "./native-api.ts";

export type {
  NativeAddon,
  NativeCells,
  NativeFrames,
  NativeMemory,
  NativeObjects,
  NativeStrings,
  NativeSymbols,
  NativeTemps,
  NativeTuples,
  ProtoErrorCode,
} from "./native-api.ts";
export { ERROR_CODES, missingExports } from "./native-api.ts";
export type {
  NativeBuildInfo,
  NativeColumnType,
  NativeFrameRecord,
  NativeHandle,
  NativeObjectHandle,
  NativeRuntimeInfo,
  NativeRuntimeOptions,
  NativeStallStats,
  NativeStats,
  NativeStringHandle,
  NativeTupleHandle,
  NativeValue,
} from "./native-types.ts";
export { FRAME_SLOTS, STATS_SLOTS } from "./native-types.ts";

/** Thrown when proto.node is missing or cannot be loaded. */
export class AddonLoadError extends Error {
  override readonly name = "AddonLoadError";
}

/**
 * The package's root: the nearest folder above this module that holds package.json
 * (the repository from the sources, the installed package from its compiled dist/).
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir)
      throw new AddonLoadError(`Proto: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/** The prebuilt addon for this platform and runtime, if the package has one that fits. */
function prebuiltAddonPath(root: string): string | undefined {
  const require = createRequire(import.meta.url);
  let resolvePrebuild: (dir: string) => string;
  try {
    // node-gyp-build's resolver, without loading: the repository may be used without it installed.
    resolvePrebuild = (require("node-gyp-build/node-gyp-build.js") as { path: (dir: string) => string }).path;
  } catch {
    return undefined;
  }
  try {
    return resolvePrebuild(root);
  } catch {
    return undefined; // no prebuilds/ folder, or none for this platform, architecture or C library
  }
}

/**
 * Where proto.node is: $PROTO_ADDON_PATH if set; else the cmake-js Release build that
 * `npm ci` / `npm run build:native` produce (or a package's install built from source);
 * else the package's prebuilt addon for this platform; else the build path (missing).
 */
export function addonPath(): string {
  const fromEnv = process.env.PROTO_ADDON_PATH;
  if (fromEnv !== undefined && fromEnv.length > 0) return fromEnv;
  const root = packageRoot();
  const built = join(root, "build", "addon", "Release", "proto.node");
  if (existsSync(built)) return built;
  return prebuiltAddonPath(root) ?? built;
}

let loaded: NativeAddon | undefined;

/** Loads proto.node once per JS environment and returns its exports. */
export function loadAddon(): NativeAddon {
  if (loaded !== undefined) return loaded;
  const path = addonPath();
  if (!existsSync(path)) {
    throw new AddonLoadError(
      `Proto's native addon is not built: ${path} does not exist, and there is no prebuilt addon ` +
        `for ${process.platform}-${process.arch}. In the repository, run \`npm ci\` (first set-up) or ` +
        "`npm run build:native` (rebuild); in a game that installed the package, allow its install " +
        "script (`npm install-scripts approve proto`) and run `npm rebuild proto` with CMake >= 3.20 " +
        "and a C++20 compiler installed (docs/embedding.md).",
    );
  }
  const require = createRequire(import.meta.url);
  let module: unknown;
  try {
    module = require(path);
  } catch (error) {
    throw new AddonLoadError(
      `Proto's native addon at ${path} failed to load (${String(error)}). ` +
        "Rebuild it with `npm run build:native` (in a game: `npm rebuild proto --build-from-source`); " +
        "it must be built for this platform.",
      { cause: error },
    );
  }
  const missing = missingExports(module);
  if (missing !== null)
    throw new AddonLoadError(
      `Proto's native addon at ${path} does not match scripting/native.ts: ${missing}. ` +
        "It is an older build: rebuild it with `npm run build:native`.",
    );
  loaded = module as NativeAddon;
  return loaded;
}
