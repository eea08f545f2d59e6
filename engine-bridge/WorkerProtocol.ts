// engine-bridge/WorkerProtocol.ts — the control block the main thread and a pool worker
// share (an Int32Array and a Float64Array over one SharedArrayBuffer), the command area
// (the worker's command buffer, in shared memory), the message a worker posts when it has
// more to say, and the work counters all threads claim chunks of entity ids from. The main
// thread writes a command and bumps CMD_SEQ; the worker runs it, leaves its queued
// commands in the command area and their counts in the control block, posts a message
// only if it has script errors, bad commands or more commands than the area holds (REPLY
// says so), then stores DONE_SEQ and notifies. The post happens before the store, so once
// the main thread sees DONE_SEQ it can read the message synchronously
// (receiveMessageOnPort): a frame never waits for the event loop, and a round without
// errors allocates nothing on either side.

import type { BehaviourRunner, ErrorReport } from "./BehaviourRunner.ts";
import { INITIAL_COMMANDS, INITIAL_VALUES, RECORD } from "./CommandBuffer.ts";

/** @internal Int32 slots of the control block. */
export const Slot = {
  CMD_SEQ: 0,
  CMD: 1,
  DONE_SEQ: 2,
  STATE: 3,
  MAX_EID: 6,
  FRAME: 7,
  EXIT_CODE: 8,
  /** The chunk the worker is running now, or -1 (so a lost worker's chunk can be named). */
  CHUNK: 9,
  /** Commands and value pairs the worker queued this frame (in the command area, or posted). */
  COMMANDS: 10,
  VALUES: 11,
  /** 1 when the worker posted a message with this reply. */
  REPLY: 12,
} as const;

/** @internal Float64 slots (after the 16 Int32 slots). */
export const F64Slot = { TIME: 0, DT: 1 } as const;

/** @internal Bytes of a control block. */
export const CONTROL_BYTES = 16 * 4 + 4 * 8;

/** @internal Commands. */
export const Cmd = { UPDATE: 2, LAYOUT: 3, STOP: 4, COMMIT: 5 } as const;

/** @internal Worker states. */
export const WorkerState = { STARTING: 0, READY: 1, DEAD: 2 } as const;

/** @internal What a worker posts after a command, when it has something the control block cannot say. */
export interface WorkerReply {
  readonly seq: number;
  readonly errors: readonly ErrorReport[];
  /** Problem texts of bad commands (CommandBuffer.problems). */
  readonly problems: readonly string[];
  /** The command buffer's arrays when it outgrew the command area. */
  readonly records?: Float64Array;
  readonly values?: Float64Array;
  /** Set when loading a layout (modules, columns) failed. */
  readonly fatal?: string;
}

/** @internal Bytes of a worker's command area: records, then value pairs. */
export const COMMAND_AREA_BYTES = INITIAL_COMMANDS * 16 * RECORD * 8 + INITIAL_VALUES * 16 * 2 * 8;

/** @internal The command area's views. */
export function commandViews(buffer: SharedArrayBuffer): { records: Float64Array; values: Float64Array } {
  const recordLength = INITIAL_COMMANDS * 16 * RECORD;
  return {
    records: new Float64Array(buffer, 0, recordLength),
    values: new Float64Array(buffer, recordLength * 8, INITIAL_VALUES * 16 * 2),
  };
}

/** @internal The control block's views. */
export function controlViews(buffer: SharedArrayBuffer): { ctl: Int32Array; f64: Float64Array } {
  return { ctl: new Int32Array(buffer, 0, 16), f64: new Float64Array(buffer, 64, 4) };
}

/** @internal Int32 slots of the pool's work counters (one SharedArrayBuffer for all workers). */
export const Work = { NEXT_UPDATE: 0, NEXT_COMMIT: 1, CHUNKS: 2, CHUNK_ROWS: 3 } as const;

/** @internal Bytes of the work counters. */
export const WORK_BYTES = 16;

/**
 * @internal Claims chunks of rows from `counter` until none is left and runs each (update,
 * or commit when `commit`). A worker passes its control block: the chunk it runs is in its
 * CHUNK slot meanwhile.
 */
export function claimChunks(
  work: Int32Array,
  counter: number,
  maxEid: number,
  runner: BehaviourRunner,
  commit: boolean,
  ctl?: Int32Array,
): void {
  const chunks = Atomics.load(work, Work.CHUNKS);
  const rows = Atomics.load(work, Work.CHUNK_ROWS);
  for (;;) {
    const c = Atomics.add(work, counter, 1);
    if (c >= chunks) return;
    const lo = 1 + c * rows;
    if (ctl !== undefined) Atomics.store(ctl, Slot.CHUNK, c);
    const hi = Math.min(lo + rows, maxEid);
    if (commit) runner.commit(lo, hi);
    else runner.update(lo, hi);
    if (ctl !== undefined) Atomics.store(ctl, Slot.CHUNK, -1);
  }
}

/** @internal The entity ids [lo, hi) of chunk `c` (hi ≤ maxEid). */
export function chunkRows(work: Int32Array, c: number, maxEid: number): [number, number] {
  const rows = Atomics.load(work, Work.CHUNK_ROWS);
  const lo = 1 + c * rows;
  return [lo, Math.min(lo + rows, maxEid)];
}
