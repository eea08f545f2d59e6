// V8GcObserver: collects the V8 garbage-collection pauses that perf_hooks reports, so a
// simulation can put them in its frame records. Node only.

import { type PerformanceEntry, PerformanceObserver } from "node:perf_hooks";
import type { GcEvent } from "../overlay/FrameRecord.ts";

/**
 * Buffers V8 GC pauses between drains. perf_hooks delivers entries asynchronously (after the task
 * that ran the GC), so a pause shows up in the drain of the step that follows it.
 */
export class V8GcObserver {
  private pending: GcEvent[] = [];
  private readonly observer: PerformanceObserver;

  /** Starts observing V8 GC pauses. */
  constructor() {
    this.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as PerformanceEntry[]) {
        this.pending.push({ source: "v8", startMs: entry.startTime, durationMs: entry.duration });
      }
    });
    this.observer.observe({ entryTypes: ["gc"] });
  }

  /** Returns the pauses seen since the previous drain and forgets them. */
  drain(): GcEvent[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** Stops observing. */
  close(): void {
    this.observer.disconnect();
  }
}
