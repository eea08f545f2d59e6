// engine-bridge/handles.ts — versioned entity handles. bitECS recycles entity ids, so an id
// kept across frames may come to name another entity. A handle is the id and the row's
// generation in one number (eid + generation × HANDLE_SPAN); the generation of a row goes
// up each time an entity leaves it, so a handle of an entity that is gone is refused with
// a StaleEntityError. Every call that takes an entity takes an id or a handle: a number
// below HANDLE_SPAN is an id (world capacity is at most 2^24), anything above is a handle.
import { DeadEntityError, StaleEntityError } from "./errors.ts";

/** Ids are below this; a handle is eid + generation × HANDLE_SPAN, generation ≥ 1. */
export const HANDLE_SPAN = 2 ** 25;
/** Generations wrap below this, so every handle is a safe integer. */
const GENERATIONS = 2 ** 27;

/** @internal The handle of the entity in row `eid` (the caller checked it is alive). */
export function handleOf(generations: Uint32Array, eid: number): number {
  return eid + ((generations[eid] as number) + 1) * HANDLE_SPAN;
}

/** @internal The row an id or handle names, or -1 for a stale handle. */
export function rowOf(generations: Uint32Array, ref: number): number {
  if (ref < HANDLE_SPAN) return ref;
  const eid = ref % HANDLE_SPAN;
  return Math.floor(ref / HANDLE_SPAN) === (generations[eid] as number) + 1 ? eid : -1;
}

/** @internal Marks row `eid` vacated: its handles become stale. */
export function retire(generations: Uint32Array, eid: number): void {
  generations[eid] = ((generations[eid] as number) + 1) % (GENERATIONS - 1);
}

/**
 * @internal The live row an id or handle names: StaleEntityError for a handle of an entity
 * that is gone, DeadEntityError for an id that is not alive (`alive` decides).
 */
export function liveRow(
  generations: Uint32Array,
  ref: number,
  alive: (eid: number) => boolean,
  where: string,
): number {
  const eid = rowOf(generations, ref);
  if (eid < 0) throw new StaleEntityError(ref, ref % HANDLE_SPAN, where);
  if (!alive(eid)) throw new DeadEntityError(eid, where);
  return eid;
}
