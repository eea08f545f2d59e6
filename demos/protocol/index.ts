// Public surface of demos/protocol: the binary frame message (entity positions and kinds), the
// binary stats message (one frame's record, never skipped), and the JSON text messages
// between the demo host and its pages.

export type {
  ClientMessage,
  ControlRequest,
  DrawnMessage,
  SetBudgetMessage,
  SetEntitiesMessage,
} from "./ControlMessage.ts";
export {
  MAX_BUDGET_MS,
  MAX_REQUEST_ID,
  MAX_REQUESTED_ENTITIES,
  parseClientMessage,
  requestIdOf,
} from "./ControlMessage.ts";
export { ENTITY_KIND_COUNT, ENTITY_KIND_NAMES, EntityKind } from "./EntityKind.ts";
export type { DecodedFrame, FrameInput } from "./FrameMessage.ts";
export {
  decodeFrame,
  encodeFrame,
  encodeFrameInto,
  FLAG_HAS_GC_EVENTS,
  FLAG_HAS_RECORD,
  FRAME_HEADER_BYTES,
  FRAME_MAGIC,
  FRAME_VERSION,
  frameMessageBytes,
  MAX_FRAME_ENTITIES,
} from "./FrameMessage.ts";
export type {
  ErrorMessage,
  HelloMessage,
  HostMessage,
  NoticeMessage,
  ReplyMessage,
  ScriptErrorEntry,
  ScriptErrorsMessage,
} from "./HostMessage.ts";
export { MAX_ERROR_ENTRIES, parseHostMessage } from "./HostMessage.ts";
export { ProtocolError } from "./ProtocolError.ts";
export {
  decodeStats,
  encodeStats,
  encodeStatsInto,
  isStatsMessage,
  STATS_HEADER_BYTES,
  STATS_MAGIC,
  STATS_VERSION,
  statsMessageBytes,
} from "./StatsMessage.ts";
