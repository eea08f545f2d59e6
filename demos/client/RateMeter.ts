// RateMeter: a rate measured over a sliding window of event times — the host's real frame
// rate from its records' start times (on the host's clock), the page's draw rate from its
// own animation frames (on the page's clock). Kept free of the DOM so Node tests can use it.

/** Events per second over the last `windowMs` of event times. */
export class RateMeter {
  private readonly times: Float64Array;
  private count = 0;

  /** @param windowMs how far back the rate looks (default 1000 ms) */
  constructor(
    private readonly windowMs = 1000,
    capacity = 1024,
  ) {
    this.times = new Float64Array(capacity);
  }

  /** Records an event at `timeMs` (times must not go backwards; reset() when they do). */
  add(timeMs: number): void {
    this.times[this.count++ % this.times.length] = timeMs;
  }

  /** Forgets every event (a new run of the host, with a new clock). */
  reset(): void {
    this.count = 0;
  }

  /** Events per second over the window that ends at the latest event; 0 with fewer than two. */
  get rate(): number {
    const n = Math.min(this.count, this.times.length);
    if (n < 2) return 0;
    const size = this.times.length;
    const last = this.times[(this.count - 1) % size] as number;
    let first = last;
    let events = 0;
    for (let i = 1; i < n; i++) {
      const t = this.times[(this.count - 1 - i) % size] as number;
      if (last - t > this.windowMs) break;
      first = t;
      events = i;
    }
    return events === 0 || last === first ? 0 : (events * 1000) / (last - first);
  }
}
