// Public surface of demos/trace: frame records to Chrome trace-event JSON (Perfetto, chrome://tracing).

export type { ChromeTrace, ChromeTraceOptions, TraceArgs, TraceEvent } from "./ChromeTrace.ts";
export { TRACE_TID, toChromeTrace } from "./ChromeTrace.ts";
