// OverlayFormat: how the overlay (and the demo page) write numbers — durations with enough
// digits to tell a small budget from zero, byte sizes and counts.

/** A duration in ms with enough digits to tell it from zero (0.001 → "0.0010", 0.5 → "0.50", 16.67 → "16.7"). */
export function formatMs(ms: number): string {
  if (ms === 0) return "0";
  if (Math.abs(ms) >= 10) return ms.toFixed(1);
  if (Math.abs(ms) >= 0.1) return ms.toFixed(2);
  return ms.toPrecision(2);
}

/** A byte size: kB, MB or GB. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1 << 30) return `${(bytes / (1 << 30)).toFixed(2)} GB`;
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MB`;
  return `${(bytes / 1024).toFixed(0)} kB`;
}

/** A count, shortened above 10 000 (12.3k, 1.20M). */
export function formatCount(n: number): string {
  return n >= 1e6
    ? `${(n / 1e6).toFixed(2)}M`
    : n >= 1e4
      ? `${(n / 1e3).toFixed(1)}k`
      : String(Math.round(n));
}
