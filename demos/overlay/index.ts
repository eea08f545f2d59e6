// Public surface of demos/overlay: the FrameRecord type and the FrameOverlay pixi.js component
// that draws a stream of them. Any pixi.js v8 app can feed it.

export {
  type FramePhases,
  type FrameRecord,
  frameBusyMs,
  type GcEvent,
  type GcSource,
} from "../../engine-bridge/FrameRecord.ts";
export { FrameOverlay, type FrameOverlayOptions } from "./FrameOverlay.ts";
export { DEFAULT_OVERLAY_COLORS, type OverlayColors, packParticleColor } from "./OverlayColors.ts";
