// FrameOverlay: a drop-in pixi.js v8 component that draws the last few hundred frames from
// FrameRecords — stacked bars per frame split by phase (scripts, systems, sync, render, Proto GC,
// V8 GC, V8 collections in the slack) against a frame-time target line, a GC lane that stacks
// each frame's GC time as the budget counts it — Proto stalls, V8 scavenges, V8 full-heap
// pauses — against the GC budget line, and counters (entities, heap, live objects, GC cycles,
// longest pause). A frame over the GC budget turns red in the GC lane (the part of its bar
// above the budget line); a frame over the frame-time budget turns magenta in the frame chart
// (the part above its budget): the two are told apart, and both are counted. Frames the
// overlay never received are drawn as a grey gap (FrameHistory.ts), never left out.
//
// Cost model: push() only copies a record's numbers into preallocated ring arrays. Drawing happens
// at most once per rendered frame (onRender, when something changed) by rewriting the height and
// colour of pooled bar particles in one ParticleContainer — no Graphics rebuild and no allocation
// per bar. The counter text is re-laid out at most every `textIntervalMs`. Only resize() and
// construction allocate.

import { BitmapText, Container, type DestroyOptions, Graphics } from "pixi.js";
import { type FrameRecord, frameBusyMs } from "../../engine-bridge/FrameRecord.ts";
import { FrameHistory, SEGMENTS, type Segment } from "./FrameHistory.ts";
import { OverlayBars } from "./OverlayBars.ts";
import { DEFAULT_OVERLAY_COLORS, type OverlayColors } from "./OverlayColors.ts";
import { formatBytes, formatCount, formatMs } from "./OverlayFormat.ts";

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

const SEGMENT_LABELS: Record<Segment, string> = {
  scripts: "scripts",
  systems: "systems",
  sync: "sync",
  render: "render",
  protoGc: "Proto GC",
  v8Gc: "V8 GC",
  v8Slack: "V8 slack",
};
const PAD = 6;
/** Below this panel width the counters are written shorter. */
const NARROW_TEXT_PX = 480;

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

  private readonly history: FrameHistory;

  private readonly background = new Graphics();
  private readonly lines = new Graphics();
  private readonly bars: OverlayBars;
  private readonly counters: BitmapText;
  private readonly status: BitmapText;
  private readonly tallies: BitmapText;
  private readonly targetLabel: BitmapText;
  private readonly budgetLabel: BitmapText;
  private readonly legend = new Container();

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
    this.history = new FrameHistory(Math.max(2, Math.round(options.historyLength ?? 1024)));

    const c = this.colors;
    const fontSize = options.fontSize ?? 11;
    const style = { fontFamily: options.fontFamily ?? "monospace", fontSize, fill: c.text };
    this.lineHeight = Math.ceil(fontSize * 1.35);
    this.counters = new BitmapText({ text: "waiting for frames…", style });
    this.status = new BitmapText({ text: "", style });
    this.tallies = new BitmapText({ text: "", style });
    this.targetLabel = new BitmapText({ text: `${this.targetFrameMs.toFixed(1)} ms`, style });
    this.budgetLabel = new BitmapText({ text: "budget", style });
    this.targetLabel.alpha = 0.7;
    this.budgetLabel.alpha = 0.7;

    this.bars = new OverlayBars(this.history, c, {
      barStep: this.barStep,
      frameScaleMs: this.frameScaleMs,
      gcScale: this.gcScale,
    });
    const legendEntries: [number, string][] = [
      ...SEGMENTS.map((segment): [number, string] => [c[segment], SEGMENT_LABELS[segment]]),
      [c.v8Major, "V8 major"],
      [c.overBudget, "over GC budget"],
      [c.overFrameTime, "over frame time"],
      [c.missed, "missed"],
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
      this.tallies,
      this.targetLabel,
      this.budgetLabel,
      this.legend,
    );
    this.onRender = () => this.redraw();
    this.resize(options.width ?? 460, options.height ?? 190);
  }

  /**
   * Appends one frame (after a gap for any frame numbers it skips). Cheap: copies a few
   * numbers; drawing waits for the next render.
   */
  push(record: FrameRecord): void {
    this.history.push(record);
    this.dirty = true;
    this.textDirty = true;
  }

  /** Forgets every frame (for example after the simulation restarts). */
  clear(): void {
    this.history.clear();
    this.dirty = true;
    this.textDirty = true;
  }

  /** The most recent record pushed, if any. */
  get latest(): FrameRecord | undefined {
    return this.history.last;
  }

  /** Frames received since construction or the last clear(). */
  get frameCount(): number {
    return this.history.received;
  }

  /** Frames the host ran that never arrived (shown as gaps). */
  get missedFrames(): number {
    return this.history.missed;
  }

  /** Frames over the GC budget, and over the frame-time budget, since the last clear(). */
  get overCounts(): { overBudget: number; overFrameTime: number } {
    return { overBudget: this.history.overBudget, overFrameTime: this.history.overFrameTime };
  }

  /** The panel's size in pixels. */
  get panelSize(): { width: number; height: number } {
    return { width: this.panelWidth, height: this.panelHeight };
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
    const textBottom = PAD + 3 * lh;
    // The legend wraps onto as many lines as the panel's width needs.
    const legendTop = h - PAD - this.placeLegend(w, 0) * lh;
    const chartsSpace = Math.max(20, legendTop - textBottom - 2 * PAD);
    this.frameTop = textBottom + PAD;
    this.frameHeight = Math.round(chartsSpace * 0.68);
    this.gcTop = this.frameTop + this.frameHeight + PAD;
    this.gcHeight = chartsSpace - this.frameHeight;

    this.background.clear().roundRect(0, 0, w, h, 4).fill({ color: this.colors.background, alpha: 0.82 });
    this.counters.position.set(PAD, PAD);
    this.status.position.set(PAD, PAD + lh);
    this.tallies.position.set(PAD, PAD + 2 * lh);

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

    this.placeLegend(w, legendTop);
    this.bars.layout({
      chartLeft,
      chartWidth,
      frameTop: this.frameTop,
      frameHeight: this.frameHeight,
      gcTop: this.gcTop,
      gcHeight: this.gcHeight,
      width: w,
      height: h,
    });
    this.dirty = true;
    this.textDirty = true;
  }

  // Places the legend's entries in rows from `top`, wrapping at the panel's width; returns the rows.
  private placeLegend(width: number, top: number): number {
    const lh = this.lineHeight;
    let x = PAD;
    let rows = 1;
    const children = this.legend.children;
    for (let i = 0; i + 1 < children.length; i += 2) {
      const swatch = children[i] as Container;
      const label = children[i + 1] as Container;
      const entry = lh + label.width + 10;
      if (x > PAD && x + entry > width - PAD) {
        x = PAD;
        rows++;
      }
      const y = top + (rows - 1) * lh;
      swatch.position.set(x, y + 2);
      label.position.set(x + lh, y);
      x += entry;
    }
    return rows;
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
      this.bars.draw();
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

  private drawText(): void {
    const h = this.history;
    const r = h.last;
    if (r === undefined) {
      this.counters.text = "waiting for frames…";
      this.status.text = "";
      this.tallies.text = "";
      return;
    }
    const busy = frameBusyMs(r);
    if (this.panelWidth < NARROW_TEXT_PX) {
      // A phone: the same figures, shorter.
      this.counters.text = `${formatCount(r.entities)} entities  heap ${formatBytes(r.heapBytes)}  GC cycles ${r.gcCycles}`;
      this.status.text = `frame ${r.frame}  ${formatMs(busy)} ms  GC ${formatMs(r.gcPauseMs + r.v8GcMs)}/${formatMs(r.budgetMs)} ms`;
      this.tallies.text = `over: GC ${h.overBudget}, time ${h.overFrameTime}  missed ${h.missed}`;
      this.budgetLabel.text = `budget ${formatMs(r.budgetMs)} ms`;
      return;
    }
    this.counters.text =
      `entities ${formatCount(r.entities)}  heap ${formatBytes(r.heapBytes)}  live ${formatCount(r.liveObjects)}` +
      `  GC cycles ${r.gcCycles}  longest ${formatMs(r.longestPauseMs)} ms`;
    this.status.text =
      `frame ${r.frame}  busy ${formatMs(busy)} ms  GC ${formatMs(r.gcPauseMs + r.v8GcMs)}/${formatMs(r.budgetMs)} ms` +
      ` (Proto ${formatMs(r.gcPauseMs)} + V8 ${formatMs(r.v8GcMs)})`;
    this.tallies.text = `over GC budget ${h.overBudget}  over frame time ${h.overFrameTime}  missed ${h.missed}`;
    this.budgetLabel.text = `GC: Proto + V8 · budget ${formatMs(r.budgetMs)} ms`;
  }
}
