// scripting/index.ts — the public surface of Proto's TypeScript scripting layer.
// For now it exposes the native addon; the Runtime, behaviours-as-prototypes and
// entity facades land here (see docs/architecture.md).
import { loadAddon } from "./native.ts";

export type { NativeAddon, NativeBuildInfo } from "./native.ts";
export { AddonLoadError, addonPath, loadAddon } from "./native.ts";

/** The runtime's greeting, "Hello, Proto!", produced by native code. */
export function greeting(): string {
  return loadAddon().greeting();
}

/** libproto's version string, e.g. "0.1.0". */
export function nativeVersion(): string {
  return loadAddon().version();
}
