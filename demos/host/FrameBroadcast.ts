// FrameBroadcast: sends each frame to every page on two binary channels of one socket.
//
// - The stats message (one FrameRecord, a few hundred bytes) goes to every page for every
//   frame, never skipped: the overlay sees every frame the host ran.
// - The positions message (9 bytes per entity) is skipped for a page that has not yet said
//   it is done (a "drawn" message) with all but one of the positions sent to it, or whose
//   socket still holds more than `maxBufferedBytes` unsent: a slow page draws fewer frames,
//   but its socket never fills with positions that would hold up the stats and the replies
//   behind them.
//
// Messages are encoded into pooled buffers that come back when ws has written them to every
// page: sending allocates nothing per frame once the pools are warm.

import { WebSocket } from "ws";
import type { FrameRecord } from "../../engine-bridge/FrameRecord.ts";
import { encodeFrameInto, type FrameInput, frameMessageBytes } from "../protocol/FrameMessage.ts";
import { encodeStatsInto, statsMessageBytes } from "../protocol/StatsMessage.ts";
import type { EntitySnapshot } from "./Simulation.ts";

/** A page whose socket holds more than this many unsent bytes has stopped reading: it is dropped. */
const DEAD_CLIENT_BYTES = 64 << 20;
/** Positions messages a page may have unanswered (sent, not yet said "drawn"). */
const POSITIONS_IN_FLIGHT = 2;

/** What was sent, for tests and the host's counters. */
export interface BroadcastCounts {
  /** Stats messages sent (one per frame per page). */
  stats: number;
  /** Positions messages sent. */
  positions: number;
  /** Positions messages skipped for slow pages. */
  skippedPositions: number;
}

/** Sends frames to a set of sockets; see the file comment. */
export class FrameBroadcast {
  readonly counts: BroadcastCounts = { stats: 0, positions: 0, skippedPositions: 0 };
  private readonly inFlight = new WeakMap<WebSocket, number>();
  private readonly statsPool: MessageBuffer[] = [];
  private readonly positionsPool: MessageBuffer[] = [];
  private readonly input: FrameInput = {
    frame: 0,
    count: 0,
    x: new Float32Array(0),
    y: new Float32Array(0),
    kind: new Uint8Array(0),
  };

  /** @param maxBufferedBytes unsent bytes above which a page's positions are skipped */
  constructor(private readonly maxBufferedBytes: number) {}

  /** Sends `record` to every open socket, then the positions to those that keep up. */
  send(clients: Iterable<WebSocket>, record: FrameRecord, entities: () => EntitySnapshot): void {
    let stats: MessageBuffer | undefined;
    let positions: MessageBuffer | undefined;
    for (const client of clients) {
      if (client.readyState !== WebSocket.OPEN) continue;
      if (client.bufferedAmount > DEAD_CLIENT_BYTES) {
        client.terminate();
        continue;
      }
      if (stats === undefined) {
        stats = take(this.statsPool, statsMessageBytes(record));
        stats.view = stats.bytes.subarray(0, encodeStatsInto(stats.bytes, record));
      }
      stats.send(client);
      this.counts.stats++;
      const unanswered = this.inFlight.get(client) ?? 0;
      if (unanswered >= POSITIONS_IN_FLIGHT || client.bufferedAmount > this.maxBufferedBytes) {
        this.counts.skippedPositions++;
        continue;
      }
      if (positions === undefined) positions = this.encodePositions(record.frame, entities());
      positions.send(client);
      this.inFlight.set(client, unanswered + 1);
      this.counts.positions++;
    }
    stats?.sent();
    positions?.sent();
  }

  /** The page is done with one positions message (it drew or dropped it): it may have another. */
  drawn(client: WebSocket): void {
    this.inFlight.set(client, Math.max(0, (this.inFlight.get(client) ?? 0) - 1));
  }

  private encodePositions(frame: number, e: EntitySnapshot): MessageBuffer {
    const message = take(this.positionsPool, frameMessageBytes(e.count));
    const input = this.input;
    input.frame = frame;
    input.count = e.count;
    input.x = e.x;
    input.y = e.y;
    input.kind = e.kind;
    message.view = message.bytes.subarray(0, encodeFrameInto(message.bytes, input));
    return message;
  }
}

// A pooled buffer of at least `bytes` (a bigger one when the message grew).
function take(pool: MessageBuffer[], bytes: number): MessageBuffer {
  let buffer = pool.pop();
  while (buffer !== undefined && buffer.bytes.byteLength < bytes) buffer = pool.pop();
  return buffer ?? new MessageBuffer(Math.max(bytes, 256) * 1.25, pool);
}

/** A reusable message buffer: back in its pool once every send of it has completed. */
class MessageBuffer {
  readonly bytes: Uint8Array;
  view: Uint8Array;
  private pending = 1;
  private readonly done: () => void;

  constructor(
    bytes: number,
    private readonly pool: MessageBuffer[],
  ) {
    this.bytes = new Uint8Array(Math.ceil(bytes / 8) * 8);
    this.view = this.bytes;
    this.done = () => this.release();
  }

  // ws may still be writing the buffer after send() returns: it is released per send.
  send(client: WebSocket): void {
    this.pending++;
    client.send(this.view, { binary: true }, this.done);
  }

  // The broadcast's own hold, released once it has handed the buffer to every page.
  sent(): void {
    this.release();
  }

  private release(): void {
    if (--this.pending === 0) {
      this.pending = 1;
      this.pool.push(this);
    }
  }
}
