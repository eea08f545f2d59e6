// engine-bridge/FrameRecorder.ts — frame records in a reused ring, with V8's GC pauses
// placed in the frame they fell in.
//
// perf_hooks reports a V8 pause only after the task that ran it, so a frame's V8 pauses
// are known once the host has yielded to the event loop. The recorder keeps the start and
// phase boundaries of its recent frames; settle() takes the pauses perf_hooks delivered
// since and adds each to the frame whose time span holds its start: to v8MinorGcMs or
// v8MajorGcMs, to the frame's events, and out of the phase it interrupted (phases never
// count GC time). A pause after the frame's work (its slack, where the driver collects the
// young generation) is its v8SlackGcMs; one between two frames is the next frame's
// v8IdleGcMs. Each time it
// changes a record, it decides again whether the frame broke its GC budget (Proto stalls
// plus V8 pauses) and its frame-time budget.
//
// Records are slots of a ring, reused after `ringSize` frames: nothing is allocated per
// frame. Copy a record (copyFrameRecord in FrameRecord.ts) to keep it longer.
import { emptyFrameRecord, type FramePhases, type FrameRecord, type GcEvent } from "./FrameRecord.ts";
import { type V8GcKind, V8GcObserver } from "./V8GcObserver.ts";

/** Time per phase of a frame, in ms; renderMs is always 0 (the bridge does not render). */
export type BridgeFramePhases = FramePhases;

/** A GC pause placed on the frame's timeline. */
export type BridgeGcEvent = GcEvent;

/**
 * One frame's record: a FrameRecord (FrameRecord.ts; the overlay, the trace export and the
 * headless summary take it as is) whose GC events are always listed, plus the frame's errors.
 */
export interface BridgeFrameRecord extends FrameRecord {
  /** This frame's pauses of both collectors. */
  gcEvents: GcEvent[];
  /** What went wrong in this frame (empty for a clean frame). */
  errors: Error[];
}

/** Options of a FrameRecorder. */
export interface FrameRecorderOptions {
  /** Observe V8 GC pauses through perf_hooks (default true). */
  readonly observeV8Gc?: boolean;
  /** The frame-time budget in ms (default 1000/60: 60 Hz). */
  readonly frameBudgetMs?: number;
  /** Frames kept in the ring before a slot is reused (default 256). */
  readonly ringSize?: number;
}

/** A record whose every field is zero (a fresh ring slot). */
function emptyRecord(): BridgeFrameRecord {
  return { ...emptyFrameRecord(), gcEvents: [], errors: [] };
}

/** Checks a frame-time budget (ms); returns it. */
export function checkFrameBudget(ms: unknown, where: string): number {
  if (typeof ms !== "number")
    throw new TypeError(`${where}: expected a frame-time budget in ms (a number), got ${typeof ms}`);
  if (!(ms > 0 && ms <= 60_000))
    throw new RangeError(`${where}: expected the frame-time budget to be in (0, 60000] ms, got ${ms}`);
  return ms;
}

/** Records frames in a ring and places V8's pauses in them (see the file comment). */
export class FrameRecorder {
  readonly #ring: BridgeFrameRecord[];
  // Per slot: when the frame began, when each phase ended, when the frame ended
  // (NaN while it runs), and whether the Proto pacer said it was over budget.
  readonly #start: Float64Array;
  readonly #scriptsEnd: Float64Array;
  readonly #systemsEnd: Float64Array;
  readonly #syncEnd: Float64Array;
  readonly #end: Float64Array;
  readonly #protoOver: Uint8Array;
  readonly #observer: V8GcObserver | undefined;
  readonly #visit: (startMs: number, durationMs: number, kind: V8GcKind) => void;
  #frameBudgetMs: number;
  #count = 0;
  #idleMs = 0;

  constructor(options: FrameRecorderOptions = {}) {
    const size = options.ringSize ?? 256;
    if (!Number.isInteger(size) || size < 2)
      throw new RangeError(`FrameRecorder: expected ringSize to be a whole number ≥ 2, got ${size}`);
    this.#frameBudgetMs = checkFrameBudget(options.frameBudgetMs ?? 1000 / 60, "FrameRecorder");
    this.#ring = Array.from({ length: size }, emptyRecord);
    this.#start = new Float64Array(size);
    this.#scriptsEnd = new Float64Array(size);
    this.#systemsEnd = new Float64Array(size);
    this.#syncEnd = new Float64Array(size);
    this.#end = new Float64Array(size).fill(Number.NaN);
    this.#protoOver = new Uint8Array(size);
    this.#visit = (startMs, durationMs, kind) => this.#place(startMs, durationMs, kind);
    this.#observer = options.observeV8Gc === false ? undefined : new V8GcObserver();
  }

  /** The frame-time budget (ms). */
  get frameBudgetMs(): number {
    return this.#frameBudgetMs;
  }

  set frameBudgetMs(ms: number) {
    this.#frameBudgetMs = checkFrameBudget(ms, "frameBudgetMs");
  }

  /** Frames begun so far. */
  get count(): number {
    return this.#count;
  }

  /** True if V8 pauses are observed. */
  get observesV8(): boolean {
    return this.#observer !== undefined;
  }

  /** The record of `frame` (the n-th frame begun, from 0) while its slot is in the ring. */
  record(frame: number): BridgeFrameRecord | undefined {
    if (
      !Number.isInteger(frame) ||
      frame < 0 ||
      frame >= this.#count ||
      frame < this.#count - this.#ring.length
    )
      return undefined;
    return this.#ring[frame % this.#ring.length];
  }

  /** The most recent record, if any. */
  latest(): BridgeFrameRecord | undefined {
    return this.#count === 0 ? undefined : this.#ring[(this.#count - 1) % this.#ring.length];
  }

  /**
   * Starts a frame at `startMs`: takes the next slot, clears it and returns it. The caller
   * fills its numbers, then calls phase() and end().
   */
  begin(startMs: number): BridgeFrameRecord {
    const slot = this.#count % this.#ring.length;
    const r = this.#ring[slot] as BridgeFrameRecord;
    r.frame = this.#count++;
    r.startMs = startMs;
    const p = r.phases;
    p.scriptsMs = 0;
    p.systemsMs = 0;
    p.syncMs = 0;
    p.renderMs = 0;
    r.gcPauseMs = 0;
    r.v8GcMs = 0;
    r.v8MinorGcMs = 0;
    r.v8MajorGcMs = 0;
    r.v8SlackGcMs = 0;
    r.v8IdleGcMs = this.#idleMs;
    this.#idleMs = 0;
    r.budgetMs = 0;
    r.overBudget = false;
    r.frameBudgetMs = this.#frameBudgetMs;
    r.overFrameTime = false;
    r.entities = 0;
    r.heapBytes = 0;
    r.liveObjects = 0;
    r.gcCycles = 0;
    r.longestPauseMs = 0;
    if (r.gcEvents.length > 0) r.gcEvents.length = 0;
    if (r.errors.length > 0) r.errors.length = 0;
    this.#start[slot] = startMs;
    this.#scriptsEnd[slot] = startMs;
    this.#systemsEnd[slot] = startMs;
    this.#syncEnd[slot] = startMs;
    this.#end[slot] = Number.NaN;
    this.#protoOver[slot] = 0;
    return r;
  }

  /**
   * Sets the phases from their end times (scripts, systems, sync: each phase runs from the
   * previous one's end) and the frame's Proto stalls, which are taken out of sync (where
   * the native frame closes). Call once the frame's work is done.
   */
  phases(
    record: BridgeFrameRecord,
    scriptsEnd: number,
    systemsEnd: number,
    syncEnd: number,
    protoPauseMs: number,
    protoOverBudget: boolean,
  ): void {
    const slot = record.frame % this.#ring.length;
    this.#scriptsEnd[slot] = scriptsEnd;
    this.#systemsEnd[slot] = systemsEnd;
    this.#syncEnd[slot] = syncEnd;
    this.#protoOver[slot] = protoOverBudget ? 1 : 0;
    const p = record.phases;
    p.scriptsMs = scriptsEnd - record.startMs;
    p.systemsMs = systemsEnd - scriptsEnd;
    p.syncMs = Math.max(0, syncEnd - systemsEnd - protoPauseMs);
    record.gcPauseMs = protoPauseMs;
  }

  /**
   * Ends the frame at `endMs` (after any work done in its slack, such as a young-generation
   * collection) and decides its budget flags. V8 pauses that perf_hooks reports later are
   * added by settle().
   */
  end(record: BridgeFrameRecord, endMs: number): void {
    this.#end[record.frame % this.#ring.length] = endMs;
    this.#judge(record);
  }

  /**
   * Places the V8 pauses perf_hooks delivered since the last call in the frames they fell in.
   * Call it after yielding to the event loop (step() of a driver calls it first thing); a
   * record's V8 figures are complete once a settle() after its frame has run.
   */
  settle(): void {
    this.#observer?.take(this.#visit);
  }

  /** Stops observing V8. */
  close(): void {
    this.#observer?.close();
  }

  // A frame's flags from its current numbers.
  #judge(r: BridgeFrameRecord): void {
    const slot = r.frame % this.#ring.length;
    r.overBudget = this.#protoOver[slot] === 1 || r.gcPauseMs + r.v8GcMs > r.budgetMs;
    const p = r.phases;
    const busy = p.scriptsMs + p.systemsMs + p.syncMs + p.renderMs + r.gcPauseMs + r.v8GcMs + r.v8SlackGcMs;
    r.overFrameTime = busy > r.frameBudgetMs;
  }

  // Adds one V8 pause to the frame it began in, or, if it began between frames, to the
  // next frame's idle time.
  #place(startMs: number, durationMs: number, kind: V8GcKind): void {
    const size = this.#ring.length;
    const oldest = Math.max(0, this.#count - size);
    for (let f = this.#count - 1; f >= oldest; f--) {
      const slot = f % size;
      const start = this.#start[slot] as number;
      if (startMs < start) continue;
      const r = this.#ring[slot] as BridgeFrameRecord;
      const end = this.#end[slot] as number;
      // Still running (NaN end): a pause reported while the frame runs began inside it.
      if (!(startMs <= end) && !Number.isNaN(end)) {
        // After this frame ended: idle time before the next one (or the one to come).
        if (f + 1 < this.#count) (this.#ring[(f + 1) % size] as BridgeFrameRecord).v8IdleGcMs += durationMs;
        else this.#idleMs += durationMs;
        return;
      }
      if (!Number.isNaN(end) && startMs >= (this.#syncEnd[slot] as number)) {
        // After the frame's work: the driver's slack collection (or one V8 ran there).
        r.v8SlackGcMs += durationMs;
        r.gcEvents.push({ source: "v8", kind, slack: true, startMs, durationMs });
        this.#judge(r);
        return;
      }
      if (kind === "minor") r.v8MinorGcMs += durationMs;
      else r.v8MajorGcMs += durationMs;
      r.v8GcMs += durationMs;
      r.gcEvents.push({ source: "v8", kind, startMs, durationMs });
      // Out of the phase it interrupted.
      const p = r.phases;
      if (startMs < (this.#scriptsEnd[slot] as number)) p.scriptsMs = Math.max(0, p.scriptsMs - durationMs);
      else if (startMs < (this.#systemsEnd[slot] as number))
        p.systemsMs = Math.max(0, p.systemsMs - durationMs);
      else if (startMs < (this.#syncEnd[slot] as number)) p.syncMs = Math.max(0, p.syncMs - durationMs);
      if (!Number.isNaN(end)) this.#judge(r);
      return;
    }
    // Before every frame in the ring (or before the first frame): no frame to charge.
  }
}
