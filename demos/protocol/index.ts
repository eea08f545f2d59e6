// Public surface of demos/protocol: the binary frame message (entity positions and kinds plus
// the frame record) and the JSON control messages between the demo host and its clients.

export type {
  ClientMessage,
  ErrorMessage,
  HelloMessage,
  HostMessage,
  SetBudgetMessage,
  SetEntitiesMessage,
} from "./ControlMessage.ts";
export {
  MAX_BUDGET_MS,
  MAX_REQUESTED_ENTITIES,
  parseClientMessage,
  parseHostMessage,
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
export { ProtocolError } from "./ProtocolError.ts";
