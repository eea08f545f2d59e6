// ChromeTrace: turns frame records into Chrome trace-event JSON (the "JSON Object Format" that
// chrome://tracing, Perfetto and speedscope open). Pure: no I/O, no clock, no globals.
//
// Layout of the trace: one process ("Proto demo") with three tracks —
//   main thread: a "frame N" slice per frame (its busy time) with its phases nested inside,
//     back to back;
//   Proto GC / V8 GC: one slice per GC pause (and an instant marker on frames over budget);
// plus counter tracks (entities, heap, live objects, GC cycles, GC pause per frame).
//
// The host's /trace.json and the page's export both come from here, and keep the format's
// rules whatever the records hold: timestamps are microseconds from the earliest exported
// moment (never negative) and events are in timestamp order; slices on one track nest or
// follow each other, never overlap (a frame ends at the latest where the next begins, a GC
// pause starts at the earliest where the previous one ended); and records of an earlier run
// (frame numbers or clocks going backwards: the host restarted) are left out.

import { type FrameRecord, frameBusyMs, type GcEvent } from "../../engine-bridge/FrameRecord.ts";

/** Thread ids of the tracks in the exported trace. */
export const TRACE_TID = { main: 1, protoGc: 2, v8Gc: 3 } as const;

/** Argument values carried by trace events. */
export type TraceArgs = Record<string, number | string | boolean>;

/** One event of the Chrome trace-event format (the subset this exporter writes). */
export interface TraceEvent {
  /** Event name: a phase name, "frame N", a GC kind or a counter name. */
  name: string;
  /** Category, used by viewers for filtering. */
  cat: string;
  /** Event type: X complete slice, C counter, i instant, M metadata. */
  ph: "X" | "C" | "i" | "M";
  /** Start, in microseconds from the first exported frame. */
  ts: number;
  /** Duration in microseconds (X events only). */
  dur?: number;
  /** Process id. */
  pid: number;
  /** Thread id (track). */
  tid: number;
  /** Scope of an instant event: 't' thread. */
  s?: "t";
  /** Event arguments; for counters each key is one series. */
  args?: TraceArgs;
}

/** A whole trace, as written to a `.json` file. */
export interface ChromeTrace {
  /** The events, metadata first, then ordered by timestamp (parents before their children). */
  traceEvents: TraceEvent[];
  /** Unit that viewers show durations in. */
  displayTimeUnit: "ms";
  /** Free-form data about the export, shown by some viewers. */
  otherData: Record<string, string | number>;
}

/** Options of {@link toChromeTrace}. */
export interface ChromeTraceOptions {
  /** Export only the last N records (default: all). */
  lastN?: number;
  /** Process id written to every event (default 1). */
  pid?: number;
  /** Process name shown by the viewer (default "Proto demo"). */
  processName?: string;
  /** Clock value (ms) that becomes ts 0 (default: startMs of the first exported record). */
  originMs?: number;
  /** Extra entries for `otherData` (for example the simulation's name and entity count). */
  metadata?: Record<string, string | number>;
}

const PHASE_NAMES = ["scripts", "systems", "sync", "render"] as const;

/** Milliseconds to microseconds, rounded to the nanosecond so the JSON stays short. */
function toUs(ms: number): number {
  return Math.round(ms * 1e6) / 1e3;
}

function checkTime(record: FrameRecord, field: string, value: number, allowNegative = false): void {
  if (!Number.isFinite(value) || (!allowNegative && value < 0)) {
    throw new RangeError(
      `toChromeTrace: frame ${record.frame} has an invalid ${field} (${value}); expected a finite${allowNegative ? "" : " non-negative"} number of milliseconds`,
    );
  }
}

/** GC pauses of a record: its own events, or one synthetic pause per source at frame start. */
function gcPausesOf(record: FrameRecord): readonly GcEvent[] {
  if (record.gcEvents !== undefined) return record.gcEvents;
  const pauses: GcEvent[] = [];
  if (record.gcPauseMs > 0) {
    pauses.push({ source: "proto", startMs: record.startMs, durationMs: record.gcPauseMs });
  }
  if (record.v8GcMs > 0) {
    pauses.push({
      source: "v8",
      startMs: record.startMs + record.gcPauseMs,
      durationMs: record.v8GcMs,
    });
  }
  return pauses;
}

/** The records after the last place where frame numbers or start times go backwards (a restart). */
function latestRun(records: readonly FrameRecord[]): readonly FrameRecord[] {
  for (let i = records.length - 1; i > 0; i--) {
    const a = records[i - 1] as FrameRecord;
    const b = records[i] as FrameRecord;
    if (b.frame <= a.frame || b.startMs < a.startMs) return records.slice(i);
  }
  return records;
}

function checkRecord(record: FrameRecord): void {
  checkTime(record, "startMs", record.startMs, true);
  for (const phase of PHASE_NAMES) checkTime(record, `phases.${phase}Ms`, record.phases[`${phase}Ms`]);
  checkTime(record, "gcPauseMs", record.gcPauseMs);
  checkTime(record, "v8GcMs", record.v8GcMs);
  for (const pause of gcPausesOf(record)) {
    checkTime(record, "gcEvents.startMs", pause.startMs, true);
    checkTime(record, "gcEvents.durationMs", pause.durationMs);
  }
}

function pauseName(pause: GcEvent): string {
  if (pause.source === "proto") return "Proto GC pause";
  const kind = pause.kind === "major" ? "full GC" : pause.kind === "minor" ? "scavenge" : "GC pause";
  return `V8 ${kind}${pause.slack === true ? " (slack)" : ""}`;
}

/**
 * Converts frame records into a Chrome trace (phases as nested X slices on the main-thread track,
 * GC pauses as X slices on GC tracks, statistics as C counters), keeping the format's rules
 * (see the file comment). Throws a RangeError naming the frame and field when a record holds a
 * non-finite or negative time.
 */
export function toChromeTrace(records: readonly FrameRecord[], opts: ChromeTraceOptions = {}): ChromeTrace {
  const pid = opts.pid ?? 1;
  const lastN = opts.lastN ?? records.length;
  if (!Number.isInteger(lastN) || lastN < 0) {
    throw new RangeError(`toChromeTrace: lastN must be a non-negative integer, got ${lastN}`);
  }
  const selected = latestRun(records.slice(Math.max(0, records.length - lastN)));
  for (const record of selected) checkRecord(record);
  // The origin is the earliest moment exported, so no timestamp is negative.
  let originMs = opts.originMs ?? selected[0]?.startMs ?? 0;
  for (const record of selected) {
    originMs = Math.min(originMs, record.startMs);
    for (const pause of gcPausesOf(record)) originMs = Math.min(originMs, pause.startMs);
  }
  const us = (ms: number) => toUs(ms - originMs);

  const meta = (name: string, tid: number, args: TraceArgs): TraceEvent => ({
    name,
    cat: "__metadata",
    ph: "M",
    ts: 0,
    pid,
    tid,
    args,
  });
  const metadata: TraceEvent[] = [
    meta("process_name", TRACE_TID.main, { name: opts.processName ?? "Proto demo" }),
    meta("thread_name", TRACE_TID.main, { name: "main thread" }),
    meta("thread_sort_index", TRACE_TID.main, { sort_index: 0 }),
    meta("thread_name", TRACE_TID.protoGc, { name: "Proto GC pauses" }),
    meta("thread_sort_index", TRACE_TID.protoGc, { sort_index: 1 }),
    meta("thread_name", TRACE_TID.v8Gc, { name: "V8 GC pauses" }),
    meta("thread_sort_index", TRACE_TID.v8Gc, { sort_index: 2 }),
  ];

  const events: TraceEvent[] = [];
  // Where each GC track's last slice ended (µs): the next one starts no earlier.
  const trackEnd = { [TRACE_TID.protoGc]: 0, [TRACE_TID.v8Gc]: 0 } as Record<number, number>;
  for (let i = 0; i < selected.length; i++) {
    const record = selected[i] as FrameRecord;
    const next = selected[i + 1];
    const frameTs = us(record.startMs);
    // The frame's busy time, cut where the next frame begins.
    const limitUs = next === undefined ? Number.POSITIVE_INFINITY : us(next.startMs);
    const frameEndUs = Math.min(limitUs, us(record.startMs + frameBusyMs(record)));
    const pauses = gcPausesOf(record);
    // Without explicit GC events the synthetic pauses sit at the frame start, so the phases follow them.
    let cursorMs =
      record.gcEvents === undefined ? record.startMs + record.gcPauseMs + record.v8GcMs : record.startMs;
    // Boundaries are rounded once and shared by neighbours so children never overhang the frame.
    let cursorUs = Math.min(us(cursorMs), frameEndUs);
    const phaseEvents: TraceEvent[] = [];
    for (const phase of PHASE_NAMES) {
      const ms = record.phases[`${phase}Ms`];
      cursorMs += ms;
      const endUs = Math.min(us(cursorMs), frameEndUs);
      if (endUs > cursorUs) {
        phaseEvents.push({
          name: phase,
          cat: "phase",
          ph: "X",
          ts: cursorUs,
          dur: endUs - cursorUs,
          pid,
          tid: TRACE_TID.main,
        });
      }
      cursorUs = endUs;
    }
    events.push({
      name: `frame ${record.frame}`,
      cat: "frame",
      ph: "X",
      ts: frameTs,
      dur: Math.max(frameEndUs, cursorUs) - frameTs,
      pid,
      tid: TRACE_TID.main,
      args: {
        frame: record.frame,
        gcPauseMs: record.gcPauseMs,
        v8GcMs: record.v8GcMs,
        v8MinorGcMs: record.v8MinorGcMs,
        v8MajorGcMs: record.v8MajorGcMs,
        v8SlackGcMs: record.v8SlackGcMs,
        budgetMs: record.budgetMs,
        overBudget: record.overBudget,
        overFrameTime: record.overFrameTime,
      },
    });
    events.push(...phaseEvents);

    for (const pause of [...pauses].sort((a, b) => a.startMs - b.startMs)) {
      const tid = pause.source === "proto" ? TRACE_TID.protoGc : TRACE_TID.v8Gc;
      const ts = Math.max(us(pause.startMs), trackEnd[tid] as number);
      const end = us(pause.startMs + pause.durationMs);
      if (end <= ts) continue;
      trackEnd[tid] = end;
      events.push({ name: pauseName(pause), cat: "gc", ph: "X", ts, dur: end - ts, pid, tid });
    }
    if (record.overBudget) {
      events.push({
        name: "over budget",
        cat: "gc",
        ph: "i",
        s: "t",
        ts: frameTs,
        pid,
        tid: TRACE_TID.protoGc,
        args: { gcPauseMs: record.gcPauseMs, v8GcMs: record.v8GcMs, budgetMs: record.budgetMs },
      });
    }

    const counter = (name: string, args: TraceArgs): TraceEvent => ({
      name,
      cat: "stats",
      ph: "C",
      ts: frameTs,
      pid,
      tid: TRACE_TID.main,
      args,
    });
    events.push(
      counter("entities", { entities: record.entities }),
      counter("heap", { bytes: record.heapBytes }),
      counter("live objects", { objects: record.liveObjects }),
      counter("GC cycles", { cycles: record.gcCycles }),
      counter("GC pause per frame (ms)", {
        proto: record.gcPauseMs,
        v8: record.v8GcMs,
        budget: record.budgetMs,
      }),
    );
  }

  // Stable sort: by start, then longer slices first so a parent precedes the children it encloses.
  events.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));

  return {
    traceEvents: [...metadata, ...events],
    displayTimeUnit: "ms",
    otherData: {
      exporter: "proto demos/trace",
      frames: selected.length,
      firstFrame: selected[0]?.frame ?? -1,
      lastFrame: selected[selected.length - 1]?.frame ?? -1,
      ...opts.metadata,
    },
  };
}
