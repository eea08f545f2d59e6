// engine-bridge/errors.ts — the errors the bridge throws or reports per frame. Every
// misuse (a dead entity, a full world, a script that throws, a worker that dies) gets
// its own class, so callers can tell them apart, and a message naming what went wrong.
import { describe } from "../scripting/object.ts";

/**
 * @internal Throws TypeError unless `eid` could be an entity id (a non-negative integer):
 * `${where}: expected an entity id (a non-negative integer), got a string ("1")`. An id
 * of the right type that is not alive is a DeadEntityError instead.
 */
export function checkEntityId(eid: unknown, where: string): asserts eid is number {
  if (typeof eid !== "number" || !Number.isInteger(eid) || eid < 0)
    throw new TypeError(`${where}: expected an entity id (a non-negative integer), got ${describe(eid)}`);
}

/**
 * @internal Throws TypeError unless `ref` could be an entity id or handle (a non-negative
 * safe integer).
 */
export function checkEntityRef(ref: unknown, where: string): asserts ref is number {
  if (typeof ref !== "number" || !Number.isSafeInteger(ref) || ref < 0)
    throw new TypeError(
      `${where}: expected an entity id or handle (a non-negative integer), got ${describe(ref)}`,
    );
}

/** A handle of an entity that is gone was used (its id may run another entity now). */
export class StaleEntityError extends Error {
  override readonly name = "StaleEntityError";
  /** The handle that was used. */
  readonly handle: number;
  /** The entity id it held. */
  readonly eid: number;

  /** @internal */
  constructor(handle: number, eid: number, what: string) {
    super(
      `${what}: handle ${handle} is stale: entity ${eid} it referred to is gone (the id may run another entity now)`,
    );
    this.handle = handle;
    this.eid = eid;
  }
}

/** An entity id that is not alive in the world was used (never spawned, or despawned). */
export class DeadEntityError extends Error {
  override readonly name = "DeadEntityError";
  /** The entity id that was used. */
  readonly eid: number;

  /** @internal */
  constructor(eid: number, what: string) {
    super(`${what}: entity ${eid} is not alive (never spawned, or despawned already)`);
    this.eid = eid;
  }
}

/** The world's fixed capacity was exceeded (see BridgeWorldOptions.capacity). */
export class CapacityError extends RangeError {
  override readonly name = "CapacityError";

  /** @internal */
  constructor(capacity: number, what: string) {
    super(
      `${what}: the world is full (capacity ${capacity} entities, fixed at creation); ` +
        "despawn entities first or create the world with a larger capacity",
    );
  }
}

/** A behaviour hook threw while it ran for one entity (reported in the frame's errors). */
export class ScriptError extends Error {
  override readonly name = "ScriptError";
  /** The behaviour's name. */
  readonly script: string;
  /** The entity it ran for (-1 in a prepare hook). */
  readonly eid: number;
  /** 0 for the main thread, k ≥ 1 for worker k. */
  readonly thread: number;

  /** @internal */
  constructor(script: string, eid: number, thread: number, message: string, stack?: string, hook = "update") {
    const where = eid < 0 ? "prepare()" : `${hook}() of entity ${eid}`;
    super(
      `behaviour '${script}' threw in ${where} on ${thread === 0 ? "the main thread" : `worker ${thread}`}: ${message}`,
    );
    this.script = script;
    this.eid = eid;
    this.thread = thread;
    if (stack !== undefined) this.stack = `${this.name}: ${this.message}\n--- original stack ---\n${stack}`;
  }
}

/** Entity ids `first` to `last`, both included. */
export interface EntityRange {
  readonly first: number;
  readonly last: number;
}

/** @internal What a worker lost when it died in the middle of a round. */
export interface WorkerLoss {
  /** The round it died in. */
  readonly phase: "update" | "commit";
  /** The entities of the chunk it was running, if it was running one. */
  readonly entities: readonly EntityRange[];
}

/** A worker died, hung past the frame timeout or failed to start (reported in the frame's errors). */
export class WorkerError extends Error {
  override readonly name = "WorkerError";
  /** The worker's number (1…N). */
  readonly worker: number;
  /**
   * The entities the worker was running when it was lost: they may have been left
   * without this frame's update (or commit, see `phase`); nothing is retried. Empty when
   * it was lost outside a chunk (between frames, while starting, in a prepare hook).
   */
  readonly entities: readonly EntityRange[];
  /** The round it was lost in, if it was lost in the middle of one. */
  readonly phase: "update" | "commit" | undefined;
  /**
   * True when it was lost in the middle of a round: the commands (spawn, despawn, add,
   * remove) and script errors it had queued this frame were never posted, so they are lost.
   */
  readonly lostCommands: boolean;

  /** @internal */
  constructor(worker: number, message: string, loss?: WorkerLoss) {
    let text = `worker ${worker}: ${message}`;
    if (loss !== undefined) {
      const round = loss.phase === "update" ? "an update" : "a commit";
      for (const r of loss.entities)
        text +=
          r.first === r.last
            ? `; entity ${r.first} may have been left without ${round} this frame`
            : `; entities ${r.first} to ${r.last} may have been left without ${round} this frame`;
      text += "; the commands and script errors it had queued this frame are lost";
    }
    super(text);
    this.worker = worker;
    this.entities = loss?.entities ?? [];
    this.phase = loss?.phase;
    this.lostCommands = loss !== undefined;
  }
}

/** A command a script or system queued could not be applied at frame end. */
export class CommandError extends Error {
  override readonly name = "CommandError";
}
