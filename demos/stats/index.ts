// Public surface of demos/stats: frame-record summaries (p50/p99/max per phase, GC, over budget).

export type { Distribution, FrameSummary } from "./FrameSummary.ts";
export { formatFrameSummary, summarizeFrames } from "./FrameSummary.ts";
