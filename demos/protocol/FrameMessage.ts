// FrameMessage: the binary message of one frame's entities — every entity's position and
// kind, plus (optionally) the frame's FrameRecord — and its validating decoder. The demo host
// sends the record apart, in a stats message (StatsMessage.ts), because it may skip a
// frame's positions for a slow page but never its record.
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
//   r  record section (if flag 0), as RecordSection.ts writes it.
//
// Version 2 added the record fields v8MinorGcMs, v8MajorGcMs, v8IdleGcMs, frameBudgetMs,
// overFrameTime and v8SlackGcMs, and the V8 kinds of GC events.
//
// The x/y block starts at byte 24 and the kinds right after, so a decoder reading from a
// 4-byte-aligned buffer (a browser ArrayBuffer) gets typed-array views with no copy.

import type { FrameRecord } from "../../engine-bridge/FrameRecord.ts";
import { ENTITY_KIND_COUNT } from "./EntityKind.ts";
import { ProtocolError } from "./ProtocolError.ts";
import {
  checkRecordEvents,
  readRecordSection,
  recordSectionBytes,
  writeRecordSection,
} from "./RecordSection.ts";

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

/** Exact size in bytes of the message that encodes `count` entities and, optionally, `record`. */
export function frameMessageBytes(count: number, record?: FrameRecord): number {
  return align8(FRAME_HEADER_BYTES + 9 * count) + (record === undefined ? 0 : recordSectionBytes(record));
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
  if (input.record !== undefined) checkRecordEvents(input.record);
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
  if (input.record?.gcEvents !== undefined) flags |= FLAG_HAS_GC_EVENTS;
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

  if (input.record !== undefined) writeRecordSection(view, base + recordAt, input.record);
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
  if (hasRecord)
    decoded.record = readRecordSection(view, recordAt, total, (flags & FLAG_HAS_GC_EVENTS) !== 0, frame);
  return decoded;
}
