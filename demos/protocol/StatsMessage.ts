// StatsMessage: the small binary message that carries one frame's FrameRecord on its own.
// The host sends one for every frame to every page and never skips one, even when it skips
// that frame's positions (FrameMessage.ts) because the page reads them too slowly: the
// overlay sees every frame the host ran.
//
// Layout, little-endian, offsets from the start of the message:
//
//   0  u32  magic "PRTS" (bytes 50 52 54 53)
//   4  u8   version (STATS_VERSION)
//   5  u8   reserved, 0
//   6  u16  flags: bit 1 = the record lists its GC events (bit 0 is unused, 0)
//   8  u32  frame number (low 32 bits)
//  12  u32  total message length in bytes
//  16  record section (RecordSection.ts)

import type { FrameRecord } from "../../engine-bridge/FrameRecord.ts";
import { ProtocolError } from "./ProtocolError.ts";
import {
  checkRecordEvents,
  readRecordSection,
  recordSectionBytes,
  writeRecordSection,
} from "./RecordSection.ts";

/** The first four bytes of every stats message: ASCII "PRTS". */
export const STATS_MAGIC = 0x53545250;
/** The stats-message version this module writes and reads. */
export const STATS_VERSION = 1;
/** Size of the stats message's header in bytes. */
export const STATS_HEADER_BYTES = 16;
const FLAG_GC_EVENTS = 2;

/** Exact size in bytes of the stats message of `record`. */
export function statsMessageBytes(record: FrameRecord): number {
  return STATS_HEADER_BYTES + recordSectionBytes(record);
}

/**
 * Encodes `record` into `target` (which must hold statsMessageBytes(record) bytes) and
 * returns the bytes written; reusing `target` avoids an allocation per frame. Throws a
 * ProtocolError when the target is too small or the record lists too many GC events.
 */
export function encodeStatsInto(target: Uint8Array, record: FrameRecord): number {
  checkRecordEvents(record);
  const total = statsMessageBytes(record);
  if (target.byteLength < total)
    throw new ProtocolError(`target holds ${target.byteLength} bytes; this stats message needs ${total}`);
  const view = new DataView(target.buffer, target.byteOffset, total);
  view.setUint32(0, STATS_MAGIC, true);
  view.setUint8(4, STATS_VERSION);
  view.setUint8(5, 0);
  view.setUint16(6, record.gcEvents === undefined ? 0 : FLAG_GC_EVENTS, true);
  view.setUint32(8, record.frame >>> 0, true);
  view.setUint32(12, total, true);
  writeRecordSection(view, STATS_HEADER_BYTES, record);
  return total;
}

/** Encodes `record` into a new, exactly sized buffer. */
export function encodeStats(record: FrameRecord): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(statsMessageBytes(record));
  encodeStatsInto(out, record);
  return out;
}

/** True when `data` starts with the stats message's magic (tells it from a frame message). */
export function isStatsMessage(data: ArrayBuffer | ArrayBufferView): boolean {
  const bytes =
    data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return (
    bytes.byteLength >= 4 && bytes[0] === 0x50 && bytes[1] === 0x52 && bytes[2] === 0x54 && bytes[3] === 0x53
  );
}

/** Decodes and validates a stats message; throws a ProtocolError saying what is wrong. */
export function decodeStats(data: ArrayBuffer | ArrayBufferView): FrameRecord {
  if (!(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data))
    throw new ProtocolError("stats message must be an ArrayBuffer or a typed array");
  const bytes =
    data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.byteLength < STATS_HEADER_BYTES)
    throw new ProtocolError(
      `stats message truncated: ${bytes.byteLength} bytes, the header alone is ${STATS_HEADER_BYTES}`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  if (magic !== STATS_MAGIC)
    throw new ProtocolError(`not a stats message: magic 0x${magic.toString(16).padStart(8, "0")}`);
  const version = view.getUint8(4);
  if (version !== STATS_VERSION)
    throw new ProtocolError(`unsupported stats version ${version}; this reader handles ${STATS_VERSION}`);
  const flags = view.getUint16(6, true);
  if ((flags & ~FLAG_GC_EVENTS) !== 0 || view.getUint8(5) !== 0)
    throw new ProtocolError(
      `stats header has unknown flags 0x${flags.toString(16)} or a non-zero reserved byte`,
    );
  const total = view.getUint32(12, true);
  if (total !== bytes.byteLength)
    throw new ProtocolError(
      total > bytes.byteLength
        ? `stats message truncated: header says ${total} bytes, received ${bytes.byteLength}`
        : `stats message has ${bytes.byteLength - total} trailing bytes after its declared ${total}`,
    );
  return readRecordSection(
    view,
    STATS_HEADER_BYTES,
    total,
    (flags & FLAG_GC_EVENTS) !== 0,
    view.getUint32(8, true),
  );
}
