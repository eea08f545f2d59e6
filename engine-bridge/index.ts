// engine-bridge/index.ts — the public surface of the engine bridge: bitECS components
// over Proto columns (zero copy), entities bound to Proto objects, behaviours on the main
// thread or a worker pool, and the frame driver. See docs/behaviours.md and
// docs/engine-bridge.md.

export type {
  BehaviourContext,
  BehaviourDef,
  BehaviourHooks,
  BehaviourParams,
  BehaviourSelf,
  BehaviourSpec,
  EntityList,
  Fields,
  NumericParams,
  ParamType,
  SpawnInit,
} from "./Behaviour.ts";
export { defineBehaviour } from "./Behaviour.ts";
export type { BridgeWorldOptions } from "./BridgeWorld.ts";
export { BridgeWorld } from "./BridgeWorld.ts";
export type { AddCommand, Command, DespawnCommand, RemoveCommand, SpawnCommand } from "./CommandBuffer.ts";
export type { ComponentDef, FieldArrays, FieldType, Schema, Store } from "./Component.ts";
export { defineComponent } from "./Component.ts";
export type { EntityRange } from "./errors.ts";
export {
  CapacityError,
  CommandError,
  DeadEntityError,
  ScriptError,
  StaleEntityError,
  WorkerError,
} from "./errors.ts";
export type {
  BridgeFramePhases,
  BridgeFrameRecord,
  BridgeGcEvent,
  FrameDriverOptions,
  System,
} from "./FrameDriver.ts";
export { FrameDriver } from "./FrameDriver.ts";
export type { FramePhases, FrameRecord, GcEvent, GcSource } from "./FrameRecord.ts";
export { copyFrameRecord, emptyFrameRecord, frameBusyMs, frameGcMs } from "./FrameRecord.ts";
export type { FrameRecorderOptions } from "./FrameRecorder.ts";
export { FrameRecorder } from "./FrameRecorder.ts";
export { HANDLE_SPAN } from "./handles.ts";
export { hashRandom } from "./random.ts";
export type { V8GcKind, V8GcPause, V8PauseVisitor } from "./V8GcObserver.ts";
export { V8GcObserver } from "./V8GcObserver.ts";
