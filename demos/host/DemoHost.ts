// DemoHost: the Node side of the demo. Runs a Simulation at a fixed rate, sends each frame
// to every page over a WebSocket (/ws: FrameBroadcast, a stats message per frame that is
// never skipped and the positions for pages that keep up), tells pages the frame's script
// errors and every reload outcome, answers their control requests (each reply names its
// request), serves the built client over HTTP on 127.0.0.1, and exports recent frames as a
// Chrome trace at /trace.json.
//
// A frame is sent at the start of the next tick, once the simulation has settled it: perf_hooks
// reports a V8 pause only after the task that ran it, so a record is complete only after the
// host has waited for the next tick. Frame records are kept by copy in a preallocated ring.

import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import { copyFrameRecord, emptyFrameRecord, type FrameRecord } from "../../engine-bridge/FrameRecord.ts";
import { type ControlRequest, parseClientMessage, requestIdOf } from "../protocol/ControlMessage.ts";
import type { HelloMessage, HostMessage } from "../protocol/HostMessage.ts";
import { ProtocolError } from "../protocol/ProtocolError.ts";
import { toChromeTrace } from "../trace/ChromeTrace.ts";
import { digestFrameErrors, ErrorLog } from "./ErrorDigest.ts";
import { FrameBroadcast } from "./FrameBroadcast.ts";
import type { ReloadOutcome, Simulation } from "./Simulation.ts";
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
  /** A page whose socket has more than this many unsent bytes skips positions, never stats (default 1 MiB). */
  maxBufferedBytes?: number;
  /** Where the host logs script errors (each kind once) and reload outcomes (default console.error). */
  log?: (line: string) => void;
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
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly records: FrameRecord[];
  private readonly broadcast: FrameBroadcast;
  private readonly errorLog: ErrorLog;
  private readonly log: (line: string) => void;
  /** This run's id, in every hello: a page that sees it change forgets the old run's frames. */
  readonly run = `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
  private recordCount = 0;
  private targetEntities = 0;
  private budgetMs = 0.5;
  private timer: NodeJS.Timeout | undefined;
  private nextTickMs = 0;
  private running = false;

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
    this.broadcast = new FrameBroadcast(options.maxBufferedBytes ?? 1 << 20);
    this.log = options.log ?? ((line) => console.error(`demo host: ${line}`));
    this.errorLog = new ErrorLog(this.log);
    this.simulation.onReload = (outcome) => this.reloaded(outcome);
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

  /** Positions messages skipped for slow pages since start (summed over pages; stats are never skipped). */
  get droppedFrames(): number {
    return this.broadcast.counts.skippedPositions;
  }

  /** Stats messages sent since start (one per frame per page). */
  get statsSent(): number {
    return this.broadcast.counts.stats;
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
    const errors = this.simulation.frameErrors?.();
    if (errors !== undefined && errors.length > 0) {
      const digest = digestFrameErrors(record.frame, errors);
      this.errorLog.take(digest, performance.now());
      this.broadcastText(digest);
    }

    // Fixed rate without drift; after a stall longer than a period, restart the schedule from now.
    this.nextTickMs += this.periodMs;
    const now = performance.now();
    if (this.nextTickMs < now - this.periodMs) this.nextTickMs = now;
    this.timer = setTimeout(this.onTick, Math.max(0, this.nextTickMs - now));
  }

  private readonly onTick = (): void => this.tick();

  // Keeps a copy of the record for /trace.json and sends it, with its frame's positions.
  private publish(record: FrameRecord): void {
    copyFrameRecord(record, this.records[this.recordCount++ % this.records.length] as FrameRecord);
    this.broadcast.send(this.wss.clients, record, this.entities);
  }

  private readonly entities = () => this.simulation.entities();

  // Every reload outcome goes to the terminal and to every page.
  private reloaded(outcome: ReloadOutcome): void {
    this.log(outcome.message);
    this.broadcastText({ type: "notice", level: outcome.ok ? "info" : "error", text: outcome.message });
  }

  private hello(): HelloMessage {
    return {
      type: "hello",
      run: this.run,
      simulation: this.simulation.name,
      entities: this.targetEntities,
      capacity: this.simulation.maxEntities,
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
      const text = isBinary ? "" : data.toString();
      let id: number | undefined;
      try {
        if (isBinary)
          throw new ProtocolError("control messages are JSON text; binary messages are not accepted");
        id = requestIdOf(text);
        const message = parseClientMessage(text);
        if (message.type === "drawn") {
          this.broadcast.drawn(socket);
          return;
        }
        const done = this.apply(message);
        if (message.id !== undefined)
          send(socket, { type: "reply", id: message.id, ok: true, message: done });
        this.broadcastText(this.hello());
      } catch (error) {
        // Bad input is the page's problem (tell it, in the reply to its request when it
        // named one); anything else is ours (log it too).
        const expected = error instanceof ProtocolError || error instanceof RangeError;
        if (!expected) this.log(`control message failed: ${String(error)}`);
        const message = error instanceof Error ? error.message : String(error);
        send(
          socket,
          id === undefined ? { type: "error", message } : { type: "reply", id, ok: false, message },
        );
      }
    });
    socket.on("error", () => socket.terminate());
  }

  // Applies a control message; returns what was done. Throws a RangeError for a value the
  // simulation refuses (an entity count over its capacity).
  private apply(message: ControlRequest): string {
    if (message.type === "setEntities") {
      const max = this.simulation.maxEntities;
      if (message.count > max)
        throw new RangeError(`entities: ${message.count} is over this host's capacity of ${max}`);
      this.simulation.setEntityCount(message.count);
      this.targetEntities = message.count;
      return `entities set to ${message.count}`;
    }
    this.simulation.setBudget(message.ms);
    this.budgetMs = message.ms;
    return `GC budget set to ${message.ms} ms`;
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

function send(socket: WebSocket, message: HostMessage): void {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}
