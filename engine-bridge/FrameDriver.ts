// engine-bridge/FrameDriver.ts — runs the world one frame at a time and closes each
// frame's record: behaviour scripts (main thread or worker pool), then systems, then the
// command buffers, with the Proto frame (GC pacer) open around all of it.
//
// Error policy: nothing a script, a system, a command or a worker does can break the
// driver. Each failure becomes an Error in the frame record's `errors` (ScriptError,
// WorkerError, DeadEntityError, CapacityError…) and the next step runs normally.
import { loadAddon } from "../scripting/index.ts";
import { describe } from "../scripting/object.ts";
import { BridgeWorld } from "./BridgeWorld.ts";
import type { Command } from "./CommandBuffer.ts";
import { scriptError } from "./ScriptRunner.ts";
import { V8GcObserver } from "./V8GcObserver.ts";
import { WorkerPool } from "./WorkerPool.ts";

/** A bitECS system: runs on the main thread after the scripts, every frame. */
export type System = (world: BridgeWorld, dt: number, frame: number) => void;

/** Options of a FrameDriver. */
export interface FrameDriverOptions {
  /** Observe V8 GC pauses through perf_hooks (default true). */
  readonly observeV8Gc?: boolean;
  /** How long a worker may take for one round of a frame before it is terminated (default 10 000 ms). */
  readonly workerTimeoutMs?: number;
}

/** Time per phase of a frame, in ms (the shape of the overlay's FramePhases). */
export interface BridgeFramePhases {
  /** Behaviour scripts, including the wait for workers. */
  scriptsMs: number;
  /** Systems. */
  systemsMs: number;
  /** Command buffers applied, frame closed, stats read (minus this frame's Proto GC pause). */
  syncMs: number;
  /** Always 0: the bridge does not render. */
  renderMs: number;
}

/** A GC pause placed on the frame's timeline (the overlay's GcEvent). */
export interface BridgeGcEvent {
  source: "proto" | "v8";
  startMs: number;
  durationMs: number;
}

/**
 * One frame's record. Structurally a demos/overlay FrameRecord (the overlay, the trace
 * export and the headless summary take it as is), plus the frame's errors.
 */
export interface BridgeFrameRecord {
  frame: number;
  startMs: number;
  phases: BridgeFramePhases;
  /** Proto GC pause on the main thread in this frame (native frame record). */
  gcPauseMs: number;
  /** V8 GC pauses reported by perf_hooks since the previous record. */
  v8GcMs: number;
  budgetMs: number;
  /** The native frame record says the pause broke the budget. */
  overBudget: boolean;
  entities: number;
  /** Proto heap bytes. */
  heapBytes: number;
  liveObjects: number;
  gcCycles: number;
  /** Longest single Proto GC pause on the main thread since the driver started. */
  longestPauseMs: number;
  gcEvents: BridgeGcEvent[];
  /** What went wrong in this frame (empty for a clean frame). */
  errors: Error[];
}

/** Steps a BridgeWorld: scripts, systems, commands, records. */
export class FrameDriver {
  /** The world it drives. */
  readonly world: BridgeWorld;
  readonly #systems: { name: string; run: System }[] = [];
  readonly #gc: V8GcObserver | undefined;
  readonly #timeoutMs: number;
  #pool: WorkerPool | undefined;
  #frame = 0;
  #time = 0;
  #longestPauseMs = 0;

  /** A driver for `world`; it starts observing V8 GC pauses unless `observeV8Gc` is false. */
  constructor(world: BridgeWorld, options: FrameDriverOptions = {}) {
    if (!(world instanceof BridgeWorld))
      throw new TypeError(
        `new FrameDriver(world, options): expected world to be a BridgeWorld, got ${describe(world)}`,
      );
    if (typeof options !== "object" || options === null)
      throw new TypeError(
        `new FrameDriver(world, options): expected options to be an object, got ${describe(options)}`,
      );
    const timeoutMs = options.workerTimeoutMs ?? 10_000;
    if (typeof timeoutMs !== "number")
      throw new TypeError(
        `new FrameDriver(world, options): expected options.workerTimeoutMs to be a number, got ${describe(timeoutMs)}`,
      );
    if (!(timeoutMs > 0))
      throw new RangeError(
        `new FrameDriver(world, options): expected options.workerTimeoutMs to be a positive number of ms, got ${timeoutMs}`,
      );
    this.world = world;
    this.#timeoutMs = timeoutMs;
    // Last: nothing may throw after the observer starts, or it would never be closed.
    this.#gc = options.observeV8Gc === false ? undefined : new V8GcObserver();
  }

  /** Frames stepped so far. */
  get frame(): number {
    return this.#frame;
  }

  /** Workers in the pool (0: scripts run on the main thread). */
  get workers(): number {
    return this.#pool?.size ?? 0;
  }

  /** Workers ready to take their range (a replaced worker's range runs on the main thread until it is). */
  get readyWorkers(): number {
    return this.#pool?.readyCount ?? 0;
  }

  /** Adds a system; systems run in the order added. */
  addSystem(name: string, run: System): void {
    if (typeof name !== "string" || name.length === 0)
      throw new TypeError(
        `addSystem(name, run): expected name to be a non-empty string, got ${describe(name)}`,
      );
    if (typeof run !== "function")
      throw new TypeError(`addSystem(name, run): expected run to be a function, got ${describe(run)}`);
    this.#systems.push({ name, run });
  }

  /**
   * Runs behaviours on `count` worker threads from the next step on (0: main thread only).
   * Resolves when the workers have loaded the world's scripts. Scripts must come from
   * modules (BridgeWorld.loadScripts).
   */
  async setWorkers(count: number): Promise<void> {
    if (typeof count !== "number")
      throw new TypeError(`setWorkers(count): expected count to be a number, got ${describe(count)}`);
    if (!Number.isInteger(count) || count < 0 || count > 64)
      throw new RangeError(`setWorkers(count): expected count to be a whole number in [0, 64], got ${count}`);
    const old = this.#pool;
    this.#pool = undefined;
    if (old !== undefined) await old.close();
    if (count === 0) return;
    const pool = new WorkerPool(this.world, count, this.#timeoutMs);
    try {
      await pool.ready();
    } catch (error) {
      await pool.close();
      throw error;
    }
    this.#pool = pool;
  }

  /** Sets the Proto GC pause budget per frame (ms, process-wide). */
  setBudget(ms: number): void {
    if (typeof ms !== "number")
      throw new TypeError(`setBudget(ms): expected ms to be a number, got ${describe(ms)}`);
    if (!(ms > 0 && ms <= 1000))
      throw new RangeError(`setBudget(ms): expected the GC budget to be in (0, 1000] ms, got ${ms}`);
    this.world.runtime.setGcBudgetMs(ms);
  }

  /** The budget in force (ms, process-wide; read from the runtime). */
  get budgetMs(): number {
    return loadAddon().stats().frameBudgetMs;
  }

  /** Advances the world by `dt` seconds and returns the frame's record. */
  step(dt: number): BridgeFrameRecord {
    if (typeof dt !== "number")
      throw new TypeError(`step(dt): expected dt to be a number of seconds, got ${describe(dt)}`);
    if (!Number.isFinite(dt) || dt < 0)
      throw new RangeError(`step(dt): expected a finite dt ≥ 0 in seconds, got ${dt}`);
    const addon = loadAddon();
    const world = this.world;
    const runner = world.runner;
    const errors: Error[] = [];
    const frame = this.#frame;
    const startMs = performance.now();
    addon.frameBegin();

    const maxEid = world.maxEid;
    const lists: Command[][] = [];
    const pool = this.#pool;
    if (pool === undefined) {
      runner.beginFrame(frame, this.#time, dt, maxEid);
      runner.prepare();
      runner.update(1, maxEid);
      if (runner.hasCommit) runner.commit(1, maxEid);
      lists.push(runner.buffer.take());
      for (const r of runner.takeErrors()) errors.push(scriptError(r, 0));
    } else {
      const result = pool.runFrame(frame, this.#time, dt, maxEid);
      lists.push(...result.commands);
      errors.push(...result.errors);
    }
    const scriptsEnd = performance.now();

    for (const system of this.#systems) {
      try {
        system.run(world, dt, frame);
      } catch (error) {
        errors.push(
          new Error(
            `system '${system.name}' threw: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error },
          ),
        );
      }
    }
    const systemsEnd = performance.now();

    errors.push(...world.applyCommands(lists));
    const native = addon.frameEnd();
    const stats = addon.stats();
    const syncEnd = performance.now();

    const v8 = this.#gc?.drain() ?? [];
    let v8GcMs = 0;
    const gcEvents: BridgeGcEvent[] = [];
    for (const p of v8) {
      v8GcMs += p.durationMs;
      gcEvents.push({ source: "v8", startMs: p.startMs, durationMs: p.durationMs });
    }
    if (native.gcPauseMs > 0)
      gcEvents.push({ source: "proto", startMs: systemsEnd, durationMs: native.gcPauseMs });
    this.#longestPauseMs = Math.max(this.#longestPauseMs, native.longestPauseMs);
    this.#frame++;
    this.#time += dt;
    return {
      frame,
      startMs,
      phases: {
        scriptsMs: scriptsEnd - startMs,
        systemsMs: systemsEnd - scriptsEnd,
        syncMs: Math.max(0, syncEnd - systemsEnd - native.gcPauseMs),
        renderMs: 0,
      },
      gcPauseMs: native.gcPauseMs,
      v8GcMs,
      budgetMs: native.budgetMs,
      overBudget: native.overBudget,
      entities: world.entityCount,
      heapBytes: stats.heapBytes,
      liveObjects: stats.liveObjects,
      gcCycles: stats.cycles,
      longestPauseMs: this.#longestPauseMs,
      gcEvents,
      errors,
    };
  }

  /** Stops the workers and the V8 GC observer. The world stays usable. */
  async dispose(): Promise<void> {
    this.#gc?.close();
    await this.setWorkers(0);
  }
}
