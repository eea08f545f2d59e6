// FrameOverlay: a drop-in pixi.js v8 component that draws the last few hundred frames from
// FrameRecords — stacked bars per frame split by phase (scripts, systems, sync, render, Proto GC,
// V8 GC) against a frame-time target line, a GC lane that shows each frame's Proto GC pause
// against its budget (red when over), and counters (entities, heap, live objects, GC cycles,
// longest pause).
//
// Cost model: push() only copies a record's numbers into preallocated ring arrays. Drawing happens
// at most once per rendered frame (onRender, when something changed) by rewriting the height and
// colour of pooled bar particles in one ParticleContainer — no Graphics rebuild and no allocation
// per bar. The counter text is re-laid out at most every `textIntervalMs`. Only resize() and
// construction allocate.

import {
  BitmapText,
  Container,
  type DestroyOptions,
  Graphics,
  Particle,
  ParticleContainer,
  Rectangle,
  Texture,
} from "pixi.js";
import { type FrameRecord, frameBusyMs } from "./FrameRecord.ts";
import { DEFAULT_OVERLAY_COLORS, type OverlayColors, packParticleColor } from "./OverlayColors.ts";

/** Options of {@link FrameOverlay}; every field has a default. */
export interface FrameOverlayOptions {
  /** Panel width in pixels (default 460). */
  width?: number;
  /** Panel height in pixels (default 190). */
  height?: number;
  /** Pixels per frame column, bar plus gap (default 3). */
  barStep?: number;
  /** Frame time at the top of the frame chart, in ms; taller frames are clipped (default 33.3). */
  frameScaleMs?: number;
  /** Frame-time target drawn as a line, in ms (default 16.67, i.e. 60 fps). */
  targetFrameMs?: number;
  /** The GC lane spans this many budgets, so the budget line sits at 1/gcScale of its height (default 2). */
  gcScale?: number;
  /** Frames remembered; also the most columns shown (default 1024). */
  historyLength?: number;
  /** Minimum time between counter-text updates, in ms (default 250). */
  textIntervalMs?: number;
  /** Font family of the text (default "monospace"). */
  fontFamily?: string;
  /** Font size of the text in pixels (default 11). */
  fontSize?: number;
  /** Colour overrides. */
  colors?: Partial<OverlayColors>;
}

/** Bar segments, bottom to top, and where their value comes from. */
const SEGMENTS = ["scripts", "systems", "sync", "render", "protoGc", "v8Gc"] as const;
type Segment = (typeof SEGMENTS)[number];
const SEGMENT_LABELS: Record<Segment, string> = {
  scripts: "scripts",
  systems: "systems",
  sync: "sync",
  render: "render",
  protoGc: "Proto GC",
  v8Gc: "V8 GC",
};
/** Particles per column: the stacked segments, an over-budget marker, the GC-lane bar. */
const PER_COLUMN = SEGMENTS.length + 2;
const MARKER = SEGMENTS.length;
const GC_BAR = SEGMENTS.length + 1;
const PAD = 6;

function formatBytes(bytes: number): string {
  if (bytes >= 1 << 30) return `${(bytes / (1 << 30)).toFixed(2)} GB`;
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MB`;
  return `${(bytes / 1024).toFixed(0)} kB`;
}

function formatCount(n: number): string {
  return n >= 1e6
    ? `${(n / 1e6).toFixed(2)}M`
    : n >= 1e4
      ? `${(n / 1e3).toFixed(1)}k`
      : String(Math.round(n));
}

/**
 * Rolling frame-time overlay. Add it to any pixi.js stage, call {@link push} with each frame's
 * record and {@link resize} when the panel should change size.
 */
export class FrameOverlay extends Container {
  private readonly colors: OverlayColors;
  private readonly barStep: number;
  private readonly frameScaleMs: number;
  private readonly targetFrameMs: number;
  private readonly gcScale: number;
  private readonly textIntervalMs: number;

  // Ring of the numbers the bars need, one slot per remembered frame.
  private readonly capacity: number;
  private readonly values: Float32Array[];
  private readonly budgets: Float32Array;
  private readonly over: Uint8Array;
  private pushed = 0;
  private overBudgetFrames = 0;
  private last: FrameRecord | undefined;

  private readonly background = new Graphics();
  private readonly lines = new Graphics();
  private readonly bars: ParticleContainer<Particle>;
  private particles: Particle[] = [];
  private columns = 0;
  private readonly counters: BitmapText;
  private readonly status: BitmapText;
  private readonly targetLabel: BitmapText;
  private readonly budgetLabel: BitmapText;
  private readonly legend = new Container();

  private readonly packed: Record<Segment | "overBudget" | "clear", number>;
  private panelWidth = 0;
  private panelHeight = 0;
  private lineHeight: number;
  private frameTop = 0;
  private frameHeight = 0;
  private gcTop = 0;
  private gcHeight = 0;
  private dirty = false;
  private textDirty = false;
  private lastTextMs = Number.NEGATIVE_INFINITY;

  /** Creates the overlay at its default (or given) size; it draws nothing until the first push. */
  constructor(options: FrameOverlayOptions = {}) {
    super({ label: "FrameOverlay" });
    this.colors = { ...DEFAULT_OVERLAY_COLORS, ...options.colors };
    this.barStep = Math.max(1, Math.round(options.barStep ?? 3));
    this.frameScaleMs = options.frameScaleMs ?? 100 / 3;
    this.targetFrameMs = options.targetFrameMs ?? 1000 / 60;
    this.gcScale = Math.max(1, options.gcScale ?? 2);
    this.textIntervalMs = options.textIntervalMs ?? 250;
    this.capacity = Math.max(2, Math.round(options.historyLength ?? 1024));
    this.values = SEGMENTS.map(() => new Float32Array(this.capacity));
    this.budgets = new Float32Array(this.capacity);
    this.over = new Uint8Array(this.capacity);

    const c = this.colors;
    this.packed = {
      scripts: packParticleColor(c.scripts),
      systems: packParticleColor(c.systems),
      sync: packParticleColor(c.sync),
      render: packParticleColor(c.render),
      protoGc: packParticleColor(c.protoGc),
      v8Gc: packParticleColor(c.v8Gc),
      overBudget: packParticleColor(c.overBudget),
      clear: packParticleColor(0, 0),
    };

    const fontSize = options.fontSize ?? 11;
    const style = { fontFamily: options.fontFamily ?? "monospace", fontSize, fill: c.text };
    this.lineHeight = Math.ceil(fontSize * 1.35);
    this.counters = new BitmapText({ text: "waiting for frames…", style });
    this.status = new BitmapText({ text: "", style });
    this.targetLabel = new BitmapText({ text: `${this.targetFrameMs.toFixed(1)} ms`, style });
    this.budgetLabel = new BitmapText({ text: "budget", style });
    this.targetLabel.alpha = 0.7;
    this.budgetLabel.alpha = 0.7;

    this.bars = new ParticleContainer<Particle>({
      // Heights (vertex), positions and colours all change when the view scrolls.
      dynamicProperties: { vertex: true, position: true, color: true, rotation: false, uvs: false },
      texture: Texture.WHITE,
    });
    for (const segment of SEGMENTS) {
      const swatch = new Graphics().rect(0, 0, fontSize - 2, fontSize - 2).fill(c[segment]);
      const label = new BitmapText({ text: SEGMENT_LABELS[segment], style });
      this.legend.addChild(swatch, label);
    }
    this.addChild(
      this.background,
      this.bars,
      this.lines,
      this.counters,
      this.status,
      this.targetLabel,
      this.budgetLabel,
      this.legend,
    );
    this.onRender = () => this.redraw();
    this.resize(options.width ?? 460, options.height ?? 190);
  }

  /** Appends one frame. Cheap: copies a few numbers; drawing waits for the next render. */
  push(record: FrameRecord): void {
    const slot = this.pushed % this.capacity;
    const p = record.phases;
    const v = this.values;
    (v[0] as Float32Array)[slot] = p.scriptsMs;
    (v[1] as Float32Array)[slot] = p.systemsMs;
    (v[2] as Float32Array)[slot] = p.syncMs;
    (v[3] as Float32Array)[slot] = p.renderMs;
    (v[4] as Float32Array)[slot] = record.gcPauseMs;
    (v[5] as Float32Array)[slot] = record.v8GcMs;
    this.budgets[slot] = record.budgetMs;
    this.over[slot] = record.overBudget ? 1 : 0;
    if (record.overBudget) this.overBudgetFrames++;
    this.pushed++;
    this.last = record;
    this.dirty = true;
    this.textDirty = true;
  }

  /** Forgets every frame (for example after the simulation restarts). */
  clear(): void {
    this.pushed = 0;
    this.overBudgetFrames = 0;
    this.last = undefined;
    this.dirty = true;
    this.textDirty = true;
  }

  /** The most recent record pushed, if any. */
  get latest(): FrameRecord | undefined {
    return this.last;
  }

  /** Frames pushed since construction or the last clear(). */
  get frameCount(): number {
    return this.pushed;
  }

  /** Changes the panel size; lays out the charts again and re-pools the bar particles. */
  resize(width: number, height: number): void {
    this.panelWidth = Math.max(120, Math.floor(width));
    this.panelHeight = Math.max(80, Math.floor(height));
    const w = this.panelWidth;
    const h = this.panelHeight;
    const lh = this.lineHeight;
    const chartLeft = PAD;
    const chartWidth = w - 2 * PAD;
    const textBottom = PAD + 2 * lh;
    const legendTop = h - PAD - lh;
    const chartsSpace = Math.max(20, legendTop - textBottom - 2 * PAD);
    this.frameTop = textBottom + PAD;
    this.frameHeight = Math.round(chartsSpace * 0.68);
    this.gcTop = this.frameTop + this.frameHeight + PAD;
    this.gcHeight = chartsSpace - this.frameHeight;

    this.background.clear().roundRect(0, 0, w, h, 4).fill({ color: this.colors.background, alpha: 0.82 });
    this.counters.position.set(PAD, PAD);
    this.status.position.set(PAD, PAD + lh);

    // Reference lines: frame-time target, GC-lane base and budget.
    const targetY =
      this.frameTop + this.frameHeight * (1 - Math.min(1, this.targetFrameMs / this.frameScaleMs));
    const budgetY = this.gcTop + this.gcHeight * (1 - 1 / this.gcScale);
    this.lines
      .clear()
      .moveTo(chartLeft, targetY)
      .lineTo(chartLeft + chartWidth, targetY)
      .moveTo(chartLeft, budgetY)
      .lineTo(chartLeft + chartWidth, budgetY)
      .stroke({ width: 1, color: this.colors.line, alpha: 0.55 })
      .rect(chartLeft, this.gcTop, chartWidth, this.gcHeight)
      .stroke({ width: 1, color: this.colors.line, alpha: 0.15 });
    this.targetLabel.position.set(chartLeft + chartWidth - this.targetLabel.width, targetY - this.lineHeight);
    this.budgetLabel.position.set(chartLeft + 2, this.gcTop);

    let x = PAD;
    const children = this.legend.children;
    for (let i = 0; i + 1 < children.length; i += 2) {
      const swatch = children[i] as Container;
      const label = children[i + 1] as Container;
      swatch.position.set(x, legendTop + 2);
      label.position.set(x + lh, legendTop);
      x += lh + label.width + 10;
    }

    // One column per barStep pixels, newest at the right.
    this.columns = Math.min(this.capacity, Math.floor(chartWidth / this.barStep));
    const needed = this.columns * PER_COLUMN;
    while (this.particles.length < needed) {
      this.particles.push(
        new Particle({ texture: Texture.WHITE, anchorX: 0, anchorY: 0, scaleX: 0, scaleY: 0 }),
      );
    }
    this.particles.length = needed;
    const barWidth = Math.max(1, this.barStep - 1);
    const right = chartLeft + chartWidth - this.columns * this.barStep;
    for (let col = 0; col < this.columns; col++) {
      for (let k = 0; k < PER_COLUMN; k++) {
        const particle = this.particles[col * PER_COLUMN + k] as Particle;
        particle.x = right + col * this.barStep;
        particle.scaleX = barWidth;
      }
    }
    this.bars.particleChildren.length = 0;
    this.bars.particleChildren.push(...this.particles);
    this.bars.update();
    this.bars.boundsArea = new Rectangle(0, 0, w, h);
    this.dirty = true;
    this.textDirty = true;
  }

  /** Removes the overlay and frees its GPU-side resources. */
  override destroy(options?: DestroyOptions): void {
    this.onRender = null;
    super.destroy(options ?? { children: true });
  }

  /** Runs once per rendered frame: rewrites bar particles if frames arrived, text if due. */
  private redraw(): void {
    if (this.dirty) {
      this.dirty = false;
      this.drawBars();
    }
    if (this.textDirty) {
      const now = performance.now();
      if (now - this.lastTextMs >= this.textIntervalMs) {
        this.lastTextMs = now;
        this.textDirty = false;
        this.drawText();
      }
    }
  }

  private drawBars(): void {
    const particles = this.particles;
    const packed = this.packed;
    const frameBase = this.frameTop + this.frameHeight;
    const frameScale = this.frameHeight / this.frameScaleMs;
    const gcBase = this.gcTop + this.gcHeight;
    const shown = Math.min(this.columns, this.pushed);
    const firstFilled = this.columns - shown;
    for (let col = 0; col < this.columns; col++) {
      const base = col * PER_COLUMN;
      if (col < firstFilled) {
        for (let k = 0; k < PER_COLUMN; k++) (particles[base + k] as Particle).scaleY = 0;
        continue;
      }
      const slot = (this.pushed - this.columns + col) % this.capacity;
      const over = this.over[slot] === 1;
      let stacked = 0;
      for (let k = 0; k < SEGMENTS.length; k++) {
        const particle = particles[base + k] as Particle;
        const ms = (this.values[k] as Float32Array)[slot] as number;
        // Clip at the chart top: the segment keeps only what fits.
        const h = Math.max(0, Math.min(ms * frameScale, this.frameHeight - stacked));
        particle.y = frameBase - stacked - h;
        particle.scaleY = h;
        const segment = SEGMENTS[k] as Segment;
        particle.color = over && segment === "protoGc" ? packed.overBudget : packed[segment];
        stacked += h;
      }
      const marker = particles[base + MARKER] as Particle;
      marker.y = this.frameTop;
      marker.scaleY = over ? 3 : 0;
      marker.color = packed.overBudget;

      const gcBar = particles[base + GC_BAR] as Particle;
      const budget = this.budgets[slot] as number;
      const pause = (this.values[4] as Float32Array)[slot] as number;
      const ratio = budget > 0 ? pause / (budget * this.gcScale) : pause > 0 ? 1 : 0;
      const gh = Math.min(1, ratio) * this.gcHeight;
      gcBar.y = gcBase - gh;
      gcBar.scaleY = gh;
      gcBar.color = over ? packed.overBudget : packed.protoGc;
    }
  }

  private drawText(): void {
    const r = this.last;
    if (r === undefined) {
      this.counters.text = "waiting for frames…";
      this.status.text = "";
      return;
    }
    const busy = frameBusyMs(r);
    this.counters.text =
      `entities ${formatCount(r.entities)}  heap ${formatBytes(r.heapBytes)}  live ${formatCount(r.liveObjects)}` +
      `  GC cycles ${r.gcCycles}  longest ${r.longestPauseMs.toFixed(2)} ms`;
    this.status.text =
      `frame ${r.frame}  busy ${busy.toFixed(2)} ms  GC ${r.gcPauseMs.toFixed(2)}/${r.budgetMs.toFixed(2)} ms` +
      `  V8 GC ${r.v8GcMs.toFixed(1)} ms  over budget ${this.overBudgetFrames}`;
    this.budgetLabel.text = `Proto GC pause · budget ${r.budgetMs.toFixed(2)} ms`;
  }
}
