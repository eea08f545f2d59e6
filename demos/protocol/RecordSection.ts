// RecordSection: one FrameRecord in binary, as both the frame message (FrameMessage.ts) and
// the stats message (StatsMessage.ts) carry it, and its validating decoder.
//
// Layout, little-endian: u16 field count F, u16 GC event count G, u32 reserved, f64[F]
// record fields (RECORD_FIELDS order; a newer writer may append fields, which a reader
// ignores), then G × (f64 source, f64 startMs, f64 durationMs). Sources: 0 proto, 1 v8
// (kind not known), 2 v8 minor, 3 v8 major, 4 v8 minor in the frame's slack, 5 v8 major in
// the slack.

import type { FrameRecord, GcEvent } from "../../engine-bridge/FrameRecord.ts";
import { ProtocolError } from "./ProtocolError.ts";

const PREFIX_BYTES = 8;
const GC_EVENT_BYTES = 24;
/** Largest GC event count a record section may carry. */
export const MAX_GC_EVENTS = 0xffff;

/** Order of the f64 fields in the record section. */
const RECORD_FIELDS = [
  "frame",
  "startMs",
  "scriptsMs",
  "systemsMs",
  "syncMs",
  "renderMs",
  "gcPauseMs",
  "v8GcMs",
  "budgetMs",
  "overBudget",
  "entities",
  "heapBytes",
  "liveObjects",
  "gcCycles",
  "longestPauseMs",
  "v8MinorGcMs",
  "v8MajorGcMs",
  "v8IdleGcMs",
  "frameBudgetMs",
  "overFrameTime",
  "v8SlackGcMs",
] as const;
type RecordField = (typeof RECORD_FIELDS)[number];

/** Size in bytes of the section that encodes `record` (a multiple of 8). */
export function recordSectionBytes(record: FrameRecord): number {
  return PREFIX_BYTES + 8 * RECORD_FIELDS.length + GC_EVENT_BYTES * (record.gcEvents?.length ?? 0);
}

function recordValue(record: FrameRecord, field: RecordField): number {
  switch (field) {
    case "scriptsMs":
    case "systemsMs":
    case "syncMs":
    case "renderMs":
      return record.phases[field];
    case "overBudget":
      return record.overBudget ? 1 : 0;
    case "overFrameTime":
      return record.overFrameTime ? 1 : 0;
    default:
      return record[field];
  }
}

function gcSourceCode(event: GcEvent): number {
  if (event.source === "proto") return 0;
  const slack = event.slack === true ? 2 : 0;
  return event.kind === "minor" ? 2 + slack : event.kind === "major" ? 3 + slack : 1;
}

/** Throws a ProtocolError unless the record's event list fits a section. */
export function checkRecordEvents(record: FrameRecord): void {
  const n = record.gcEvents?.length ?? 0;
  if (n > MAX_GC_EVENTS)
    throw new ProtocolError(`a frame record may list at most ${MAX_GC_EVENTS} GC events, got ${n}`);
}

/** Writes `record` at byte `at` of `view` (room checked by the caller); returns the bytes written. */
export function writeRecordSection(view: DataView, at: number, record: FrameRecord): number {
  const events = record.gcEvents;
  const eventCount = events === undefined ? 0 : events.length;
  view.setUint16(at, RECORD_FIELDS.length, true);
  view.setUint16(at + 2, eventCount, true);
  view.setUint32(at + 4, 0, true);
  let p = at + PREFIX_BYTES;
  for (let f = 0; f < RECORD_FIELDS.length; f++) {
    view.setFloat64(p, recordValue(record, RECORD_FIELDS[f] as RecordField), true);
    p += 8;
  }
  for (let e = 0; e < eventCount; e++) {
    const event = (events as readonly GcEvent[])[e] as GcEvent;
    view.setFloat64(p, gcSourceCode(event), true);
    view.setFloat64(p + 8, event.startMs, true);
    view.setFloat64(p + 16, event.durationMs, true);
    p += GC_EVENT_BYTES;
  }
  return p - at;
}

function decodeEvents(view: DataView, p: number, count: number): GcEvent[] {
  const events: GcEvent[] = [];
  for (let i = 0; i < count; i++, p += GC_EVENT_BYTES) {
    const source = view.getFloat64(p, true);
    const startMs = view.getFloat64(p + 8, true);
    const durationMs = view.getFloat64(p + 16, true);
    if (!Number.isInteger(source) || source < 0 || source > 5) {
      throw new ProtocolError(
        `GC event ${i} has unknown source ${source} (0 proto, 1 v8, 2/3 v8 minor/major, 4/5 the same in the slack)`,
      );
    }
    if (!Number.isFinite(startMs) || !Number.isFinite(durationMs) || durationMs < 0) {
      throw new ProtocolError(`GC event ${i} has an invalid time (start ${startMs}, duration ${durationMs})`);
    }
    if (source === 0) events.push({ source: "proto", startMs, durationMs });
    else if (source === 1) events.push({ source: "v8", startMs, durationMs });
    else {
      const kind = source === 2 || source === 4 ? "minor" : "major";
      events.push(
        source <= 3
          ? { source: "v8", kind, startMs, durationMs }
          : { source: "v8", kind, slack: true, startMs, durationMs },
      );
    }
  }
  return events;
}

/**
 * Decodes the section that fills bytes [at, end) of `view`. `withEvents` says whether the
 * message declared an event list (FrameRecord.gcEvents is then defined, maybe empty);
 * `headerFrame` is the frame number of the message header (its low 32 bits), which the
 * record must match. Throws a ProtocolError saying what is wrong.
 */
export function readRecordSection(
  view: DataView,
  at: number,
  end: number,
  withEvents: boolean,
  headerFrame: number,
): FrameRecord {
  if (end - at < PREFIX_BYTES) {
    throw new ProtocolError(`record section at byte ${at} is truncated: ${end - at} bytes left`);
  }
  const fieldCount = view.getUint16(at, true);
  const gcCount = view.getUint16(at + 2, true);
  if (fieldCount < RECORD_FIELDS.length) {
    throw new ProtocolError(
      `record section has ${fieldCount} fields; this reader needs at least ${RECORD_FIELDS.length}`,
    );
  }
  if (gcCount > 0 && !withEvents) {
    throw new ProtocolError(`record lists ${gcCount} GC events but the GC-events flag is clear`);
  }
  const expected = PREFIX_BYTES + 8 * fieldCount + GC_EVENT_BYTES * gcCount;
  if (end - at !== expected) {
    throw new ProtocolError(
      `record section at byte ${at} should be ${expected} bytes (${fieldCount} fields, ${gcCount} GC events), found ${end - at}`,
    );
  }
  const v = {} as Record<RecordField, number>;
  let p = at + PREFIX_BYTES;
  for (const field of RECORD_FIELDS) {
    const value = view.getFloat64(p, true);
    if (!Number.isFinite(value)) {
      throw new ProtocolError(`record field ${field} at byte ${p} is not a finite number (${value})`);
    }
    v[field] = value;
    p += 8;
  }
  for (const flag of ["overBudget", "overFrameTime"] as const) {
    if (v[flag] !== 0 && v[flag] !== 1)
      throw new ProtocolError(`record field ${flag} must be 0 or 1, got ${v[flag]}`);
  }
  if (v.frame % 2 ** 32 !== headerFrame) {
    throw new ProtocolError(`record frame ${v.frame} does not match header frame ${headerFrame}`);
  }
  const record: FrameRecord = {
    frame: v.frame,
    startMs: v.startMs,
    phases: { scriptsMs: v.scriptsMs, systemsMs: v.systemsMs, syncMs: v.syncMs, renderMs: v.renderMs },
    gcPauseMs: v.gcPauseMs,
    v8GcMs: v.v8GcMs,
    v8MinorGcMs: v.v8MinorGcMs,
    v8MajorGcMs: v.v8MajorGcMs,
    v8SlackGcMs: v.v8SlackGcMs,
    v8IdleGcMs: v.v8IdleGcMs,
    budgetMs: v.budgetMs,
    overBudget: v.overBudget === 1,
    frameBudgetMs: v.frameBudgetMs,
    overFrameTime: v.overFrameTime === 1,
    entities: v.entities,
    heapBytes: v.heapBytes,
    liveObjects: v.liveObjects,
    gcCycles: v.gcCycles,
    longestPauseMs: v.longestPauseMs,
  };
  if (withEvents) record.gcEvents = decodeEvents(view, at + PREFIX_BYTES + 8 * fieldCount, gcCount);
  return record;
}
