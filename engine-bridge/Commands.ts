// engine-bridge/Commands.ts — applies a frame's queued commands on the main thread, at
// frame end: every thread's buffer and the world's own, merged in (issuer, sequence)
// order so the result does not depend on how entities were split across threads.
// Removals and changes go first, then spawns: a spawn may recycle an id freed this frame,
// and no later command of the frame can then touch the new entity by mistake.

import { removeEntity } from "bitecs";
import type { BehaviourEntry } from "./Behaviours.ts";
import type { BridgeWorld } from "./BridgeWorld.ts";
import { type CommandBuffer, CommandMerge, mergedBuffer, mergedCommand, Op } from "./CommandBuffer.ts";
import { CommandError, DeadEntityError, StaleEntityError } from "./errors.ts";
import { HANDLE_SPAN, rowOf } from "./handles.ts";
import type { ComponentEntry } from "./Stores.ts";

/** @internal Applies merged command buffers; allocates nothing itself. */
export class CommandApplier {
  readonly #merge = new CommandMerge();
  readonly #applying: CommandBuffer[] = [];
  readonly #despawnStamp: Uint32Array;
  #stamp = 0;

  constructor(capacity: number) {
    this.#despawnStamp = new Uint32Array(capacity + 1);
  }

  /** Applies the first `n` of `buffers` and then `last`, adding each failure to `errors`. */
  apply(
    world: BridgeWorld,
    buffers: readonly CommandBuffer[],
    n: number,
    last: CommandBuffer,
    errors: Error[],
  ): void {
    const applying = this.#applying;
    for (let b = 0; b < n; b++) applying[b] = buffers[b] as CommandBuffer;
    applying[n] = last;
    const merge = this.#merge;
    merge.merge(applying, n + 1);
    const order = merge.order;
    const stamp = ++this.#stamp;
    for (let k = 0; k < merge.count; k++) {
      const entry = order[k] as number;
      const buffer = applying[mergedBuffer(entry)] as CommandBuffer;
      const i = mergedCommand(entry);
      const op = buffer.op(i);
      if (op === Op.SPAWN) continue;
      try {
        const ref = buffer.eid(i);
        const eid = rowOf(world.generations, ref);
        if (op === Op.DESPAWN) {
          if (eid > 0 && this.#despawnStamp[eid] === stamp) continue;
          this.#check(world, ref, eid, "despawn command");
          const behaviour = world.behaviours.byId(world.behaviourIds[eid] as number);
          world.lifecycle.removeEntity(eid, behaviour?.def.recycle === true);
          this.#despawnStamp[eid] = stamp;
        } else {
          const component = world.stores.list[buffer.ref(i)] as ComponentEntry;
          const verb = op === Op.ADD ? "add" : "remove";
          const what = `${verb} '${component.def.name}' command`;
          if (eid > 0 && this.#despawnStamp[eid] === stamp) throw new DeadEntityError(eid, what);
          this.#check(world, ref, eid, what);
          if (op === Op.ADD) {
            const problem = buffer.problemOf(i);
            if (problem !== undefined) throw new TypeError(`add '${component.def.name}' command${problem}`);
            world.lifecycle.addComponent(eid, component, buffer, i);
          } else {
            world.lifecycle.removeComponent(eid, component);
          }
        }
      } catch (error) {
        errors.push(error instanceof Error ? error : new CommandError(String(error)));
      }
      world.lifecycle.takeErrors(errors);
    }
    for (let k = 0; k < merge.count; k++) {
      const entry = order[k] as number;
      const buffer = applying[mergedBuffer(entry)] as CommandBuffer;
      const i = mergedCommand(entry);
      if (buffer.op(i) !== Op.SPAWN) continue;
      const behaviour = world.behaviours.byId(buffer.ref(i)) as BehaviourEntry;
      try {
        const problem = buffer.problemOf(i);
        if (problem !== undefined) throw new TypeError(`spawn '${behaviour.def.name}' command${problem}`);
        const parked =
          behaviour.parkedCount > 0
            ? ((behaviour.parked as Int32Array)[--behaviour.parkedCount] as number)
            : 0;
        world.lifecycle.spawnFrom(behaviour, buffer, i, parked);
      } catch (error) {
        errors.push(error instanceof Error ? error : new CommandError(String(error)));
      }
      world.lifecycle.takeErrors(errors);
    }
    // Parked entities no spawn reused leave bitECS now.
    const list = world.behaviours.list;
    for (let k = 0; k < list.length; k++) {
      const behaviour = list[k] as BehaviourEntry;
      while (behaviour.parkedCount > 0) {
        const eid = (behaviour.parked as Int32Array)[--behaviour.parkedCount] as number;
        try {
          removeEntity(world.ecs, eid);
        } catch (error) {
          errors.push(error instanceof Error ? error : new CommandError(String(error)));
        }
      }
    }
  }

  #check(world: BridgeWorld, ref: number, eid: number, what: string): void {
    if (eid < 0) throw new StaleEntityError(ref, ref % HANDLE_SPAN, what);
    if (!world.isAlive(eid)) throw new DeadEntityError(eid, what);
  }
}
