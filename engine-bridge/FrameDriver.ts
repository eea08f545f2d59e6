// engine-bridge/FrameDriver.ts — runs the world one frame at a time and closes each
// frame's record: behaviour scripts (main thread or worker pool), then systems, then the
// command buffers, with the Proto frame (GC pacer) open around all of it.
//
// Error policy: nothing a script, a system, a command or a worker does can break the
// driver. Each failure becomes an Error in the frame record's `errors` (ScriptError,
// WorkerError, DeadEntityError, CapacityError…) and the next step runs normally.
import { FRAME_SLOTS, STATS_SLOTS } from "../scripting/native.ts";
import { describe } from "../scripting/object.ts";
import { collectV8Young, v8HeapUsed, v8YoungCapacity } from "../scripting/v8.ts";
import { type ErrorReport, scriptError } from "./BehaviourRunner.ts";
import { BridgeWorld } from "./BridgeWorld.ts";
import type { CommandBuffer } from "./CommandBuffer.ts";
import { type BridgeFrameRecord, checkFrameBudget, FrameRecorder } from "./FrameRecorder.ts";
import { WorkerPool } from "./WorkerPool.ts";

/** A bitECS system: runs on the main thread after the scripts, every frame. */
export type System = (world: BridgeWorld, dt: number, frame: number) => void;

export type { BridgeFramePhases, BridgeFrameRecord, BridgeGcEvent } from "./FrameRecorder.ts";

/** Options of a FrameDriver. */
export interface FrameDriverOptions {
  /** Observe V8 GC pauses through perf_hooks (default true). */
  readonly observeV8Gc?: boolean;
  /** How long a worker may take for one round of a frame before it is terminated (default 10 000 ms). */
  readonly workerTimeoutMs?: number;
  /** The frame-time budget in ms: a frame busier than this is `overFrameTime` (default 1000/60). */
  readonly frameBudgetMs?: number;
  /**
   * Collect V8's young generation at the end of a frame that has time left, once it holds
   * `youngGcThresholdBytes` (default true). Off: V8 scavenges whenever its young
   * generation fills, in the middle of some frame's work.
   */
  readonly youngGcInSlack?: boolean;
  /**
   * How much the young generation must hold before a slack collection runs (bytes;
   * default: half of V8's current young-generation capacity, at least 256 KiB).
   */
  readonly youngGcThresholdBytes?: number;
  /** Records kept before a slot of the ring is reused (default 256). */
  readonly recordRing?: number;
}

/** Steps a BridgeWorld: scripts, systems, commands, records. */
export class FrameDriver {
  /** The world it drives. */
  readonly world: BridgeWorld;
  readonly #systems: { name: string; run: System }[] = [];
  readonly #recorder: FrameRecorder;
  readonly #timeoutMs: number;
  readonly #youngGc: boolean;
  readonly #youngThreshold: number | undefined;
  // Numbers the addon writes each frame (frameEndInto, statsInto): no object per frame.
  readonly #native = new Float64Array(FRAME_SLOTS.length);
  readonly #stats = new Float64Array(STATS_SLOTS.length);
  readonly #mainOnly: readonly CommandBuffer[];
  #pool: WorkerPool | undefined;
  #frame = 0;
  #time = 0;
  #longestPauseMs = 0;
  // Slack collections: V8's heap use right after the last collection seen, the
  // current threshold, and a moving average of what a young collection costs.
  #heapMark = 0;
  #threshold = -1;
  #youngCostMs = 0.5;
  #youngCollections = 0;
  #untilCheck = 1;
  #markFrame = 0;
  // The frame settle() last ran for: step() need not settle again right after the host did.
  #settledFor = -1;

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
    const frameBudgetMs = checkFrameBudget(
      options.frameBudgetMs ?? 1000 / 60,
      "new FrameDriver(world, options): options.frameBudgetMs",
    );
    const youngGc = options.youngGcInSlack ?? true;
    if (typeof youngGc !== "boolean")
      throw new TypeError(
        `new FrameDriver(world, options): expected options.youngGcInSlack to be a boolean, got ${describe(youngGc)}`,
      );
    const threshold = options.youngGcThresholdBytes;
    if (threshold !== undefined && !(typeof threshold === "number" && threshold >= 0))
      throw new TypeError(
        `new FrameDriver(world, options): expected options.youngGcThresholdBytes to be a number of bytes ≥ 0, got ${describe(threshold)}`,
      );
    this.world = world;
    this.#mainOnly = [world.runner.buffer];
    this.#timeoutMs = timeoutMs;
    this.#youngGc = youngGc;
    this.#youngThreshold = threshold;
    // Last: nothing may throw after the observer starts, or it would never be closed.
    this.#recorder = new FrameRecorder({
      frameBudgetMs,
      ...(options.observeV8Gc === false ? { observeV8Gc: false } : {}),
      ...(options.recordRing === undefined ? {} : { ringSize: options.recordRing }),
    });
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

  /** Young-generation collections run in frames' slack so far. */
  get youngCollections(): number {
    return this.#youngCollections;
  }

  /** The frame-time budget (ms): a frame busier than this is overFrameTime. */
  get frameBudgetMs(): number {
    return this.#recorder.frameBudgetMs;
  }

  /** Changes the frame-time budget (ms), from the next frame on. */
  setFrameBudget(ms: number): void {
    this.#recorder.frameBudgetMs = checkFrameBudget(ms, "setFrameBudget(ms)");
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
   * modules (BridgeWorld.loadBehaviours).
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

  /** Sets the GC pause budget per frame (ms, process-wide): Proto stalls and V8 pauses together. */
  setBudget(ms: number): void {
    if (typeof ms !== "number")
      throw new TypeError(`setBudget(ms): expected ms to be a number, got ${describe(ms)}`);
    if (!(ms > 0 && ms <= 1000))
      throw new RangeError(`setBudget(ms): expected the GC budget to be in (0, 1000] ms, got ${ms}`);
    this.world.runtime.setGcBudgetMs(ms);
  }

  /** The budget in force (ms, process-wide; read from the runtime). */
  get budgetMs(): number {
    this.world.runtime.statsInto(this.#stats);
    return this.#stats[STATS_SLOTS.frameBudgetMs] as number;
  }

  /**
   * Places the V8 pauses perf_hooks reported since the last call in the frames they fell
   * in, and returns the last frame's record, now complete: call it after the host yielded
   * to the event loop (step() does it first thing, for the frames before).
   */
  settle(): BridgeFrameRecord | undefined {
    this.#recorder.settle();
    this.#settledFor = this.#frame;
    return this.#recorder.latest();
  }

  /** The record of frame `frame` while the ring still holds it (the last `recordRing` frames). */
  record(frame: number): BridgeFrameRecord | undefined {
    return this.#recorder.record(frame);
  }

  /**
   * Advances the world by `dt` seconds and returns the frame's record: a slot of the
   * driver's ring, reused `recordRing` frames later. Its V8 figures are filled in when
   * perf_hooks reports the pauses, at the next settle() or step().
   */
  step(dt: number): BridgeFrameRecord {
    if (typeof dt !== "number")
      throw new TypeError(`step(dt): expected dt to be a number of seconds, got ${describe(dt)}`);
    if (!Number.isFinite(dt) || dt < 0)
      throw new RangeError(`step(dt): expected a finite dt ≥ 0 in seconds, got ${dt}`);
    const world = this.world;
    const runtime = world.runtime;
    const runner = world.runner;
    const recorder = this.#recorder;
    const frame = this.#frame;
    if (this.#settledFor !== frame) recorder.settle();
    const startMs = performance.now();
    const record = recorder.begin(startMs);
    const errors = record.errors;
    runtime.frameBegin();

    const maxEid = world.maxEid;
    const pool = this.#pool;
    runner.buffer.clear();
    let buffers: readonly CommandBuffer[] = this.#mainOnly;
    let bufferCount = 1;
    if (pool === undefined) {
      runner.beginFrame(frame, this.#time, dt, maxEid);
      runner.prepare();
      runner.update(1, maxEid);
      if (runner.hasCommit) runner.commit(1, maxEid);
      const reports = runner.errors;
      for (let i = 0; i < reports.length; i++) errors.push(scriptError(reports[i] as ErrorReport, 0));
      runner.clearErrors();
    } else {
      pool.runFrame(frame, this.#time, dt, maxEid, errors);
      buffers = pool.buffers;
      bufferCount = pool.bufferCount;
    }
    const scriptsEnd = performance.now();

    const systems = this.#systems;
    for (let i = 0; i < systems.length; i++) {
      const system = systems[i] as { name: string; run: System };
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

    world.applyCommands(buffers, bufferCount, errors);
    runner.buffer.clear();
    const native = this.#native;
    const stats = this.#stats;
    runtime.frameEndInto(native);
    runtime.statsInto(stats);
    const syncEnd = performance.now();

    const pauseMs = native[FRAME_SLOTS.gcPauseMs] as number;
    const longest = native[FRAME_SLOTS.longestPauseMs] as number;
    if (longest > this.#longestPauseMs) this.#longestPauseMs = longest;
    recorder.phases(record, scriptsEnd, systemsEnd, syncEnd, pauseMs, native[FRAME_SLOTS.overBudget] === 1);
    if (pauseMs > 0) record.gcEvents.push({ source: "proto", startMs: systemsEnd, durationMs: pauseMs });
    record.budgetMs = native[FRAME_SLOTS.budgetMs] as number;
    record.entities = world.entityCount;
    record.heapBytes = stats[STATS_SLOTS.heapBytes] as number;
    record.liveObjects = stats[STATS_SLOTS.liveObjects] as number;
    record.gcCycles = stats[STATS_SLOTS.cycles] as number;
    record.longestPauseMs = this.#longestPauseMs;
    if (this.#youngGc) this.#collectYoungInSlack(startMs, recorder.frameBudgetMs);
    recorder.end(record, performance.now());
    this.#frame++;
    this.#time += dt;
    return record;
  }

  /** Stops the workers and the V8 GC observer. The world stays usable. */
  async dispose(): Promise<void> {
    this.#recorder.close();
    await this.setWorkers(0);
  }

  // At the end of a frame with time left: if the young generation holds more than the
  // threshold, collect it now, while the frame's temporaries are dead, so that V8's own
  // scavenges (which come in the middle of some frame, temporaries alive, and promote
  // what survives twice) mostly do not happen. Its pause is this frame's (V8, minor).
  //
  // Reading V8's heap use makes a statistics object (a few hundred bytes), so it is read
  // only as often as the allocation rate asks: every frame for a frame that allocates a
  // lot, every 32 frames for one that allocates next to nothing.
  #collectYoungInSlack(startMs: number, frameBudgetMs: number): void {
    if (--this.#untilCheck > 0) return;
    const used = v8HeapUsed();
    if (used < this.#heapMark || this.#threshold < 0 || this.#frame - this.#markFrame > 4096) {
      // V8 collected on its own since (or first frame): start counting again from here.
      this.#mark(used);
      this.#threshold = this.#youngThreshold ?? Math.max(256 << 10, v8YoungCapacity() / 2);
      this.#untilCheck = 8;
      return;
    }
    const grown = used - this.#heapMark;
    const perFrame = grown / Math.max(1, this.#frame + 1 - this.#markFrame);
    const left = this.#threshold - grown;
    this.#untilCheck = Math.max(1, Math.min(32, Math.floor(left / Math.max(perFrame, 1) / 2)));
    if (left > 0) return;
    const begin = performance.now();
    if (frameBudgetMs - (begin - startMs) < 2 * this.#youngCostMs) {
      this.#untilCheck = 1; // no slack this frame: try the next one
      return;
    }
    collectV8Young();
    const cost = performance.now() - begin;
    this.#youngCostMs += (cost - this.#youngCostMs) / 8;
    this.#youngCollections++;
    this.#mark(v8HeapUsed());
  }

  #mark(used: number): void {
    this.#heapMark = used;
    this.#markFrame = this.#frame + 1;
  }
}
