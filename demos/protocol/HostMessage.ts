// HostMessage: the JSON text messages the host sends a page — its settings (hello), the
// answer to a request (reply), the script errors of a frame, notices such as a live
// reload's outcome, and errors not tied to a request — with a validating parser.

import { MAX_REQUEST_ID } from "./ControlMessage.ts";
import { type Fields, finite, integer, object, ownFields, parseObject, text } from "./JsonFields.ts";
import { ProtocolError } from "./ProtocolError.ts";

/** Host → client, first message on a connection and after every change: the host's settings. */
export interface HelloMessage {
  type: "hello";
  /** This run of the host (a new id after a restart: a page then forgets the old run's frames). */
  run: string;
  /** Name of the simulation being run (for example "plain-js"). */
  simulation: string;
  /** Target entity count. */
  entities: number;
  /** Most entities the host accepts as a target (its world's fixed capacity). */
  capacity: number;
  /** GC budget per frame, in milliseconds (Proto stalls and V8 pauses together). */
  budgetMs: number;
  /** World size in world units; entity positions lie in [0, width) × [0, height). */
  world: { width: number; height: number };
  /** Simulation rate the host aims at, in frames per second. */
  hz: number;
}

/** Host → the client that sent request `id`: what became of it. */
export interface ReplyMessage {
  type: "reply";
  /** The request's id. */
  id: number;
  /** True when the host applied the request. */
  ok: boolean;
  /** What was done, or why not. */
  message: string;
}

/** One kind of script error in a frame: the same behaviour failing with the same message. */
export interface ScriptErrorEntry {
  /** The behaviour (script) that threw; "" when the error is not a behaviour's. */
  behaviour: string;
  /** One entity it threw for (-1 when none). */
  entity: number;
  /** The error's message. */
  message: string;
  /** How many times it happened in the frame. */
  count: number;
}

/** Host → client, for each frame that had errors: the frame's errors, grouped. */
export interface ScriptErrorsMessage {
  type: "scriptErrors";
  /** The frame they happened in. */
  frame: number;
  /** Errors in the frame, all kinds together. */
  total: number;
  /** The kinds, most frequent first (at most MAX_ERROR_ENTRIES). */
  errors: ScriptErrorEntry[];
}

/** Host → client: something the page should show once, such as a live reload's outcome. */
export interface NoticeMessage {
  type: "notice";
  /** "info" for news ("reloaded …"), "error" for a failure ("reload failed: …"). */
  level: "info" | "error";
  text: string;
}

/** Host → client: an error not tied to a request (the simulation failed, a message without an id was bad). */
export interface ErrorMessage {
  type: "error";
  /** What was wrong. */
  message: string;
}

/** Any message a host may send as text. */
export type HostMessage = HelloMessage | ReplyMessage | ScriptErrorsMessage | NoticeMessage | ErrorMessage;

/** Most error kinds one scriptErrors message lists. */
export const MAX_ERROR_ENTRIES = 16;

function errorEntry(value: unknown, i: number): ScriptErrorEntry {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ProtocolError(`scriptErrors: errors[${i}] must be an object`);
  const e = ownFields(value);
  const where = `scriptErrors.errors[${i}]`;
  return {
    behaviour: text(e, "behaviour", where, 200),
    entity: integer(e, "entity", where, -1, 2 ** 32),
    message: text(e, "message", where),
    count: integer(e, "count", where, 1, 2 ** 32),
  };
}

function parseHello(obj: Fields): HelloMessage {
  const w = object(obj, "world", "hello");
  return {
    type: "hello",
    run: typeof obj.run === "string" ? obj.run : "",
    simulation: typeof obj.simulation === "string" ? obj.simulation : "unknown",
    entities: finite(obj, "entities", "hello"),
    capacity: finite(obj, "capacity", "hello"),
    budgetMs: finite(obj, "budgetMs", "hello"),
    world: { width: finite(w, "width", "hello.world"), height: finite(w, "height", "hello.world") },
    hz: finite(obj, "hz", "hello"),
  };
}

/** Parses and validates a host → client text message; throws a ProtocolError saying what is wrong. */
export function parseHostMessage(message: string): HostMessage {
  const obj = parseObject(message, "host");
  switch (obj.type) {
    case "hello":
      return parseHello(obj);
    case "reply":
      if (typeof obj.ok !== "boolean") throw new ProtocolError('reply: "ok" must be a boolean');
      return {
        type: "reply",
        id: integer(obj, "id", "reply", 0, MAX_REQUEST_ID),
        ok: obj.ok,
        message: text(obj, "message", "reply"),
      };
    case "scriptErrors": {
      const errors = obj.errors;
      if (!Array.isArray(errors) || errors.length > MAX_ERROR_ENTRIES)
        throw new ProtocolError(
          `scriptErrors: "errors" must be an array of at most ${MAX_ERROR_ENTRIES} entries`,
        );
      return {
        type: "scriptErrors",
        frame: integer(obj, "frame", "scriptErrors", 0, Number.MAX_SAFE_INTEGER),
        total: integer(obj, "total", "scriptErrors", 0, Number.MAX_SAFE_INTEGER),
        errors: errors.map(errorEntry),
      };
    }
    case "notice":
      if (obj.level !== "info" && obj.level !== "error")
        throw new ProtocolError('notice: "level" must be "info" or "error"');
      return { type: "notice", level: obj.level, text: text(obj, "text", "notice") };
    case "error":
      return { type: "error", message: text(obj, "message", "error") };
    default:
      throw new ProtocolError(`unknown host message type ${JSON.stringify(obj.type)}`);
  }
}
