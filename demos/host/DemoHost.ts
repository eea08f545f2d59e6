// DemoHost: the Node side of the demo. Runs a Simulation at a fixed rate, broadcasts each frame
// as a binary FrameMessage over a WebSocket (/ws), applies JSON control messages from clients,
// serves the built client over HTTP on 127.0.0.1, and exports recent frames at /trace.json.
//
// A frame is sent at the start of the next tick, once the simulation has settled it: perf_hooks
// reports a V8 pause only after the task that ran it, so a record is complete only after the
// host has waited for the next tick. Frame records are kept by copy in a preallocated ring, and
// messages are encoded into pooled buffers that come back when ws has written them: stepping
// and encoding allocate nothing per frame.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import { copyFrameRecord, emptyFrameRecord, type FrameRecord } from "../../engine-bridge/FrameRecord.ts";
import { type HelloMessage, type HostMessage, parseClientMessage } from "../protocol/ControlMessage.ts";
import { encodeFrameInto, type FrameInput, frameMessageBytes } from "../protocol/FrameMessage.ts";
import { ProtocolError } from "../protocol/ProtocolError.ts";
import { toChromeTrace } from "../trace/ChromeTrace.ts";
import type { Simulation } from "./Simulation.ts";
import { serveStatic } from "./StaticFiles.ts";

/** Options of {@link DemoHost}. */
export interface DemoHostOptions {
  /** The world to run. The host disposes it on stop. */
  simulation: Simulation;
  /** Directory of the built client (build/demo-client). */
  staticDir: string;
  /** TCP port; 0 picks a free one (default 0). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1: the demo is local only). */
  host?: string;
  /** Simulation steps per second (default 60). */
  hz?: number;
  /** How many recent frame records to keep for /trace.json (default 1200). */
  keepFrames?: number;
  /** A client whose socket has more than this many unsent bytes skips frames (default 4 MiB). */
  maxBufferedBytes?: number;
}

/** Path of the WebSocket endpoint. */
export const WS_PATH = "/ws";
/** Largest control message accepted from a client, in bytes. */
const MAX_CONTROL_BYTES = 4096;

/** Runs a simulation and serves it to browsers; see the file comment. */
export class DemoHost {
  private readonly simulation: Simulation;
  private readonly staticDir: string;
  private readonly port: number;
  private readonly host: string;
  private readonly hz: number;
  private readonly periodMs: number;
  private readonly maxBufferedBytes: number;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly records: FrameRecord[];
  private readonly buffers: MessageBuffer[] = [];
  private recordCount = 0;
  private targetEntities = 0;
  private budgetMs = 0.5;
  private timer: NodeJS.Timeout | undefined;
  private nextTickMs = 0;
  private running = false;
  private framesDropped = 0;

  /** Creates the host; nothing listens or runs until {@link start}. */
  constructor(options: DemoHostOptions) {
    this.simulation = options.simulation;
    this.staticDir = options.staticDir;
    this.port = options.port ?? 0;
    this.host = options.host ?? "127.0.0.1";
    const hz = options.hz ?? 60;
    if (!(hz > 0 && hz <= 1000)) throw new RangeError(`hz must be in (0, 1000], got ${hz}`);
    this.hz = hz;
    this.periodMs = 1000 / hz;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 4 << 20;
    this.records = Array.from({ length: options.keepFrames ?? 1200 }, emptyFrameRecord);
    this.server = createServer((req, res) => {
      this.handleHttp(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(error));
      });
    });
    this.wss = new WebSocketServer({ server: this.server, path: WS_PATH, maxPayload: MAX_CONTROL_BYTES });
    this.wss.on("connection", (socket) => this.handleConnection(socket));
  }

  /** Sets the initial entity target and budget (forwarded to the simulation) before or while running. */
  configure(entities: number, budgetMs: number): void {
    this.targetEntities = entities;
    this.budgetMs = budgetMs;
    this.simulation.setEntityCount(entities);
    this.simulation.setBudget(budgetMs);
  }

  /** Starts listening and stepping; resolves with the URL to open. */
  async start(): Promise<string> {
    await new Promise<void>((resolveListen, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.port, this.host, () => {
        this.server.off("error", reject);
        resolveListen();
      });
    });
    this.running = true;
    this.nextTickMs = performance.now();
    this.tick();
    return this.url;
  }

  /** The URL of the demo page (valid after start). */
  get url(): string {
    const address = this.server.address() as AddressInfo | null;
    return `http://${this.host}:${address?.port ?? this.port}/`;
  }

  /** Frames skipped for slow clients since start (summed over clients). */
  get droppedFrames(): number {
    return this.framesDropped;
  }

  /** The kept frame records, oldest first (copies). */
  recentRecords(): FrameRecord[] {
    const n = this.records.length;
    const out: FrameRecord[] = [];
    for (let i = Math.max(0, this.recordCount - n); i < this.recordCount; i++)
      out.push(copyFrameRecord(this.records[i % n] as FrameRecord, emptyFrameRecord()));
    return out;
  }

  /** Stops stepping, closes every connection and the server, and disposes the simulation. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((done) => this.wss.close(() => done()));
    this.server.closeAllConnections();
    await new Promise<void>((done) => this.server.close(() => done()));
    this.simulation.dispose?.();
  }

  private tick(): void {
    if (!this.running) return;
    // The previous frame, complete now that the host waited for this tick.
    const settle = this.simulation.settle !== undefined;
    if (settle) {
      const previous = this.simulation.settle?.();
      if (previous !== undefined) this.publish(previous);
    }
    let record: FrameRecord;
    try {
      record = this.simulation.step(this.periodMs);
    } catch (error) {
      // A broken simulation stops the loop loudly instead of spinning on the same exception.
      this.running = false;
      const message = `simulation ${this.simulation.name} failed: ${error instanceof Error ? error.message : String(error)}`;
      console.error(message);
      this.broadcastText({ type: "error", message });
      return;
    }
    if (!settle) this.publish(record);

    // Fixed rate without drift; after a stall longer than a period, restart the schedule from now.
    this.nextTickMs += this.periodMs;
    const now = performance.now();
    if (this.nextTickMs < now - this.periodMs) this.nextTickMs = now;
    this.timer = setTimeout(this.onTick, Math.max(0, this.nextTickMs - now));
  }

  private readonly onTick = (): void => this.tick();

  // Keeps a copy of the record for /trace.json and sends it with the entities of its frame.
  private publish(record: FrameRecord): void {
    copyFrameRecord(record, this.records[this.recordCount++ % this.records.length] as FrameRecord);
    this.broadcastFrame(record);
  }

  private broadcastFrame(record: FrameRecord): void {
    let message: MessageBuffer | undefined;
    for (const client of this.wss.clients) {
      if (client.readyState !== WebSocket.OPEN) continue;
      if (client.bufferedAmount > this.maxBufferedBytes) {
        this.framesDropped++;
        continue;
      }
      if (message === undefined) {
        const e = this.simulation.entities();
        message = this.takeBuffer(frameMessageBytes(e.count, record));
        const input = message.input;
        input.frame = record.frame;
        input.count = e.count;
        input.x = e.x;
        input.y = e.y;
        input.kind = e.kind;
        input.record = record;
        message.length = encodeFrameInto(message.bytes, input);
        input.record = undefined;
        message.view = message.bytes.subarray(0, message.length);
      }
      // ws may still be writing the buffer after send() returns: it comes back to the pool
      // when the last client's write completes.
      message.pending++;
      client.send(message.view, { binary: true }, message.done);
    }
    if (message !== undefined && message.pending === 0) this.buffers.push(message);
  }

  // A pooled buffer of at least `bytes` (a bigger one when the entity count grew).
  private takeBuffer(bytes: number): MessageBuffer {
    let buffer = this.buffers.pop();
    while (buffer !== undefined && buffer.bytes.byteLength < bytes) buffer = this.buffers.pop();
    if (buffer === undefined) buffer = new MessageBuffer(Math.max(bytes, 1 << 16) * 1.25, this.buffers);
    return buffer;
  }

  private hello(): HelloMessage {
    return {
      type: "hello",
      simulation: this.simulation.name,
      entities: this.targetEntities,
      budgetMs: this.budgetMs,
      world: { width: this.simulation.world.width, height: this.simulation.world.height },
      hz: this.hz,
    };
  }

  private broadcastText(message: HostMessage): void {
    const text = JSON.stringify(message);
    for (const client of this.wss.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(text);
    }
  }

  private handleConnection(socket: WebSocket): void {
    socket.send(JSON.stringify(this.hello()));
    socket.on("message", (data: RawData, isBinary: boolean) => {
      try {
        if (isBinary)
          throw new ProtocolError("control messages are JSON text; binary messages are not accepted");
        const message = parseClientMessage(data.toString());
        if (message.type === "setEntities") {
          this.targetEntities = message.count;
          this.simulation.setEntityCount(message.count);
        } else {
          this.budgetMs = message.ms;
          this.simulation.setBudget(message.ms);
        }
        this.broadcastText(this.hello());
      } catch (error) {
        // Bad input is the client's problem (tell it); anything else is ours (log it too).
        const expected = error instanceof ProtocolError || error instanceof RangeError;
        if (!expected) console.error("demo host: control message failed:", error);
        const message = error instanceof Error ? error.message : String(error);
        socket.send(JSON.stringify({ type: "error", message } satisfies HostMessage));
      }
    });
    socket.on("error", () => socket.terminate());
  }

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/trace.json") {
      const frames = Number(url.searchParams.get("frames") ?? this.records.length);
      if (!Number.isInteger(frames) || frames < 0) {
        res.writeHead(400, { "content-type": "text/plain" }).end("frames must be a non-negative integer\n");
        return;
      }
      const trace = toChromeTrace(this.recentRecords(), {
        lastN: frames,
        metadata: {
          simulation: this.simulation.name,
          entities: this.targetEntities,
          budgetMs: this.budgetMs,
        },
      });
      res
        .writeHead(200, {
          "content-type": "application/json",
          "content-disposition": 'attachment; filename="proto-demo-trace.json"',
        })
        .end(JSON.stringify(trace));
      return;
    }
    await serveStatic(this.staticDir, req, res);
  }
}

/** A reusable message buffer: back in its pool once every send of it has completed. */
class MessageBuffer {
  readonly bytes: Uint8Array;
  view: Uint8Array;
  length = 0;
  pending = 0;
  readonly input: FrameInput = {
    frame: 0,
    count: 0,
    x: new Float32Array(0),
    y: new Float32Array(0),
    kind: new Uint8Array(0),
  };
  readonly done: () => void;

  constructor(bytes: number, pool: MessageBuffer[]) {
    this.bytes = new Uint8Array(Math.ceil(bytes / 8) * 8);
    this.view = this.bytes;
    this.done = () => {
      if (--this.pending === 0) pool.push(this);
    };
  }
}
