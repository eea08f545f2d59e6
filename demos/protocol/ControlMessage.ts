// ControlMessage: the small JSON text messages between client and host (the binary frames are
// in FrameMessage.ts). Client → host: control commands; host → client: hello and errors.
// Parsers validate everything, because a WebSocket peer can send anything.

import { ProtocolError } from "./ProtocolError.ts";

/** Largest entity count a client may ask for. */
export const MAX_REQUESTED_ENTITIES = 1_000_000;
/** Largest GC budget a client may set, in milliseconds. */
export const MAX_BUDGET_MS = 100;

/** Client → host: change the target number of live entities. */
export interface SetEntitiesMessage {
  type: "setEntities";
  /** Target entity count, an integer in [0, MAX_REQUESTED_ENTITIES]. */
  count: number;
}

/** Client → host: change the Proto GC pause budget per frame. */
export interface SetBudgetMessage {
  type: "setBudget";
  /** Budget in milliseconds, in (0, MAX_BUDGET_MS]. */
  ms: number;
}

/** Any message a client may send as text. */
export type ClientMessage = SetEntitiesMessage | SetBudgetMessage;

/** Host → client, first message on a connection and after every change: the host's settings. */
export interface HelloMessage {
  type: "hello";
  /** Name of the simulation being run (for example "plain-js"). */
  simulation: string;
  /** Target entity count. */
  entities: number;
  /** GC pause budget per frame, in milliseconds. */
  budgetMs: number;
  /** World size in world units; entity positions lie in [0, width) × [0, height). */
  world: { width: number; height: number };
  /** Simulation rate in frames per second. */
  hz: number;
}

/** Host → client: a control message was rejected. */
export interface ErrorMessage {
  type: "error";
  /** What was wrong. */
  message: string;
}

/** Any message a host may send as text. */
export type HostMessage = HelloMessage | ErrorMessage;

/**
 * The object's own enumerable fields in an object with no prototype, so that a field the
 * peer did not send reads as undefined even if Object.prototype was polluted elsewhere.
 */
function ownFields(value: object): Record<string, unknown> {
  const own: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value)) own[key] = (value as Record<string, unknown>)[key];
  return own;
}

function parseObject(text: string, who: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError(`${who} message is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ProtocolError(`${who} message must be a JSON object`);
  }
  return ownFields(value);
}

function finite(obj: Record<string, unknown>, key: string, type: string): number {
  const value = obj[key];
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ProtocolError(`${type}: "${key}" must be a finite number, got ${JSON.stringify(value)}`);
  }
  return value;
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
      return { type: "setEntities", count };
    }
    case "setBudget": {
      const ms = finite(obj, "ms", "setBudget");
      if (ms <= 0 || ms > MAX_BUDGET_MS) {
        throw new ProtocolError(`setBudget: ms must be in (0, ${MAX_BUDGET_MS}], got ${ms}`);
      }
      return { type: "setBudget", ms };
    }
    default:
      throw new ProtocolError(`unknown client message type ${JSON.stringify(obj.type)}`);
  }
}

/** Parses and validates a host → client text message; throws a ProtocolError saying what is wrong. */
export function parseHostMessage(text: string): HostMessage {
  const obj = parseObject(text, "host");
  switch (obj.type) {
    case "hello": {
      const world = obj.world;
      if (typeof world !== "object" || world === null) {
        throw new ProtocolError('hello: "world" must be an object with width and height');
      }
      const w = ownFields(world);
      return {
        type: "hello",
        simulation: typeof obj.simulation === "string" ? obj.simulation : "unknown",
        entities: finite(obj, "entities", "hello"),
        budgetMs: finite(obj, "budgetMs", "hello"),
        world: { width: finite(w, "width", "hello.world"), height: finite(w, "height", "hello.world") },
        hz: finite(obj, "hz", "hello"),
      };
    }
    case "error":
      if (typeof obj.message !== "string") throw new ProtocolError('error: "message" must be a string');
      return { type: "error", message: obj.message };
    default:
      throw new ProtocolError(`unknown host message type ${JSON.stringify(obj.type)}`);
  }
}
