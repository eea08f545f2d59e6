// ControlMessage: the JSON text messages a page sends the host (the host's own messages are
// in HostMessage.ts, the binary ones in FrameMessage.ts and StatsMessage.ts). Each may carry
// a request id; the host answers that request, and only it, with a reply naming the id.
// The parser validates everything, because a WebSocket peer can send anything.

import { type Fields, finite, integer, parseObject } from "./JsonFields.ts";
import { ProtocolError } from "./ProtocolError.ts";

/**
 * Largest entity count the protocol carries. The host accepts at most its own capacity,
 * which it sends in its hello (HelloMessage.capacity), and answers a larger one with an error.
 */
export const MAX_REQUESTED_ENTITIES = 1_000_000;
/** Largest GC budget a client may set, in milliseconds. */
export const MAX_BUDGET_MS = 100;
/** Largest request id. */
export const MAX_REQUEST_ID = 2 ** 31 - 1;

/** Client → host: change the target number of live entities. */
export interface SetEntitiesMessage {
  type: "setEntities";
  /** Target entity count, an integer in [0, MAX_REQUESTED_ENTITIES] (the host's capacity bounds it further). */
  count: number;
  /** Request id the host's reply names (an integer in [0, MAX_REQUEST_ID]); optional. */
  id?: number;
}

/** Client → host: change the GC budget per frame (Proto stalls and V8 pauses together). */
export interface SetBudgetMessage {
  type: "setBudget";
  /** Budget in milliseconds, in (0, MAX_BUDGET_MS]. */
  ms: number;
  /** Request id the host's reply names; optional. */
  id?: number;
}

/**
 * Client → host: the page is done with the positions of `frame` (drew them, or dropped them
 * for newer ones). The host keeps at most a couple of positions messages unanswered per page,
 * so a slow page never has a socket full of positions ahead of its stats and replies. No reply.
 */
export interface DrawnMessage {
  type: "drawn";
  /** The frame whose positions the page is done with. */
  frame: number;
}

/** Any message a client may send as text. */
export type ClientMessage = SetEntitiesMessage | SetBudgetMessage | DrawnMessage;

/** A control request: a client message the host answers. */
export type ControlRequest = SetEntitiesMessage | SetBudgetMessage;

function requestId(obj: Fields, type: string): { id?: number } {
  return obj.id === undefined ? {} : { id: integer(obj, "id", type, 0, MAX_REQUEST_ID) };
}

/** The request id of a message that failed to parse, when it carried a valid one (to answer it). */
export function requestIdOf(text: string): number | undefined {
  try {
    const id = parseObject(text, "client").id;
    return typeof id === "number" && Number.isInteger(id) && id >= 0 && id <= MAX_REQUEST_ID ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Parses and validates a client → host text message; throws a ProtocolError saying what is wrong. */
export function parseClientMessage(text: string): ClientMessage {
  const obj = parseObject(text, "client");
  switch (obj.type) {
    case "setEntities": {
      const count = finite(obj, "count", "setEntities");
      if (!Number.isInteger(count) || count < 0 || count > MAX_REQUESTED_ENTITIES) {
        throw new ProtocolError(
          `setEntities: count must be an integer in [0, ${MAX_REQUESTED_ENTITIES}], got ${count}`,
        );
      }
      return { type: "setEntities", count, ...requestId(obj, "setEntities") };
    }
    case "setBudget": {
      const ms = finite(obj, "ms", "setBudget");
      if (ms <= 0 || ms > MAX_BUDGET_MS) {
        throw new ProtocolError(`setBudget: ms must be in (0, ${MAX_BUDGET_MS}], got ${ms}`);
      }
      return { type: "setBudget", ms, ...requestId(obj, "setBudget") };
    }
    case "drawn":
      return { type: "drawn", frame: integer(obj, "frame", "drawn", 0, Number.MAX_SAFE_INTEGER) };
    default:
      throw new ProtocolError(`unknown client message type ${JSON.stringify(obj.type)}`);
  }
}
