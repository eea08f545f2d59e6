// FrameMessage: the binary message the host sends once per simulated frame — every entity's
// position and kind, plus (optionally) the frame's FrameRecord — and its validating decoder.
//
// Layout, little-endian, all offsets from the start of the message:
//
//   0  u32  magic "PRTF" (bytes 50 52 54 46)
//   4  u8   version (FRAME_VERSION)
//   5  u8   reserved, 0
//   6  u16  flags: bit 0 = has a frame-record section, bit 1 = the record lists its GC events
//   8  u32  frame number (low 32 bits)
//  12  u32  entity count n
//  16  u32  total message length in bytes (catches truncation and trailing garbage)
//  20  u32  reserved, 0
//  24  f32[n] x, then f32[n] y, then u8[n] kind, then zero padding to a multiple of 8
//   r  record section (if flag 0): u16 field count F, u16 GC event count G, u32 reserved,
//      f64[F] record fields (RECORD_FIELDS order; a newer writer may append fields, which a
//      reader ignores), then G × (f64 source, f64 startMs, f64 durationMs). Sources: 0 proto,
//      1 v8 (kind not known), 2 v8 minor, 3 v8 major, 4 v8 minor in the frame's slack, 5 v8
//      major in the slack.
//
// Version 2 added the record fields v8MinorGcMs, v8MajorGcMs, v8IdleGcMs, frameBudgetMs,
// overFrameTime and v8SlackGcMs, and the V8 kinds of GC events.
//
// The x/y block starts at byte 24 and the kinds right after, so a decoder reading from a
// 4-byte-aligned buffer (a browser ArrayBuffer) gets typed-array views with no copy.

import type { FrameRecord, GcEvent } from "../../engine-bridge/FrameRecord.ts";
import { ENTITY_KIND_COUNT } from "./EntityKind.ts";
import { ProtocolError } from "./ProtocolError.ts";

/** The first four bytes of every frame message: ASCII "PRTF". */
export const FRAME_MAGIC = 0x46545250;
/** The protocol version this module writes and reads. */
export const FRAME_VERSION = 2;
/** Size of the fixed header in bytes. */
export const FRAME_HEADER_BYTES = 24;
/** Largest entity count a message may carry (keeps a garbage header from allocating gigabytes). */
export const MAX_FRAME_ENTITIES = 1 << 22;
/** Flag: the message carries a frame-record section. */
export const FLAG_HAS_RECORD = 1;
/** Flag: the record section lists the frame's GC events (FrameRecord.gcEvents is defined). */
export const FLAG_HAS_GC_EVENTS = 2;

const KNOWN_FLAGS = FLAG_HAS_RECORD | FLAG_HAS_GC_EVENTS;
const RECORD_PREFIX_BYTES = 8;
const GC_EVENT_BYTES = 24;
/** Largest GC event count a record section may carry. */
const MAX_GC_EVENTS = 0xffff;

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

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** What the host encodes for one frame. Arrays may be longer than `count`; extra slots are ignored. */
export interface FrameInput {
  /** Frame number (only its low 32 bits travel in the header). */
  frame: number;
  /** Number of entities to send. */
  count: number;
  /** X positions in world units. */
  x: Float32Array;
  /** Y positions in world units. */
  y: Float32Array;
  /** Kind code per entity (see EntityKind). */
  kind: Uint8Array;
  /** The frame's statistics, sent along when present. */
  record?: FrameRecord;
}

/**
 * A decoded frame message: the fields of a FrameInput, with `frame` from the header (low 32
 * bits), x, y and kind exactly `count` long and every kind below ENTITY_KIND_COUNT. The arrays
 * may be views into the received buffer: copy to keep them.
 */
export type DecodedFrame = FrameInput;

function align8(n: number): number {
  return (n + 7) & ~7;
}

function recordSectionBytes(record: FrameRecord | undefined): number {
  if (record === undefined) return 0;
  return RECORD_PREFIX_BYTES + 8 * RECORD_FIELDS.length + GC_EVENT_BYTES * (record.gcEvents?.length ?? 0);
}

/** Exact size in bytes of the message that encodes `count` entities and, optionally, `record`. */
export function frameMessageBytes(count: number, record?: FrameRecord): number {
  return align8(FRAME_HEADER_BYTES + 9 * count) + recordSectionBytes(record);
}

function recordValue(record: FrameRecord, field: (typeof RECORD_FIELDS)[number]): number {
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

/**
 * Encodes a frame into `target` (whose byteOffset must be a multiple of 4 and which must hold at
 * least frameMessageBytes(...) bytes) and returns the number of bytes written. Reusing `target`
 * across frames avoids a per-frame allocation. Throws a ProtocolError on inconsistent input.
 */
export function encodeFrameInto(target: Uint8Array, input: FrameInput): number {
  if (!LITTLE_ENDIAN) throw new ProtocolError("frame encoding needs a little-endian host");
  const n = input.count;
  if (!Number.isInteger(n) || n < 0 || n > MAX_FRAME_ENTITIES) {
    throw new ProtocolError(`entity count must be an integer in [0, ${MAX_FRAME_ENTITIES}], got ${n}`);
  }
  if (input.x.length < n || input.y.length < n || input.kind.length < n) {
    throw new ProtocolError(
      `entity arrays are shorter than count ${n} (x ${input.x.length}, y ${input.y.length}, kind ${input.kind.length})`,
    );
  }
  const gcEvents = input.record?.gcEvents;
  if (gcEvents !== undefined && gcEvents.length > MAX_GC_EVENTS) {
    throw new ProtocolError(
      `a frame record may list at most ${MAX_GC_EVENTS} GC events, got ${gcEvents.length}`,
    );
  }
  const total = frameMessageBytes(n, input.record);
  if (target.byteLength < total) {
    throw new ProtocolError(`target holds ${target.byteLength} bytes; this frame needs ${total}`);
  }
  if (target.byteOffset % 4 !== 0) {
    throw new ProtocolError(`target byteOffset ${target.byteOffset} is not a multiple of 4`);
  }

  const views = viewsOf(target.buffer);
  const view = views.data;
  const base = target.byteOffset;
  let flags = 0;
  if (input.record !== undefined) flags |= FLAG_HAS_RECORD;
  if (gcEvents !== undefined) flags |= FLAG_HAS_GC_EVENTS;
  view.setUint32(base, FRAME_MAGIC, true);
  view.setUint8(base + 4, FRAME_VERSION);
  view.setUint8(base + 5, 0);
  view.setUint16(base + 6, flags, true);
  view.setUint32(base + 8, input.frame >>> 0, true);
  view.setUint32(base + 12, n, true);
  view.setUint32(base + 16, total, true);
  view.setUint32(base + 20, 0, true);

  // Element loops rather than set(subarray()): no view objects per frame.
  const f32 = views.f32;
  const xAt = (base + FRAME_HEADER_BYTES) >> 2;
  const yAt = xAt + n;
  const x = input.x;
  const y = input.y;
  for (let i = 0; i < n; i++) {
    f32[xAt + i] = x[i] as number;
    f32[yAt + i] = y[i] as number;
  }
  const kindsAt = FRAME_HEADER_BYTES + 8 * n;
  const kind = input.kind;
  for (let i = 0; i < n; i++) target[kindsAt + i] = kind[i] as number;
  const recordAt = align8(kindsAt + n);
  for (let i = kindsAt + n; i < recordAt; i++) target[i] = 0;

  const record = input.record;
  if (record !== undefined) {
    const eventCount = gcEvents === undefined ? 0 : gcEvents.length;
    view.setUint16(base + recordAt, RECORD_FIELDS.length, true);
    view.setUint16(base + recordAt + 2, eventCount, true);
    view.setUint32(base + recordAt + 4, 0, true);
    let at = base + recordAt + RECORD_PREFIX_BYTES;
    for (let f = 0; f < RECORD_FIELDS.length; f++) {
      view.setFloat64(at, recordValue(record, RECORD_FIELDS[f] as (typeof RECORD_FIELDS)[number]), true);
      at += 8;
    }
    for (let e = 0; e < eventCount; e++) {
      const event = (gcEvents as readonly GcEvent[])[e] as GcEvent;
      view.setFloat64(at, gcSourceCode(event), true);
      view.setFloat64(at + 8, event.startMs, true);
      view.setFloat64(at + 16, event.durationMs, true);
      at += GC_EVENT_BYTES;
    }
  }
  return total;
}

/** A DataView and a Float32Array over a whole buffer, made once per buffer. */
interface BufferViews {
  readonly data: DataView;
  readonly f32: Float32Array;
}
const bufferViews = new WeakMap<ArrayBufferLike, BufferViews>();

function viewsOf(buffer: ArrayBufferLike): BufferViews {
  let views = bufferViews.get(buffer);
  if (views === undefined) {
    views = { data: new DataView(buffer), f32: new Float32Array(buffer, 0, buffer.byteLength >> 2) };
    bufferViews.set(buffer, views);
  }
  return views;
}

function gcSourceCode(event: GcEvent): number {
  if (event.source === "proto") return 0;
  const slack = event.slack === true ? 2 : 0;
  return event.kind === "minor" ? 2 + slack : event.kind === "major" ? 3 + slack : 1;
}

/** Encodes a frame into a new, exactly sized buffer. Throws a ProtocolError on inconsistent input. */
export function encodeFrame(input: FrameInput): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(frameMessageBytes(input.count, input.record));
  encodeFrameInto(out, input);
  return out;
}

function asBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new ProtocolError("frame message must be an ArrayBuffer or a typed array");
}

function decodeRecord(
  view: DataView,
  at: number,
  end: number,
  flags: number,
  headerFrame: number,
): FrameRecord {
  if (end - at < RECORD_PREFIX_BYTES) {
    throw new ProtocolError(`record section at byte ${at} is truncated: ${end - at} bytes left`);
  }
  const fieldCount = view.getUint16(at, true);
  const gcCount = view.getUint16(at + 2, true);
  if (fieldCount < RECORD_FIELDS.length) {
    throw new ProtocolError(
      `record section has ${fieldCount} fields; version ${FRAME_VERSION} needs at least ${RECORD_FIELDS.length}`,
    );
  }
  if (gcCount > 0 && (flags & FLAG_HAS_GC_EVENTS) === 0) {
    throw new ProtocolError(`record lists ${gcCount} GC events but the GC-events flag is clear`);
  }
  const expected = RECORD_PREFIX_BYTES + 8 * fieldCount + GC_EVENT_BYTES * gcCount;
  if (end - at !== expected) {
    throw new ProtocolError(
      `record section at byte ${at} should be ${expected} bytes (${fieldCount} fields, ${gcCount} GC events), found ${end - at}`,
    );
  }
  const v = {} as Record<(typeof RECORD_FIELDS)[number], number>;
  let p = at + RECORD_PREFIX_BYTES;
  for (const field of RECORD_FIELDS) {
    const value = view.getFloat64(p, true);
    if (!Number.isFinite(value)) {
      throw new ProtocolError(`record field ${field} at byte ${p} is not a finite number (${value})`);
    }
    v[field] = value;
    p += 8;
  }
  p = at + RECORD_PREFIX_BYTES + 8 * fieldCount;
  if (v.overBudget !== 0 && v.overBudget !== 1) {
    throw new ProtocolError(`record field overBudget must be 0 or 1, got ${v.overBudget}`);
  }
  if (v.overFrameTime !== 0 && v.overFrameTime !== 1) {
    throw new ProtocolError(`record field overFrameTime must be 0 or 1, got ${v.overFrameTime}`);
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
  if ((flags & FLAG_HAS_GC_EVENTS) !== 0) {
    const events: GcEvent[] = [];
    for (let i = 0; i < gcCount; i++, p += GC_EVENT_BYTES) {
      const source = view.getFloat64(p, true);
      const startMs = view.getFloat64(p + 8, true);
      const durationMs = view.getFloat64(p + 16, true);
      if (!Number.isInteger(source) || source < 0 || source > 5) {
        throw new ProtocolError(
          `GC event ${i} has unknown source ${source} (0 proto, 1 v8, 2/3 v8 minor/major, 4/5 the same in the slack)`,
        );
      }
      if (!Number.isFinite(startMs) || !Number.isFinite(durationMs) || durationMs < 0) {
        throw new ProtocolError(
          `GC event ${i} has an invalid time (start ${startMs}, duration ${durationMs})`,
        );
      }
      if (source === 0) events.push({ source: "proto", startMs, durationMs });
      else if (source === 1) events.push({ source: "v8", startMs, durationMs });
      else if (source <= 3)
        events.push({ source: "v8", kind: source === 2 ? "minor" : "major", startMs, durationMs });
      else
        events.push({
          source: "v8",
          kind: source === 4 ? "minor" : "major",
          slack: true,
          startMs,
          durationMs,
        });
    }
    record.gcEvents = events;
  }
  return record;
}

/**
 * Decodes and validates a frame message. Throws a ProtocolError saying what is wrong for
 * truncated, oversized, garbage or inconsistent input. The returned arrays are views into `data`
 * when it is 4-byte aligned (as browser ArrayBuffers are), otherwise copies.
 */
export function decodeFrame(data: ArrayBuffer | ArrayBufferView): DecodedFrame {
  if (!LITTLE_ENDIAN) throw new ProtocolError("frame decoding needs a little-endian host");
  let bytes = asBytes(data);
  if (bytes.byteLength < FRAME_HEADER_BYTES) {
    throw new ProtocolError(
      `frame message truncated: ${bytes.byteLength} bytes, the header alone is ${FRAME_HEADER_BYTES}`,
    );
  }
  let view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  if (magic !== FRAME_MAGIC) {
    throw new ProtocolError(`not a frame message: magic 0x${magic.toString(16).padStart(8, "0")}`);
  }
  const version = view.getUint8(4);
  if (version !== FRAME_VERSION) {
    throw new ProtocolError(`unsupported frame version ${version}; this reader handles ${FRAME_VERSION}`);
  }
  const flags = view.getUint16(6, true);
  if ((flags & ~KNOWN_FLAGS) !== 0 || view.getUint8(5) !== 0 || view.getUint32(20, true) !== 0) {
    throw new ProtocolError(
      `frame header has unknown flags 0x${flags.toString(16)} or non-zero reserved bytes`,
    );
  }
  const frame = view.getUint32(8, true);
  const n = view.getUint32(12, true);
  const total = view.getUint32(16, true);
  if (n > MAX_FRAME_ENTITIES) {
    throw new ProtocolError(`entity count ${n} exceeds the maximum ${MAX_FRAME_ENTITIES}`);
  }
  if (total !== bytes.byteLength) {
    throw new ProtocolError(
      total > bytes.byteLength
        ? `frame message truncated: header says ${total} bytes, received ${bytes.byteLength}`
        : `frame message has ${bytes.byteLength - total} trailing bytes after its declared ${total}`,
    );
  }
  const recordAt = align8(FRAME_HEADER_BYTES + 9 * n);
  const hasRecord = (flags & FLAG_HAS_RECORD) !== 0;
  if (!hasRecord && (flags & FLAG_HAS_GC_EVENTS) !== 0) {
    throw new ProtocolError("frame header sets the GC-events flag without a record section");
  }
  if (hasRecord ? total < recordAt : total !== recordAt) {
    throw new ProtocolError(
      `frame message of ${total} bytes cannot hold ${n} entities${hasRecord ? " and a record" : ""} (needs ${recordAt}${hasRecord ? "+" : ""})`,
    );
  }

  if (bytes.byteOffset % 4 !== 0) {
    bytes = bytes.slice();
    view = new DataView(bytes.buffer, 0, bytes.byteLength);
  }
  const kindsAt = FRAME_HEADER_BYTES + 8 * n;
  const kind = new Uint8Array(bytes.buffer, bytes.byteOffset + kindsAt, n);
  for (let i = 0; i < n; i++) {
    if ((kind[i] ?? 0) >= ENTITY_KIND_COUNT) {
      throw new ProtocolError(`entity ${i} has unknown kind ${kind[i]} (byte ${kindsAt + i})`);
    }
  }
  const decoded: DecodedFrame = {
    frame,
    count: n,
    x: new Float32Array(bytes.buffer, bytes.byteOffset + FRAME_HEADER_BYTES, n),
    y: new Float32Array(bytes.buffer, bytes.byteOffset + FRAME_HEADER_BYTES + 4 * n, n),
    kind,
  };
  if (hasRecord) decoded.record = decodeRecord(view, recordAt, total, flags, frame);
  return decoded;
}
