// engine-bridge/CommandBuffer.ts — structural changes queued during a frame (spawn,
// despawn, add, remove) as plain data, so a worker can post them to the main thread.
// Each command carries the entity whose update issued it and a sequence number; the main
// thread applies all buffers merged in (issuer, sequence) order, which is the order a
// single thread would have produced — results do not depend on the partition.

/** Spawn an entity running `script` (by name). */
export interface SpawnCommand {
  readonly op: "spawn";
  readonly script: string;
  readonly init: Readonly<Record<string, number>> | undefined;
  readonly overrides: Readonly<Record<string, number>> | undefined;
}
/** Remove an entity. */
export interface DespawnCommand {
  readonly op: "despawn";
  readonly eid: number;
}
/** Add a component (by name) to an entity. */
export interface AddCommand {
  readonly op: "add";
  readonly eid: number;
  readonly component: string;
  readonly init: Readonly<Record<string, number>> | undefined;
}
/** Remove a component (by name) from an entity. */
export interface RemoveCommand {
  readonly op: "remove";
  readonly eid: number;
  readonly component: string;
}

/** A queued structural change, with who queued it. */
export type Command = (SpawnCommand | DespawnCommand | AddCommand | RemoveCommand) & {
  /** The entity whose update queued it; systems and the host use ids above any entity. */
  readonly by: number;
  /** Order among the commands of the same issuer. */
  readonly seq: number;
};

/** Issuer id of commands queued outside any entity's update (systems, prepare hooks, the host). */
export const OUTSIDE_UPDATE = 2 ** 32;

/** @internal One thread's queue for one frame. */
export class CommandBuffer {
  readonly commands: Command[] = [];
  /** The entity whose update is running (OUTSIDE_UPDATE otherwise). */
  issuer = OUTSIDE_UPDATE;
  #seq = 0;

  push(command: SpawnCommand | DespawnCommand | AddCommand | RemoveCommand): void {
    this.commands.push({ ...command, by: this.issuer, seq: this.#seq++ });
  }

  /** Takes the queued commands and empties the buffer. */
  take(): Command[] {
    const out = this.commands.splice(0);
    this.#seq = 0;
    return out;
  }
}

/** @internal Merges buffers into application order: by issuer, then sequence. */
export function mergeCommands(lists: readonly (readonly Command[])[]): Command[] {
  const all: Command[] = [];
  for (const list of lists) for (const c of list) all.push(c);
  all.sort((a, b) => a.by - b.by || a.seq - b.seq);
  return all;
}
