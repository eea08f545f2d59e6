// engine-bridge/index.ts — the public surface of the engine bridge (bitECS world <->
// Proto: zero-copy components, entity <-> object lifecycle, frame driver, workers).
// Not built yet: this placeholder only states what the layer depends on.
import { loadAddon, type NativeAddon } from "../scripting/index.ts";

/** The bridge's view of the runtime: the same per-process addon as the scripting layer. */
export function bridgeAddon(): NativeAddon {
  return loadAddon();
}
