// engine-bridge/errors.ts — the errors the bridge throws or reports per frame. Every
// misuse (a dead entity, a full world, a script that throws, a worker that dies) gets
// its own class, so callers can tell them apart, and a message naming what went wrong.

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

/** A behaviour script threw while it ran for one entity (reported in the frame's errors). */
export class ScriptError extends Error {
  override readonly name = "ScriptError";
  /** The script's name. */
  readonly script: string;
  /** The entity it ran for (-1 in a prepare hook). */
  readonly eid: number;
  /** 0 for the main thread, k ≥ 1 for worker k. */
  readonly thread: number;

  /** @internal */
  constructor(script: string, eid: number, thread: number, message: string, stack?: string) {
    const where = eid < 0 ? "prepare()" : `update() of entity ${eid}`;
    super(
      `script '${script}' threw in ${where} on ${thread === 0 ? "the main thread" : `worker ${thread}`}: ${message}`,
    );
    this.script = script;
    this.eid = eid;
    this.thread = thread;
    if (stack !== undefined) this.stack = `${this.name}: ${this.message}\n--- original stack ---\n${stack}`;
  }
}

/** A worker died, hung past the frame timeout or failed to start (reported in the frame's errors). */
export class WorkerError extends Error {
  override readonly name = "WorkerError";
  /** The worker's number (1…N). */
  readonly worker: number;

  /** @internal */
  constructor(worker: number, message: string) {
    super(`worker ${worker}: ${message}`);
    this.worker = worker;
  }
}

/** A command a script or system queued could not be applied at frame end. */
export class CommandError extends Error {
  override readonly name = "CommandError";
}
