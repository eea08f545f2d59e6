// engine-bridge/V8GcObserver.ts — V8 garbage-collection pauses as perf_hooks reports them
// ('gc' performance entries), buffered until the frame driver drains them.
import { type PerformanceEntry, PerformanceObserver } from "node:perf_hooks";

/** One V8 GC pause (perf_hooks clock, ms). */
export interface V8GcPause {
  readonly startMs: number;
  readonly durationMs: number;
}

/**
 * Buffers V8 GC pauses. perf_hooks delivers entries after the task that ran the GC, so a
 * pause appears in the drain of a later frame (the host must yield to the event loop
 * between frames, as any game loop does).
 */
export class V8GcObserver {
  #pending: V8GcPause[] = [];
  readonly #observer: PerformanceObserver;

  /** Starts observing V8 GC pauses. */
  constructor() {
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as PerformanceEntry[])
        this.#pending.push({ startMs: entry.startTime, durationMs: entry.duration });
    });
    this.#observer.observe({ entryTypes: ["gc"] });
  }

  /** The pauses seen since the previous drain. */
  drain(): V8GcPause[] {
    const out = this.#pending;
    this.#pending = [];
    return out;
  }

  /** Stops observing. */
  close(): void {
    this.#observer.disconnect();
  }
}
