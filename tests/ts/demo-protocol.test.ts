// Tests of demos/protocol: binary frame messages round-trip, and bad input of every kind gives
// a ProtocolError that says what is wrong, never a crash or a silently wrong frame.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeFrame,
  EntityKind,
  encodeFrame,
  encodeFrameInto,
  FRAME_HEADER_BYTES,
  type FrameInput,
  frameMessageBytes,
  ProtocolError,
  parseClientMessage,
  parseHostMessage,
} from "../../demos/protocol/index.ts";
import type { FrameRecord } from "../../engine-bridge/FrameRecord.ts";

const record: FrameRecord = {
  frame: 42,
  startMs: 12_345.678,
  phases: { scriptsMs: 3.5, systemsMs: 1.25, syncMs: 0.5, renderMs: 0 },
  gcPauseMs: 0.3,
  v8GcMs: 1.1,
  v8MinorGcMs: 0.8,
  v8MajorGcMs: 0.3,
  v8IdleGcMs: 0.2,
  v8SlackGcMs: 0.4,
  budgetMs: 0.5,
  overBudget: false,
  frameBudgetMs: 16.75,
  overFrameTime: true,
  entities: 3,
  heapBytes: 48_000_000,
  liveObjects: 90_000,
  gcCycles: 7,
  longestPauseMs: 0.45,
};

function input(count: number, withRecord = true): FrameInput {
  const x = new Float32Array(count);
  const y = new Float32Array(count);
  const kind = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    x[i] = i * 1.5;
    y[i] = -i * 0.25;
    kind[i] = i % 3;
  }
  return { frame: 42, count, x, y, kind, ...(withRecord ? { record } : {}) };
}

/** Encodes a well-formed message and lets the test corrupt it. */
function corrupt(mutate: (bytes: Uint8Array, view: DataView) => void, count = 3): Uint8Array {
  const bytes = encodeFrame(input(count));
  mutate(bytes, new DataView(bytes.buffer));
  return bytes;
}

describe("frame messages", () => {
  it("round-trip positions, kinds and the frame record", () => {
    const decoded = decodeFrame(encodeFrame(input(5)));
    expect(decoded.frame).toBe(42);
    expect(decoded.count).toBe(5);
    expect(Array.from(decoded.x)).toEqual([0, 1.5, 3, 4.5, 6]);
    expect(Array.from(decoded.y)).toEqual([-0, -0.25, -0.5, -0.75, -1]);
    expect(Array.from(decoded.kind)).toEqual([0, 1, 2, 0, 1]);
    expect(decoded.record).toEqual(record);
  });

  it("round-trip a record's GC events, including an empty list", () => {
    const gcEvents = [
      { source: "proto" as const, startMs: 12_346, durationMs: 0.2 },
      { source: "v8" as const, startMs: 12_347, durationMs: 1.1 },
      { source: "v8" as const, kind: "minor" as const, startMs: 12_348, durationMs: 0.3 },
      { source: "v8" as const, kind: "major" as const, startMs: 12_349, durationMs: 4.5 },
      { source: "v8" as const, kind: "minor" as const, slack: true, startMs: 12_350, durationMs: 0.2 },
    ];
    expect(
      decodeFrame(encodeFrame({ ...input(2), record: { ...record, gcEvents } })).record?.gcEvents,
    ).toEqual(gcEvents);
    expect(
      decodeFrame(encodeFrame({ ...input(2), record: { ...record, gcEvents: [] } })).record?.gcEvents,
    ).toEqual([]);
  });

  it("may omit the record", () => {
    const decoded = decodeFrame(encodeFrame(input(4, false)));
    expect(decoded.record).toBeUndefined();
    expect(decoded.count).toBe(4);
  });

  it("carry zero entities", () => {
    const decoded = decodeFrame(encodeFrame(input(0)));
    expect(decoded.count).toBe(0);
    expect(decoded.record?.frame).toBe(42);
  });

  it("have exactly the size frameMessageBytes announces", () => {
    for (const count of [0, 1, 7, 8, 1000]) {
      expect(encodeFrame(input(count)).byteLength).toBe(frameMessageBytes(count, record));
      expect(encodeFrame(input(count, false)).byteLength).toBe(frameMessageBytes(count));
    }
  });

  it("decode without copying from an aligned buffer", () => {
    const bytes = encodeFrame(input(10));
    const decoded = decodeFrame(bytes.buffer);
    expect(decoded.x.buffer).toBe(bytes.buffer);
    expect(decoded.x.byteOffset).toBe(FRAME_HEADER_BYTES);
  });

  it("decode from an unaligned view (a pooled Node Buffer) by copying", () => {
    const bytes = encodeFrame(input(10));
    const padded = new Uint8Array(bytes.byteLength + 1);
    padded.set(bytes, 1);
    const decoded = decodeFrame(padded.subarray(1));
    expect(decoded.x[3]).toBe(4.5);
    expect(decoded.kind[4]).toBe(EntityKind.seeker);
  });

  it("encode into a reused, larger target and report the bytes written", () => {
    const target = new Uint8Array(4096);
    const written = encodeFrameInto(target, input(6));
    expect(written).toBe(frameMessageBytes(6, record));
    expect(decodeFrame(target.subarray(0, written)).count).toBe(6);
  });

  it("refuse to encode entity arrays shorter than the count", () => {
    expect(() => encodeFrame({ ...input(3), count: 4 })).toThrow(/shorter than count 4/);
  });

  it("refuse to encode into a target that is too small", () => {
    expect(() => encodeFrameInto(new Uint8Array(16), input(3))).toThrow(ProtocolError);
  });
});

describe("decoding bad frame messages", () => {
  it("rejects input shorter than the header", () => {
    expect(() => decodeFrame(new Uint8Array(10))).toThrow(/truncated: 10 bytes/);
  });

  it("rejects a wrong magic", () => {
    expect(() => decodeFrame(corrupt((b) => b.set([1, 2, 3, 4], 0)))).toThrow(/not a frame message: magic/);
  });

  it("rejects an unsupported version", () => {
    expect(() => decodeFrame(corrupt((b) => (b[4] = 9)))).toThrow(/unsupported frame version 9/);
  });

  it("rejects unknown flags", () => {
    expect(() => decodeFrame(corrupt((_, v) => v.setUint16(6, 0x80, true)))).toThrow(/unknown flags 0x80/);
  });

  it("rejects a message cut short", () => {
    const bytes = encodeFrame(input(100));
    expect(() => decodeFrame(bytes.subarray(0, bytes.byteLength - 1))).toThrow(/truncated: header says/);
  });

  it("rejects trailing bytes", () => {
    const bytes = encodeFrame(input(3));
    const longer = new Uint8Array(bytes.byteLength + 8);
    longer.set(bytes);
    expect(() => decodeFrame(longer)).toThrow(/8 trailing bytes/);
  });

  it("rejects an entity count that does not fit the message", () => {
    expect(() => decodeFrame(corrupt((_, v) => v.setUint32(12, 1000, true)))).toThrow(
      /cannot hold 1000 entities/,
    );
  });

  it("rejects an absurd entity count before allocating anything", () => {
    expect(() => decodeFrame(corrupt((_, v) => v.setUint32(12, 0xffffffff, true)))).toThrow(
      /exceeds the maximum/,
    );
  });

  it("rejects an unknown entity kind, naming the entity", () => {
    expect(() => decodeFrame(corrupt((b) => (b[FRAME_HEADER_BYTES + 8 * 3 + 1] = 77)))).toThrow(
      /entity 1 has unknown kind 77/,
    );
  });

  it("rejects a record whose fields are not finite", () => {
    const recordAt = frameMessageBytes(3) + 8;
    expect(() => decodeFrame(corrupt((_, v) => v.setFloat64(recordAt + 8, Number.NaN, true)))).toThrow(
      /record field startMs .* not a finite number/,
    );
  });

  it("rejects a record whose frame disagrees with the header", () => {
    expect(() => decodeFrame(corrupt((_, v) => v.setUint32(8, 41, true)))).toThrow(
      /does not match header frame/,
    );
  });

  it("rejects a non-buffer argument", () => {
    expect(() => decodeFrame("hello" as unknown as ArrayBuffer)).toThrow(ProtocolError);
  });

  it("throws only ProtocolError on random garbage", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (garbage) => {
        try {
          decodeFrame(garbage);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
    );
  });

  it("throws only ProtocolError when random bytes of a valid message are flipped", () => {
    const valid = encodeFrame(input(16));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.byteLength - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        (flips) => {
          const bytes = valid.slice();
          for (const [at, value] of flips) bytes[at] = value;
          try {
            const decoded = decodeFrame(bytes);
            expect(decoded.count).toBe(16);
          } catch (error) {
            expect(error).toBeInstanceOf(ProtocolError);
          }
        },
      ),
    );
  });

  it("rejects every truncation of a valid message", () => {
    const valid = encodeFrame(input(5));
    for (let length = 0; length < valid.byteLength; length++) {
      expect(() => decodeFrame(valid.slice(0, length))).toThrow(ProtocolError);
    }
  });

  it("round-trips any valid frame", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.float({ noNaN: true, noDefaultInfinity: true }),
            fc.float({ noNaN: true, noDefaultInfinity: true }),
            fc.integer({ min: 0, max: 2 }),
          ),
          { maxLength: 200 },
        ),
        fc.nat(),
        (entities, frame) => {
          const msg = encodeFrame({
            frame,
            count: entities.length,
            x: Float32Array.from(entities, (e) => e[0]),
            y: Float32Array.from(entities, (e) => e[1]),
            kind: Uint8Array.from(entities, (e) => e[2]),
            record: { ...record, frame },
          });
          const decoded = decodeFrame(msg);
          expect(decoded.count).toBe(entities.length);
          expect(Array.from(decoded.kind)).toEqual(entities.map((e) => e[2]));
          expect(Array.from(decoded.x)).toEqual(entities.map((e) => Math.fround(e[0])));
          expect(decoded.record?.frame).toBe(frame);
        },
      ),
    );
  });
});

describe("control messages", () => {
  it("accept setEntities and setBudget", () => {
    expect(parseClientMessage('{"type":"setEntities","count":5000}')).toEqual({
      type: "setEntities",
      count: 5000,
    });
    expect(parseClientMessage('{"type":"setBudget","ms":0.5}')).toEqual({ type: "setBudget", ms: 0.5 });
  });

  it("reject text that is not JSON", () => {
    expect(() => parseClientMessage("{oops")).toThrow(/not JSON/);
  });

  it("reject an unknown type", () => {
    expect(() => parseClientMessage('{"type":"explode"}')).toThrow(/unknown client message type "explode"/);
  });

  it("read only the fields the peer sent, even with Object.prototype polluted elsewhere", () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.type = "setEntities";
    proto.count = 7;
    proto.message = "injected";
    try {
      expect(() => parseClientMessage("{}")).toThrow(/unknown client message type undefined/);
      expect(() => parseClientMessage('{"type":"setEntities"}')).toThrow(/"count" must be a finite number/);
      expect(() => parseHostMessage('{"type":"error"}')).toThrow(/"message" must be a string/);
    } finally {
      delete proto.type;
      delete proto.count;
      delete proto.message;
    }
  });

  it("keep a '__proto__' field the peer sent as plain data", () => {
    expect(() => parseClientMessage('{"__proto__":{"type":"setBudget","ms":1}}')).toThrow(
      /unknown client message type undefined/,
    );
    expect(({} as Record<string, unknown>).type).toBeUndefined();
  });

  it("reject out-of-range or ill-typed values", () => {
    expect(() => parseClientMessage('{"type":"setEntities","count":-1}')).toThrow(/count must be an integer/);
    expect(() => parseClientMessage('{"type":"setEntities","count":1.5}')).toThrow(
      /count must be an integer/,
    );
    expect(() => parseClientMessage('{"type":"setEntities","count":"9"}')).toThrow(/must be a finite number/);
    expect(() => parseClientMessage('{"type":"setBudget","ms":0}')).toThrow(/ms must be in/);
    expect(() => parseClientMessage("[1,2]")).toThrow(/must be a JSON object/);
  });

  it("parse the host's hello", () => {
    const hello = {
      type: "hello",
      run: "abc-123",
      simulation: "plain-js",
      entities: 10_000,
      capacity: 100_000,
      budgetMs: 0.5,
      world: { width: 1600, height: 900 },
      hz: 60,
    };
    expect(parseHostMessage(JSON.stringify(hello))).toEqual(hello);
    expect(() => parseHostMessage('{"type":"hello","entities":1}')).toThrow(/"world" must be an object/);
  });

  it("throw only ProtocolError on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        for (const parse of [parseClientMessage, parseHostMessage]) {
          try {
            parse(text);
          } catch (error) {
            expect(error).toBeInstanceOf(ProtocolError);
          }
        }
      }),
    );
  });
});
