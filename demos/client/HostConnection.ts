// HostConnection: the page's WebSocket to the demo host. Tells the host's two binary
// messages apart (a frame's stats, never skipped; its positions, skipped for a slow page),
// parses its JSON messages, sends control requests each with an id and resolves each with
// the reply that names it, says when it is done with a frame's positions (the host sends
// more only then), and reconnects after the host goes away.

import type { FrameRecord } from "../../engine-bridge/FrameRecord.ts";
import type { ControlRequest } from "../protocol/ControlMessage.ts";
import { type DecodedFrame, decodeFrame } from "../protocol/FrameMessage.ts";
import {
  type HelloMessage,
  type NoticeMessage,
  parseHostMessage,
  type ReplyMessage,
  type ScriptErrorsMessage,
} from "../protocol/HostMessage.ts";
import { ProtocolError } from "../protocol/ProtocolError.ts";
import { decodeStats, isStatsMessage } from "../protocol/StatsMessage.ts";

/** Callbacks of {@link HostConnection}. */
export interface HostConnectionHandlers {
  /** The host's settings, on connect and after every change. */
  onHello(hello: HelloMessage): void;
  /** One frame's record (every frame the host ran while connected). */
  onStats(record: FrameRecord): void;
  /** One frame's positions (its arrays are views into the message; keep only until the next). */
  onFrame(frame: DecodedFrame): void;
  /** A frame's script errors. */
  onScriptErrors(message: ScriptErrorsMessage): void;
  /** A notice (a live reload's outcome) or a host error not tied to a request. */
  onNotice(notice: NoticeMessage): void;
  /** Connection state or a dropped message, as a sentence for the status line. */
  onStatus(text: string): void;
}

/** How long a request waits for its reply. */
const REPLY_TIMEOUT_MS = 5000;

interface Pending {
  resolve(reply: ReplyMessage): void;
  timer: ReturnType<typeof setTimeout>;
}

/** A self-reconnecting WebSocket to the host's /ws endpoint. */
export class HostConnection {
  private socket: WebSocket | undefined;
  private closed = false;
  private retryMs = 500;
  private badMessages = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /** Connects to `url` (for example ws://127.0.0.1:8080/ws) and keeps reconnecting until close(). */
  constructor(
    private readonly url: string,
    private readonly handlers: HostConnectionHandlers,
  ) {
    this.connect();
  }

  /**
   * Sends a control request and resolves with the host's reply to it (ok or not); resolves
   * with a failed reply when not connected, when the connection drops or after 5 s.
   */
  request(message: ControlRequest): Promise<ReplyMessage> {
    const id = this.nextId++;
    const failed = (why: string): ReplyMessage => ({ type: "reply", id, ok: false, message: why });
    if (this.socket?.readyState !== WebSocket.OPEN)
      return Promise.resolve(failed("not connected to the host"));
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => this.settle(failed("the host did not answer within 5 s")),
        REPLY_TIMEOUT_MS,
      );
      this.pending.set(id, { resolve, timer });
      this.socket?.send(JSON.stringify({ ...message, id }));
    });
  }

  /** Tells the host the page is done with the positions of `frame` (drawn, or dropped for newer ones). */
  drawn(frame: number): void {
    if (this.socket?.readyState === WebSocket.OPEN)
      this.socket.send(JSON.stringify({ type: "drawn", frame }));
  }

  /** Closes the connection for good. */
  close(): void {
    this.closed = true;
    this.socket?.close();
  }

  private settle(reply: ReplyMessage): void {
    const waiting = this.pending.get(reply.id);
    if (waiting === undefined) return;
    this.pending.delete(reply.id);
    clearTimeout(waiting.timer);
    waiting.resolve(reply);
  }

  private connect(): void {
    const socket = new WebSocket(this.url);
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    socket.onopen = () => {
      this.retryMs = 500;
      this.handlers.onStatus(`connected to ${this.url}`);
    };
    socket.onmessage = (event: MessageEvent<ArrayBuffer | string>) => this.receive(event.data);
    socket.onclose = () => {
      for (const id of [...this.pending.keys()])
        this.settle({ type: "reply", id, ok: false, message: "the connection to the host closed" });
      if (this.closed) return;
      this.handlers.onStatus(`disconnected; retrying in ${(this.retryMs / 1000).toFixed(1)} s`);
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(5000, this.retryMs * 2);
    };
  }

  private receive(data: ArrayBuffer | string): void {
    try {
      if (typeof data !== "string") {
        if (isStatsMessage(data)) this.handlers.onStats(decodeStats(data));
        else this.handlers.onFrame(decodeFrame(data));
        return;
      }
      const message = parseHostMessage(data);
      switch (message.type) {
        case "hello":
          this.handlers.onHello(message);
          break;
        case "reply":
          this.settle(message);
          break;
        case "scriptErrors":
          this.handlers.onScriptErrors(message);
          break;
        case "notice":
          this.handlers.onNotice(message);
          break;
        case "error":
          this.handlers.onNotice({ type: "notice", level: "error", text: `host: ${message.message}` });
          break;
      }
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      // A bad message is dropped and reported; the stream goes on.
      this.badMessages++;
      this.handlers.onStatus(`dropped bad message #${this.badMessages}: ${error.message}`);
    }
  }
}
