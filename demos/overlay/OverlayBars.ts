// OverlayBars: the frame overlay's columns — one per frame, newest at the right — drawn as
// pooled particles in one ParticleContainer: the stacked phases and pauses in the frame
// chart, the stacked GC parts in the GC lane, a magenta overshoot over the frame-time
// budget, a red one over the GC budget, and a grey column for a frame that never arrived.
// Drawing rewrites heights and colours only: no allocation per frame.

import { Particle, ParticleContainer, Rectangle, Texture } from "pixi.js";
import {
  type FrameHistory,
  GC_PARTS,
  MISSED,
  OVER_BUDGET,
  OVER_FRAME_TIME,
  SEGMENTS,
  type Segment,
} from "./FrameHistory.ts";
import { type OverlayColors, packParticleColor } from "./OverlayColors.ts";

/**
 * Particles per column, in drawing order (a later one covers an earlier one): the stacked
 * segments, the frame-time overshoot, the GC lane's stacked parts, the GC-budget overshoot.
 */
const FRAME_MARKER = SEGMENTS.length;
const GC_BAR = SEGMENTS.length + 1;
const GC_MARKER = SEGMENTS.length + 1 + GC_PARTS.length;
const PER_COLUMN = SEGMENTS.length + 2 + GC_PARTS.length;

/** Where the charts are inside the overlay panel, in pixels. */
export interface BarGeometry {
  chartLeft: number;
  chartWidth: number;
  frameTop: number;
  frameHeight: number;
  gcTop: number;
  gcHeight: number;
  width: number;
  height: number;
}

/** How the bars scale. */
export interface BarScale {
  /** Pixels per column, bar plus gap. */
  barStep: number;
  /** Frame time at the top of the frame chart, in ms. */
  frameScaleMs: number;
  /** The GC lane spans this many budgets. */
  gcScale: number;
}

/** The columns of a FrameOverlay; see the file comment. */
export class OverlayBars extends ParticleContainer<Particle> {
  private readonly packed: Record<Segment | "v8Major" | "overBudget" | "overFrameTime" | "missed", number>;
  private particles: Particle[] = [];
  private columns = 0;
  private frameTop = 0;
  private frameHeight = 0;
  private gcTop = 0;
  private gcHeight = 0;

  constructor(
    private readonly history: FrameHistory,
    c: OverlayColors,
    private readonly barScale: BarScale,
  ) {
    super({
      // Heights (vertex), positions and colours all change when the view scrolls.
      dynamicProperties: { vertex: true, position: true, color: true, rotation: false, uvs: false },
      texture: Texture.WHITE,
    });
    this.packed = {
      scripts: packParticleColor(c.scripts),
      systems: packParticleColor(c.systems),
      sync: packParticleColor(c.sync),
      render: packParticleColor(c.render),
      protoGc: packParticleColor(c.protoGc),
      v8Gc: packParticleColor(c.v8Gc),
      v8Slack: packParticleColor(c.v8Slack),
      v8Major: packParticleColor(c.v8Major),
      overBudget: packParticleColor(c.overBudget),
      overFrameTime: packParticleColor(c.overFrameTime),
      missed: packParticleColor(c.missed, 0.6),
    };
  }

  /** Places the columns for a new panel size and re-pools the particles. */
  layout(g: BarGeometry): void {
    this.frameTop = g.frameTop;
    this.frameHeight = g.frameHeight;
    this.gcTop = g.gcTop;
    this.gcHeight = g.gcHeight;
    // One column per barStep pixels, newest at the right.
    this.columns = Math.min(this.history.capacity, Math.floor(g.chartWidth / this.barScale.barStep));
    const needed = this.columns * PER_COLUMN;
    while (this.particles.length < needed) {
      this.particles.push(
        new Particle({ texture: Texture.WHITE, anchorX: 0, anchorY: 0, scaleX: 0, scaleY: 0 }),
      );
    }
    this.particles.length = needed;
    const barWidth = Math.max(1, this.barScale.barStep - 1);
    const right = g.chartLeft + g.chartWidth - this.columns * this.barScale.barStep;
    for (let col = 0; col < this.columns; col++) {
      for (let k = 0; k < PER_COLUMN; k++) {
        const particle = this.particles[col * PER_COLUMN + k] as Particle;
        particle.x = right + col * this.barScale.barStep;
        particle.scaleX = barWidth;
      }
    }
    this.particleChildren.length = 0;
    this.particleChildren.push(...this.particles);
    this.update();
    this.boundsArea = new Rectangle(0, 0, g.width, g.height);
  }

  /** Rewrites every column from the history (after frames arrived or a layout). */
  draw(): void {
    const particles = this.particles;
    const h = this.history;
    const shown = Math.min(this.columns, h.slots);
    const firstFilled = this.columns - shown;
    for (let col = 0; col < this.columns; col++) {
      const base = col * PER_COLUMN;
      if (col < firstFilled) {
        for (let k = 0; k < PER_COLUMN; k++) (particles[base + k] as Particle).scaleY = 0;
        continue;
      }
      const slot = h.slotOf(h.slots - this.columns + col);
      const flags = h.flags[slot] as number;
      if ((flags & MISSED) !== 0) this.drawGap(base);
      else {
        this.drawFrameBar(base, slot, (flags & OVER_FRAME_TIME) !== 0);
        this.drawGcBar(base, slot, (flags & OVER_BUDGET) !== 0);
      }
    }
  }

  // A frame that never arrived: one grey column over both charts.
  private drawGap(base: number): void {
    const particles = this.particles;
    for (let k = 0; k < PER_COLUMN; k++) (particles[base + k] as Particle).scaleY = 0;
    const gap = particles[base] as Particle;
    gap.y = this.frameTop;
    gap.scaleY = this.gcTop + this.gcHeight - this.frameTop;
    gap.color = this.packed.missed;
  }

  // The stacked phases and pauses; over the frame-time budget, the part above the budget
  // turns magenta (at least a 3-pixel cap when the overshoot is too small to see).
  private drawFrameBar(base: number, slot: number, over: boolean): void {
    const particles = this.particles;
    const frameBase = this.frameTop + this.frameHeight;
    const frameScale = this.frameHeight / this.barScale.frameScaleMs;
    let stacked = 0;
    for (let k = 0; k < SEGMENTS.length; k++) {
      const particle = particles[base + k] as Particle;
      const ms = (this.history.values[k] as Float32Array)[slot] as number;
      // Clip at the chart top: the segment keeps only what fits.
      const height = Math.max(0, Math.min(ms * frameScale, this.frameHeight - stacked));
      particle.y = frameBase - stacked - height;
      particle.scaleY = height;
      particle.color = this.packed[SEGMENTS[k] as Segment];
      stacked += height;
    }
    const marker = particles[base + FRAME_MARKER] as Particle;
    const budget = Math.min(this.frameHeight, (this.history.frameBudgets[slot] as number) * frameScale);
    const above = Math.max(3, stacked - budget);
    marker.y = frameBase - Math.max(stacked, Math.min(this.frameHeight, 3));
    marker.scaleY = over ? Math.min(above, this.frameHeight) : 0;
    marker.color = this.packed.overFrameTime;
  }

  // The GC lane: Proto stalls, V8 scavenges and V8 full-heap pauses stacked, scaled so that
  // the budget line sits at 1/gcScale of the lane; over the budget, the part above the line
  // turns red (at least a 3-pixel cap).
  private drawGcBar(base: number, slot: number, over: boolean): void {
    const particles = this.particles;
    const gcBase = this.gcTop + this.gcHeight;
    const budget = this.history.budgets[slot] as number;
    const laneScale = budget > 0 ? this.gcHeight / (budget * this.barScale.gcScale) : 0;
    let stacked = 0;
    for (let k = 0; k < GC_PARTS.length; k++) {
      const bar = particles[base + GC_BAR + k] as Particle;
      const ms = (this.history.gcParts[k] as Float32Array)[slot] as number;
      const wanted = laneScale > 0 ? ms * laneScale : ms > 0 ? this.gcHeight : 0;
      const height = Math.max(0, Math.min(wanted, this.gcHeight - stacked));
      bar.y = gcBase - stacked - height;
      bar.scaleY = height;
      bar.color = this.packed[GC_PARTS[k] as "protoGc" | "v8Gc" | "v8Major"];
      stacked += height;
    }
    const marker = particles[base + GC_MARKER] as Particle;
    const line = this.gcHeight / this.barScale.gcScale;
    const above = Math.max(3, stacked - line);
    marker.y = gcBase - Math.max(stacked, 3);
    marker.scaleY = over ? Math.min(above, this.gcHeight) : 0;
    marker.color = this.packed.overBudget;
  }
}
