// OverlayColors: the palette of the frame overlay (one colour per bar segment, plus the accents),
// and the packing of a colour into the 32-bit value a pixi.js Particle uploads as-is.

/** Colours (0xRRGGBB) used by FrameOverlay. */
export interface OverlayColors {
  /** Behaviour scripts segment. */
  scripts: number;
  /** bitECS systems segment. */
  systems: number;
  /** Frame-end sync segment. */
  sync: number;
  /** Render segment. */
  render: number;
  /** Proto GC pause segment (and GC-lane bars within budget). */
  protoGc: number;
  /** V8 GC pause segment (and V8 scavenges in the GC lane). */
  v8Gc: number;
  /** V8 full-heap pauses in the GC lane. */
  v8Major: number;
  /** V8 collections in the frame's slack, after its work. */
  v8Slack: number;
  /** Frames whose GC time (Proto stalls + V8 pauses) broke the GC budget. */
  overBudget: number;
  /** Frames whose busy time broke the frame-time budget. */
  overFrameTime: number;
  /** Frames the overlay never received (a gap in the frame numbers). */
  missed: number;
  /** Reference lines (frame target, GC budget). */
  line: number;
  /** Text. */
  text: number;
  /** Panel background. */
  background: number;
}

/** Default palette: distinct hues per phase, red for frames over the GC budget, magenta for frames over the frame-time budget. */
export const DEFAULT_OVERLAY_COLORS: Readonly<OverlayColors> = {
  scripts: 0x4e9af1,
  systems: 0x38c172,
  sync: 0xf6c344,
  render: 0xa36bf2,
  protoGc: 0xff9f43,
  v8Gc: 0x9aa5b1,
  v8Major: 0x5b6b7f,
  v8Slack: 0xd5dbe2,
  overBudget: 0xff3b3b,
  overFrameTime: 0xff4fd8,
  missed: 0x56606b,
  line: 0xffffff,
  text: 0xe8e8e8,
  background: 0x101418,
};

/**
 * Packs 0xRRGGBB and an alpha in [0, 1] into a Particle's `color` field (alpha in the top byte,
 * then blue, green, red), so per-frame updates assign a number instead of parsing a colour.
 */
export function packParticleColor(rgb: number, alpha = 1): number {
  const bgr = ((rgb & 0xff) << 16) | (rgb & 0xff00) | ((rgb >>> 16) & 0xff);
  return (bgr + ((Math.round(alpha * 255) & 0xff) << 24)) >>> 0;
}
