// engine-bridge/V8GcObserver.ts — V8 garbage-collection pauses as perf_hooks reports them
// ('gc' performance entries), kept in a ring until the frame recorder takes them.
import { constants, type PerformanceEntry, PerformanceObserver } from "node:perf_hooks";

/** Which of V8's collectors paused: a scavenge of the young generation (minor) or the full heap (major). */
export type V8GcKind = "minor" | "major";

/** One V8 GC pause (perf_hooks clock, ms). */
export interface V8GcPause {
  readonly startMs: number;
  readonly durationMs: number;
  /** minor: a scavenge of the young generation; major: mark-compact, an incremental marking step or weak callbacks. */
  readonly kind: V8GcKind;
}

/** Visits one pause (see V8GcObserver.take). */
export type V8PauseVisitor = (startMs: number, durationMs: number, kind: V8GcKind) => void;

/**
 * Buffers V8 GC pauses. perf_hooks delivers entries after the task that ran the GC, so a
 * pause is known only once the host has yielded to the event loop (any game loop does,
 * between frames); the frame recorder then places it in the frame it fell in.
 */
export class V8GcObserver {
  #start = new Float64Array(64);
  #duration = new Float64Array(64);
  #major = new Uint8Array(64);
  #head = 0;
  #count = 0;
  readonly #observer: PerformanceObserver;

  /** Starts observing V8 GC pauses. */
  constructor() {
    this.#observer = new PerformanceObserver((list) => this.#add(list.getEntries()));
    this.#observer.observe({ entryTypes: ["gc"] });
  }

  /**
   * Pauses seen and not taken yet. Node makes a GC's entry in the first event-loop turn
   * after the task that ran it, and calls observers only in a second one; this asks for
   * the entries made and not delivered yet, so one turn is enough.
   */
  get pending(): number {
    this.#add(this.#observer.takeRecords());
    return this.#count;
  }

  /** Hands every pending pause to `visit`, oldest first, and forgets them. */
  take(visit: V8PauseVisitor): void {
    this.#add(this.#observer.takeRecords());
    const size = this.#start.length;
    while (this.#count > 0) {
      const i = this.#head;
      this.#head = (i + 1) % size;
      this.#count--;
      visit(this.#start[i] as number, this.#duration[i] as number, this.#major[i] === 1 ? "major" : "minor");
    }
  }

  /** The pauses seen since the previous drain (or take), as objects. */
  drain(): V8GcPause[] {
    const out: V8GcPause[] = [];
    this.take((startMs, durationMs, kind) => out.push({ startMs, durationMs, kind }));
    return out;
  }

  /** Stops observing. */
  close(): void {
    this.#observer.disconnect();
  }

  #add(entries: readonly PerformanceEntry[]): void {
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as PerformanceEntry;
      const kind = (entry.detail as { kind?: number } | null)?.kind;
      this.#push(entry.startTime, entry.duration, kind !== constants.NODE_PERFORMANCE_GC_MINOR);
    }
  }

  #push(startMs: number, durationMs: number, major: boolean): void {
    let size = this.#start.length;
    if (this.#count === size) this.#grow();
    size = this.#start.length;
    const i = (this.#head + this.#count) % size;
    this.#start[i] = startMs;
    this.#duration[i] = durationMs;
    this.#major[i] = major ? 1 : 0;
    this.#count++;
  }

  // More pauses than the ring holds arrived between two takes: double it, oldest first.
  #grow(): void {
    const size = this.#start.length;
    const start = new Float64Array(size * 2);
    const duration = new Float64Array(size * 2);
    const major = new Uint8Array(size * 2);
    for (let k = 0; k < this.#count; k++) {
      const i = (this.#head + k) % size;
      start[k] = this.#start[i] as number;
      duration[k] = this.#duration[i] as number;
      major[k] = this.#major[i] as number;
    }
    this.#start = start;
    this.#duration = duration;
    this.#major = major;
    this.#head = 0;
  }
}
