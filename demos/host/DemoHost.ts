// DemoHost: the Node side of the demo. Runs a Simulation at a fixed rate, broadcasts each frame
// as a binary FrameMessage over a WebSocket (/ws), applies JSON control messages from clients,
// serves the built client over HTTP on 127.0.0.1, and exports recent frames at /trace.json.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import type { FrameRecord } from "../overlay/FrameRecord.ts";
import { type HelloMessage, type HostMessage, parseClientMessage } from "../protocol/ControlMessage.ts";
import { encodeFrame } from "../protocol/FrameMessage.ts";
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
  private readonly records: (FrameRecord | undefined)[];
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
    this.records = new Array<FrameRecord | undefined>(options.keepFrames ?? 1200).fill(undefined);
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

  /** The kept frame records, oldest first. */
  recentRecords(): FrameRecord[] {
    const n = this.records.length;
    const out: FrameRecord[] = [];
    for (let i = Math.max(0, this.recordCount - n); i < this.recordCount; i++) {
      const record = this.records[i % n];
      if (record !== undefined) out.push(record);
    }
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
    this.records[this.recordCount++ % this.records.length] = record;
    this.broadcastFrame(record);

    // Fixed rate without drift; after a stall longer than a period, restart the schedule from now.
    this.nextTickMs += this.periodMs;
    const now = performance.now();
    if (this.nextTickMs < now - this.periodMs) this.nextTickMs = now;
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.nextTickMs - now));
  }

  private broadcastFrame(record: FrameRecord): void {
    let message: Uint8Array | undefined;
    for (const client of this.wss.clients) {
      if (client.readyState !== WebSocket.OPEN) continue;
      if (client.bufferedAmount > this.maxBufferedBytes) {
        this.framesDropped++;
        continue;
      }
      if (message === undefined) {
        const e = this.simulation.entities();
        // A fresh buffer per frame: ws may still hold the previous one while it is being written.
        message = encodeFrame({ frame: record.frame, count: e.count, x: e.x, y: e.y, kind: e.kind, record });
      }
      client.send(message, { binary: true });
    }
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
