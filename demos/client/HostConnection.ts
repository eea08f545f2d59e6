// HostConnection: the client's WebSocket to the demo host. Decodes binary frames (validated by
// the protocol module), parses JSON host messages, sends control messages and reconnects after
// the host goes away.

import { type ClientMessage, type HelloMessage, parseHostMessage } from "../protocol/ControlMessage.ts";
import { type DecodedFrame, decodeFrame } from "../protocol/FrameMessage.ts";
import { ProtocolError } from "../protocol/ProtocolError.ts";

/** Callbacks of {@link HostConnection}. */
export interface HostConnectionHandlers {
  /** The host's settings, on connect and after every change. */
  onHello(hello: HelloMessage): void;
  /** One decoded frame (its arrays are views into the message; keep only until the next). */
  onFrame(frame: DecodedFrame): void;
  /** Connection state or an error, as a sentence for the status line. */
  onStatus(text: string): void;
}

/** A self-reconnecting WebSocket to the host's /ws endpoint. */
export class HostConnection {
  private socket: WebSocket | undefined;
  private closed = false;
  private retryMs = 500;
  private badMessages = 0;

  /** Connects to `url` (for example ws://127.0.0.1:8080/ws) and keeps reconnecting until close(). */
  constructor(
    private readonly url: string,
    private readonly handlers: HostConnectionHandlers,
  ) {
    this.connect();
  }

  /** Sends a control message; returns false when not connected. */
  send(message: ClientMessage): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Closes the connection for good. */
  close(): void {
    this.closed = true;
    this.socket?.close();
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
      if (this.closed) return;
      this.handlers.onStatus(`disconnected; retrying in ${(this.retryMs / 1000).toFixed(1)} s`);
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(5000, this.retryMs * 2);
    };
  }

  private receive(data: ArrayBuffer | string): void {
    try {
      if (typeof data === "string") {
        const message = parseHostMessage(data);
        if (message.type === "hello") this.handlers.onHello(message);
        else this.handlers.onStatus(`host: ${message.message}`);
      } else {
        this.handlers.onFrame(decodeFrame(data));
      }
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      // A bad message is dropped and reported; the stream goes on.
      this.badMessages++;
      this.handlers.onStatus(`dropped bad message #${this.badMessages}: ${error.message}`);
    }
  }
}
