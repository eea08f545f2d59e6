// FrameOverlay: a drop-in pixi.js v8 component that draws the last few hundred frames from
// FrameRecords — stacked bars per frame split by phase (scripts, systems, sync, render, Proto GC,
// V8 GC, V8 collections in the slack) against a frame-time target line, a GC lane that stacks
// each frame's GC time as the budget counts it — Proto stalls, V8 scavenges, V8 full-heap
// pauses — against the GC budget line, and counters (entities, heap, live objects, GC cycles,
// longest pause). A frame over the GC budget gets a red mark above its GC-lane bar; a frame
// over the frame-time budget a magenta mark above its frame bar: the two are told apart.
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
import { type FrameRecord, frameBusyMs } from "../../engine-bridge/FrameRecord.ts";
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
const SEGMENTS = ["scripts", "systems", "sync", "render", "protoGc", "v8Gc", "v8Slack"] as const;
type Segment = (typeof SEGMENTS)[number];
const SEGMENT_LABELS: Record<Segment, string> = {
  scripts: "scripts",
  systems: "systems",
  sync: "sync",
  render: "render",
  protoGc: "Proto GC",
  v8Gc: "V8 GC",
  v8Slack: "V8 slack",
};
/** The GC lane's stacked parts, bottom to top: what the GC budget counts. */
const GC_PARTS = ["protoGc", "v8Gc", "v8Major"] as const;
/**
 * Particles per column: the stacked segments, the frame-time marker, the GC-budget marker
 * and the GC lane's stacked parts.
 */
const FRAME_MARKER = SEGMENTS.length;
const GC_MARKER = SEGMENTS.length + 1;
const GC_BAR = SEGMENTS.length + 2;
const PER_COLUMN = SEGMENTS.length + 2 + GC_PARTS.length;
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
  /** GC lane: Proto stalls, V8 scavenges, V8 full-heap pauses (ms). */
  private readonly gcParts: Float32Array[];
  private readonly budgets: Float32Array;
  /** Bit 0: over the GC budget; bit 1: over the frame-time budget. */
  private readonly over: Uint8Array;
  private pushed = 0;
  private overBudgetFrames = 0;
  private overFrameTimeFrames = 0;
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

  private readonly packed: Record<Segment | "v8Major" | "overBudget" | "overFrameTime" | "clear", number>;
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
    this.gcParts = GC_PARTS.map(() => new Float32Array(this.capacity));
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
      v8Slack: packParticleColor(c.v8Slack),
      v8Major: packParticleColor(c.v8Major),
      overBudget: packParticleColor(c.overBudget),
      overFrameTime: packParticleColor(c.overFrameTime),
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
    const legendEntries: [number, string][] = [
      ...SEGMENTS.map((segment): [number, string] => [c[segment], SEGMENT_LABELS[segment]]),
      [c.v8Major, "V8 major"],
      [c.overBudget, "over GC budget"],
      [c.overFrameTime, "over frame time"],
    ];
    for (const [color, text] of legendEntries) {
      const swatch = new Graphics().rect(0, 0, fontSize - 2, fontSize - 2).fill(color);
      const label = new BitmapText({ text, style });
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
    (v[6] as Float32Array)[slot] = record.v8SlackGcMs ?? 0;
    const g = this.gcParts;
    const major = record.v8MajorGcMs ?? 0;
    (g[0] as Float32Array)[slot] = record.gcPauseMs;
    // A producer that does not split V8's pauses counts them all as scavenges.
    (g[1] as Float32Array)[slot] = Math.max(0, record.v8GcMs - major);
    (g[2] as Float32Array)[slot] = major;
    this.budgets[slot] = record.budgetMs;
    this.over[slot] = (record.overBudget ? 1 : 0) | (record.overFrameTime === true ? 2 : 0);
    if (record.overBudget) this.overBudgetFrames++;
    if (record.overFrameTime === true) this.overFrameTimeFrames++;
    this.pushed++;
    this.last = record;
    this.dirty = true;
    this.textDirty = true;
  }

  /** Forgets every frame (for example after the simulation restarts). */
  clear(): void {
    this.pushed = 0;
    this.overBudgetFrames = 0;
    this.overFrameTimeFrames = 0;
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
    // The legend wraps onto a second line when the panel is narrow.
    const legendTop = h - PAD - 2 * lh;
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
    let y = legendTop;
    const children = this.legend.children;
    for (let i = 0; i + 1 < children.length; i += 2) {
      const swatch = children[i] as Container;
      const label = children[i + 1] as Container;
      const width = lh + label.width + 10;
      if (x > PAD && x + width > w - PAD && y === legendTop) {
        x = PAD;
        y += lh;
      }
      swatch.position.set(x, y + 2);
      label.position.set(x + lh, y);
      x += width;
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
      const overBudget = ((this.over[slot] as number) & 1) !== 0;
      const overFrameTime = ((this.over[slot] as number) & 2) !== 0;
      let stacked = 0;
      for (let k = 0; k < SEGMENTS.length; k++) {
        const particle = particles[base + k] as Particle;
        const ms = (this.values[k] as Float32Array)[slot] as number;
        // Clip at the chart top: the segment keeps only what fits.
        const h = Math.max(0, Math.min(ms * frameScale, this.frameHeight - stacked));
        particle.y = frameBase - stacked - h;
        particle.scaleY = h;
        particle.color = packed[SEGMENTS[k] as Segment];
        stacked += h;
      }
      // Over the frame-time budget: a magenta mark at the top of the frame chart.
      const frameMarker = particles[base + FRAME_MARKER] as Particle;
      frameMarker.y = this.frameTop;
      frameMarker.scaleY = overFrameTime ? 3 : 0;
      frameMarker.color = packed.overFrameTime;
      // Over the GC budget: a red mark at the top of the GC lane.
      const gcMarker = particles[base + GC_MARKER] as Particle;
      gcMarker.y = this.gcTop;
      gcMarker.scaleY = overBudget ? 3 : 0;
      gcMarker.color = packed.overBudget;

      // The GC lane: Proto stalls, V8 scavenges and V8 full-heap pauses stacked, scaled so
      // that the budget line sits at 1/gcScale of the lane.
      const budget = this.budgets[slot] as number;
      const laneScale = budget > 0 ? this.gcHeight / (budget * this.gcScale) : 0;
      let gcStacked = 0;
      for (let k = 0; k < GC_PARTS.length; k++) {
        const bar = particles[base + GC_BAR + k] as Particle;
        const ms = (this.gcParts[k] as Float32Array)[slot] as number;
        const wanted = laneScale > 0 ? ms * laneScale : ms > 0 ? this.gcHeight : 0;
        const h = Math.max(0, Math.min(wanted, this.gcHeight - gcStacked));
        bar.y = gcBase - gcStacked - h;
        bar.scaleY = h;
        bar.color = packed[GC_PARTS[k] as "protoGc" | "v8Gc" | "v8Major"];
        gcStacked += h;
      }
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
      `frame ${r.frame}  busy ${busy.toFixed(2)} ms  GC ${(r.gcPauseMs + r.v8GcMs).toFixed(2)}/${r.budgetMs.toFixed(2)} ms` +
      ` (Proto ${r.gcPauseMs.toFixed(2)} + V8 ${r.v8GcMs.toFixed(2)})  over GC budget ${this.overBudgetFrames}` +
      `  over frame time ${this.overFrameTimeFrames}`;
    this.budgetLabel.text = `GC: Proto + V8 minor + V8 major · budget ${r.budgetMs.toFixed(2)} ms`;
  }
}
