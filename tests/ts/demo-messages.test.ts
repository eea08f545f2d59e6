// Tests of the demo's stats message (one frame's record, never skipped) and of the JSON
// messages that carry request ids, replies, script errors and notices: round trips, and a
// ProtocolError that says what is wrong for bad input of every kind.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeFrame,
  decodeStats,
  encodeFrame,
  encodeStats,
  encodeStatsInto,
  isStatsMessage,
  MAX_ERROR_ENTRIES,
  ProtocolError,
  parseClientMessage,
  parseHostMessage,
  requestIdOf,
  STATS_HEADER_BYTES,
  statsMessageBytes,
} from "../../demos/protocol/index.ts";
import { emptyFrameRecord, type FrameRecord } from "../../engine-bridge/FrameRecord.ts";

function record(frame: number, events = true): FrameRecord {
  const r = emptyFrameRecord();
  r.frame = frame;
  r.startMs = 1000 + frame * 16.7;
  r.phases.scriptsMs = 2.5;
  r.gcPauseMs = 0.75;
  r.v8GcMs = 1.5;
  r.v8MajorGcMs = 1.5;
  r.budgetMs = 0.001;
  r.overBudget = true;
  r.frameBudgetMs = 1000 / 60;
  r.overFrameTime = frame % 2 === 0;
  r.entities = 50_000;
  r.gcEvents = events
    ? [{ source: "v8", kind: "major", startMs: r.startMs + 1, durationMs: 1.5 }]
    : undefined;
  return r;
}

describe("stats messages", () => {
  it("round-trip a frame's record, events included", () => {
    const r = record(7);
    const bytes = encodeStats(r);
    expect(bytes.byteLength).toBe(statsMessageBytes(r));
    expect(decodeStats(bytes)).toEqual(r);
    const plain = record(8, false);
    expect(decodeStats(encodeStats(plain))).toEqual(plain);
  });

  it("are told apart from frame messages by their magic", () => {
    const stats = encodeStats(record(1));
    const frame = encodeFrame({
      frame: 1,
      count: 0,
      x: new Float32Array(0),
      y: new Float32Array(0),
      kind: new Uint8Array(0),
    });
    expect(isStatsMessage(stats)).toBe(true);
    expect(isStatsMessage(frame)).toBe(false);
    expect(isStatsMessage(new Uint8Array(2))).toBe(false);
    expect(() => decodeStats(frame)).toThrow(/not a stats message/);
    expect(() => decodeFrame(stats)).toThrow(/not a frame message/);
  });

  it("encode into a reused target and refuse one that is too small", () => {
    const target = new Uint8Array(1024);
    const n = encodeStatsInto(target, record(3));
    expect(decodeStats(target.subarray(0, n)).frame).toBe(3);
    expect(() => encodeStatsInto(new Uint8Array(STATS_HEADER_BYTES), record(3))).toThrow(/needs/);
  });

  it("reject truncation, trailing bytes, a wrong version and unknown flags", () => {
    const bytes = encodeStats(record(5));
    expect(() => decodeStats(bytes.subarray(0, 10))).toThrow(/truncated: 10 bytes/);
    expect(() => decodeStats(bytes.subarray(0, bytes.byteLength - 8))).toThrow(/truncated: header says/);
    const longer = new Uint8Array(bytes.byteLength + 8);
    longer.set(bytes);
    expect(() => decodeStats(longer)).toThrow(/8 trailing bytes/);
    const wrongVersion = bytes.slice();
    wrongVersion[4] = 9;
    expect(() => decodeStats(wrongVersion)).toThrow(/unsupported stats version 9/);
    const flags = bytes.slice();
    flags[6] = 0x81;
    expect(() => decodeStats(flags)).toThrow(/unknown flags/);
  });

  it("reject a record whose frame disagrees with the header", () => {
    const bytes = encodeStats(record(5));
    new DataView(bytes.buffer).setUint32(8, 6, true);
    expect(() => decodeStats(bytes)).toThrow(/does not match header frame 6/);
  });

  it("throw only ProtocolError when random bytes of a valid message are flipped", () => {
    const bytes = encodeStats(record(9));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(bytes.byteLength - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        (flips) => {
          const copy = bytes.slice();
          for (const [at, value] of flips) copy[at] = value;
          try {
            decodeStats(copy);
          } catch (error) {
            expect(error).toBeInstanceOf(ProtocolError);
          }
        },
      ),
    );
  });
});

describe("request ids and replies", () => {
  it("carry a request id when the page sends one, and none otherwise", () => {
    expect(parseClientMessage('{"type":"setEntities","count":5,"id":12}')).toEqual({
      type: "setEntities",
      count: 5,
      id: 12,
    });
    expect(parseClientMessage('{"type":"setBudget","ms":0.001}')).toEqual({ type: "setBudget", ms: 0.001 });
  });

  it("read the page's drawn message, which needs a frame", () => {
    expect(parseClientMessage('{"type":"drawn","frame":41}')).toEqual({ type: "drawn", frame: 41 });
    expect(() => parseClientMessage('{"type":"drawn"}')).toThrow(/"frame" must be a finite number/);
  });

  it("reject an id that is not a whole number in range", () => {
    expect(() => parseClientMessage('{"type":"setBudget","ms":1,"id":-1}')).toThrow(
      /"id" must be an integer/,
    );
    expect(() => parseClientMessage('{"type":"setBudget","ms":1,"id":1.5}')).toThrow(
      /"id" must be an integer/,
    );
    expect(() => parseClientMessage('{"type":"setBudget","ms":1,"id":"7"}')).toThrow(
      /"id" must be a finite number/,
    );
  });

  it("recover the id of a request that failed to parse, so its reply can name it", () => {
    expect(requestIdOf('{"type":"setEntities","count":-1,"id":4}')).toBe(4);
    expect(requestIdOf('{"type":"nope","id":-4}')).toBeUndefined();
    expect(requestIdOf("not json")).toBeUndefined();
  });

  it("parse replies, script errors, notices and errors from the host", () => {
    const reply = {
      type: "reply",
      id: 3,
      ok: false,
      message: "entities: 100001 is over this host's capacity of 100000",
    };
    expect(parseHostMessage(JSON.stringify(reply))).toEqual(reply);
    const errors = {
      type: "scriptErrors",
      frame: 10,
      total: 5000,
      errors: [{ behaviour: "wanderer", entity: 4, message: "boom", count: 5000 }],
    };
    expect(parseHostMessage(JSON.stringify(errors))).toEqual(errors);
    const notice = { type: "notice", level: "info", text: "reloaded swarm.ts" };
    expect(parseHostMessage(JSON.stringify(notice))).toEqual(notice);
  });

  it("reject malformed host messages with a sentence", () => {
    expect(() => parseHostMessage('{"type":"reply","id":1,"ok":"yes","message":""}')).toThrow(
      /"ok" must be a boolean/,
    );
    expect(() => parseHostMessage('{"type":"notice","level":"warn","text":""}')).toThrow(/"level" must be/);
    const tooMany = Array.from({ length: MAX_ERROR_ENTRIES + 1 }, () => ({
      behaviour: "a",
      entity: 1,
      message: "m",
      count: 1,
    }));
    expect(() =>
      parseHostMessage(JSON.stringify({ type: "scriptErrors", frame: 1, total: 1, errors: tooMany })),
    ).toThrow(/at most/);
    expect(() =>
      parseHostMessage(
        '{"type":"scriptErrors","frame":1,"total":1,"errors":[{"behaviour":"a","entity":1,"message":"m","count":0}]}',
      ),
    ).toThrow(/"count" must be an integer/);
  });
});
