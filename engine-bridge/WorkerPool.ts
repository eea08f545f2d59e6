// engine-bridge/WorkerPool.ts — N worker threads running behaviour scripts over
// contiguous ranges of entity ids, on the same Proto columns as the main thread.
//
// One frame is one or two synchronous rounds: UPDATE (each thread runs the prepare hooks
// for its own indexes, then claims chunks of entity ids and runs their updates) and, if a
// script has a commit hook, COMMIT (chunks again, after every update is done). The main
// thread blocks in Atomics.wait meanwhile; it never waits on the event loop, so step()
// stays synchronous. Failure policy: a worker that throws in a script reports a
// ScriptError and carries on; a worker that dies, fails to load or passes the frame
// timeout is reported as a WorkerError for that frame, replaced by a new worker (started
// in the background), and until that one is ready the main thread claims chunks too.
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { scriptError } from "./BehaviourRunner.ts";
import type { BridgeWorld } from "./BridgeWorld.ts";
import { CommandBuffer } from "./CommandBuffer.ts";
import { type EntityRange, WorkerError } from "./errors.ts";
import {
  Cmd,
  COMMAND_AREA_BYTES,
  CONTROL_BYTES,
  chunkRows,
  claimChunks,
  commandViews,
  controlViews,
  F64Slot,
  Slot,
  WORK_BYTES,
  Work,
  type WorkerReply,
  WorkerState,
} from "./WorkerProtocol.ts";

// From the sources (.ts) a worker first registers tsx's loader (worker-entry.mjs); compiled
// (the npm package's dist/, .js) it starts from WorkerMain.js itself.
const ENTRY = import.meta.url.endsWith(".ts")
  ? new URL("./worker-entry.mjs", import.meta.url)
  : new URL("./WorkerMain.js", import.meta.url);

/** @internal One worker slot of the pool. */
class PoolWorker {
  readonly index: number;
  readonly worker: Worker;
  readonly ctl: Int32Array;
  readonly f64: Float64Array;
  readonly port: MessagePort;
  /** The worker's commands: a view of its command area (shared memory). */
  readonly buffer: CommandBuffer;
  readonly #records: Float64Array;
  readonly #values: Float64Array;
  layoutVersion: number;
  seq = 0;
  /** The sequence number of the round it runs now. */
  pending = 0;
  /** The message of the last round, when the worker posted one. */
  message: WorkerReply | undefined;
  /** Set once this worker was given up (dead, timed out, or failed). */
  failed = false;
  startError: string | undefined;

  constructor(index: number, world: BridgeWorld, work: Int32Array) {
    this.index = index;
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const views = controlViews(control);
    this.ctl = views.ctl;
    this.f64 = views.f64;
    const commands = new SharedArrayBuffer(COMMAND_AREA_BYTES);
    const area = commandViews(commands);
    this.#records = area.records;
    this.#values = area.values;
    this.buffer = new CommandBuffer(area.records, area.values);
    const channel = new MessageChannel();
    this.port = channel.port1;
    const layout = world.layout();
    this.layoutVersion = layout.version;
    this.worker = new Worker(ENTRY, {
      workerData: { control, work: work.buffer, commands, layout, port: channel.port2, index },
      transferList: [channel.port2],
      stdout: false,
      stderr: false,
    });
    // Errors are read from the control block and the port; these listeners only keep an
    // uncaught worker error from becoming an uncaught error of the main thread.
    this.worker.on("error", () => {});
    this.worker.unref();
  }

  get state(): number {
    return Atomics.load(this.ctl, Slot.STATE);
  }

  /** The startup failure the worker posted, if any. */
  startFailure(): string | undefined {
    if (this.startError !== undefined) return this.startError;
    const m = receiveMessageOnPort(this.port);
    if (m !== undefined) this.startError = (m.message as WorkerReply).fatal;
    return this.startError;
  }

  /** Forgets last frame's commands (the view goes back to the command area). */
  newFrame(): void {
    this.buffer.reset(this.#records, this.#values);
  }

  signal(cmd: number): number {
    const seq = ++this.seq;
    this.pending = seq;
    Atomics.store(this.ctl, Slot.CHUNK, -1);
    Atomics.store(this.ctl, Slot.CMD, cmd);
    Atomics.store(this.ctl, Slot.CMD_SEQ, seq);
    Atomics.notify(this.ctl, Slot.CMD_SEQ);
    return seq;
  }

  /**
   * Waits for the round it runs (`pending`); undefined once done (its commands counted in
   * `buffer`, its message, if it posted one, in `message`), or the reason it will never be.
   */
  wait(deadline: number): string | undefined {
    const seq = this.pending;
    this.message = undefined;
    for (;;) {
      const done = Atomics.load(this.ctl, Slot.DONE_SEQ);
      if (done >= seq) {
        if (Atomics.load(this.ctl, Slot.REPLY) === 1) {
          for (;;) {
            const m = receiveMessageOnPort(this.port);
            if (m === undefined) return "finished without posting its results";
            const reply = m.message as WorkerReply;
            if (reply.seq === seq) {
              this.message = reply;
              break;
            }
          }
        }
        const count = Atomics.load(this.ctl, Slot.COMMANDS);
        const values = Atomics.load(this.ctl, Slot.VALUES);
        const reply = this.message;
        if (reply?.records !== undefined && reply.values !== undefined)
          this.buffer.adopt(reply.records, reply.values, count, values, reply.problems.slice());
        else {
          this.buffer.setCounts(count, values);
          if (reply !== undefined) this.buffer.setProblems(reply.problems);
        }
        return undefined;
      }
      if (this.state === WorkerState.DEAD)
        return `died (exit code ${Atomics.load(this.ctl, Slot.EXIT_CODE)}) during the frame`;
      const left = deadline - performance.now();
      if (left <= 0) return "did not finish the frame in time and was terminated";
      Atomics.wait(this.ctl, Slot.DONE_SEQ, done, Math.min(left, 100));
    }
  }

  stop(): Promise<number> {
    if (this.state === WorkerState.READY) this.signal(Cmd.STOP);
    return this.worker.terminate();
  }
}

function chunkCount(work: Int32Array): number {
  return Atomics.load(work, Work.CHUNKS);
}

/** @internal The worker pool of a FrameDriver. */
export class WorkerPool {
  readonly size: number;
  /** After runFrame(): the command buffers of the frame (`bufferCount` of them). */
  readonly buffers: CommandBuffer[] = [];
  bufferCount = 0;
  readonly #world: BridgeWorld;
  readonly #workers: PoolWorker[];
  readonly #timeoutMs: number;
  readonly #respawnAt: number[] = [];
  readonly #work = new Int32Array(new SharedArrayBuffer(WORK_BYTES));
  // The workers taking part in this frame's rounds (the first few), and whether each
  // finished its update round.
  readonly #active: PoolWorker[] = [];
  readonly #updated: boolean[] = [];

  constructor(world: BridgeWorld, size: number, timeoutMs: number) {
    this.size = size;
    this.#world = world;
    this.#timeoutMs = timeoutMs;
    this.#workers = Array.from({ length: size }, (_, i) => new PoolWorker(i + 1, world, this.#work));
    for (let i = 0; i < size; i++) {
      this.#active.push(this.#workers[i] as PoolWorker);
      this.#updated.push(false);
    }
  }

  /** Resolves when every worker is ready; rejects with the first startup failure. */
  async ready(timeoutMs = 60_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      let waiting = 0;
      for (const w of this.#workers) {
        const failure = w.startFailure();
        if (failure !== undefined) throw new WorkerError(w.index, `failed to start: ${failure}`);
        if (w.state === WorkerState.DEAD) throw new WorkerError(w.index, "exited while starting");
        if (w.state !== WorkerState.READY) waiting++;
      }
      if (waiting === 0) return;
      if (performance.now() > deadline) throw new WorkerError(0, `workers not ready after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Number of workers currently ready (the others' ranges run on the main thread). */
  get readyCount(): number {
    return this.#workers.filter((w) => !w.failed && w.state === WorkerState.READY).length;
  }

  /**
   * Runs this frame's scripts: prepare everywhere, then each range on its worker. The
   * frame's command buffers are then `buffers[0 .. bufferCount)`; errors go to `errors`.
   * A round in which no worker fails and no script throws allocates nothing.
   */
  runFrame(frame: number, time: number, dt: number, maxEid: number, errors: Error[]): void {
    const runner = this.#world.runner;
    const version = this.#world.layoutVersion;
    const active = this.#active;
    const updated = this.#updated;
    let activeCount = 0;
    this.bufferCount = 0;

    for (let i = 0; i < this.#workers.length; i++) {
      const w = this.#workers[i] as PoolWorker;
      if (w.failed || w.state === WorkerState.DEAD) {
        if (!w.failed)
          errors.push(
            new WorkerError(w.index, `exited (code ${Atomics.load(w.ctl, Slot.EXIT_CODE)}) between frames`),
          );
        this.#replace(i, w);
        continue;
      }
      if (w.state !== WorkerState.READY) {
        const failure = w.startFailure();
        if (failure !== undefined) {
          errors.push(new WorkerError(w.index, `failed to start: ${failure}`));
          this.#replace(i, w);
        }
        continue;
      }
      if (w.layoutVersion !== version) {
        w.port.postMessage(this.#world.layout());
        w.signal(Cmd.LAYOUT);
        const failure = w.wait(performance.now() + this.#timeoutMs) ?? w.message?.fatal;
        if (failure !== undefined) {
          errors.push(new WorkerError(w.index, `could not load the new scripts: ${failure}`));
          this.#replace(i, w);
          continue;
        }
        w.layoutVersion = version;
      }
      w.newFrame();
      active[activeCount++] = w;
    }

    // The rows [1, maxEid) are cut into chunks that threads claim one at a time
    // (Atomics.add on the pool's work counters), so a thread slowed by the machine does
    // not hold the frame up. The main thread claims chunks too when a worker is missing.
    const work = this.#work;
    const span = Math.max(0, maxEid - 1);
    const chunk = Math.max(256, Math.ceil(span / (this.size * 16)));
    Atomics.store(work, Work.NEXT_UPDATE, 0);
    Atomics.store(work, Work.NEXT_COMMIT, 0);
    Atomics.store(work, Work.CHUNKS, Math.ceil(span / chunk));
    Atomics.store(work, Work.CHUNK_ROWS, chunk);
    for (let k = 0; k < activeCount; k++) {
      const w = active[k] as PoolWorker;
      Atomics.store(w.ctl, Slot.FRAME, frame);
      Atomics.store(w.ctl, Slot.MAX_EID, maxEid);
      w.f64[F64Slot.TIME] = time;
      w.f64[F64Slot.DT] = dt;
    }
    // Round 1: each thread runs the prepare hooks, then claims update chunks.
    for (let k = 0; k < activeCount; k++) (active[k] as PoolWorker).signal(Cmd.UPDATE);
    runner.beginFrame(frame, time, dt, maxEid);
    let prepared = false;
    if (activeCount < this.size) {
      runner.prepare();
      prepared = true;
      claimChunks(work, Work.NEXT_UPDATE, maxEid, runner, false);
    }
    let until = performance.now() + this.#timeoutMs;
    let updatedCount = 0;
    for (let k = 0; k < activeCount; k++) {
      const w = active[k] as PoolWorker;
      const ok = this.#collect(w, w.wait(until), errors, "update", maxEid);
      updated[k] = ok;
      if (ok) updatedCount++;
    }
    // Chunks no thread claimed (every worker was lost before it got to them) run here:
    // only the chunk a lost worker was running can miss its update.
    if (updatedCount < activeCount && Atomics.load(work, Work.NEXT_UPDATE) < chunkCount(work)) {
      if (!prepared) runner.prepare();
      claimChunks(work, Work.NEXT_UPDATE, maxEid, runner, false);
    }
    // Round 2: commit, once every update of the frame is done (scripts with a commit hook).
    if (runner.hasCommit) {
      for (let k = 0; k < activeCount; k++) if (updated[k]) (active[k] as PoolWorker).signal(Cmd.COMMIT);
      if (updatedCount < this.size) claimChunks(work, Work.NEXT_COMMIT, maxEid, runner, true);
      until = performance.now() + this.#timeoutMs;
      let committed = 0;
      for (let k = 0; k < activeCount; k++) {
        if (!updated[k]) continue;
        const w = active[k] as PoolWorker;
        // A worker lost in this round keeps what it queued in the update round.
        if (this.#collect(w, w.wait(until), errors, "commit", maxEid)) committed++;
      }
      if (committed < updatedCount) claimChunks(work, Work.NEXT_COMMIT, maxEid, runner, true);
    }
    // The frame's commands: each worker that finished its rounds, then the main thread's.
    for (let k = 0; k < activeCount; k++)
      if (updated[k]) this.buffers[this.bufferCount++] = (active[k] as PoolWorker).buffer;
    this.buffers[this.bufferCount++] = runner.buffer;
    const reports = runner.errors;
    for (let i = 0; i < reports.length; i++) errors.push(scriptError(reports[i] as never, 0));
    runner.clearErrors();
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.stop()));
  }

  #collect(
    w: PoolWorker,
    failure: string | undefined,
    errors: Error[],
    phase: "update" | "commit",
    maxEid: number,
  ): boolean {
    if (failure !== undefined) {
      // The chunk it was running (it claims one at a time), read before it is terminated.
      const chunk = Atomics.load(w.ctl, Slot.CHUNK);
      const entities: EntityRange[] = [];
      if (chunk >= 0) {
        const [lo, hi] = chunkRows(this.#work, chunk, maxEid);
        if (hi > lo) entities.push({ first: lo, last: hi - 1 });
      }
      errors.push(new WorkerError(w.index, failure, { phase, entities }));
      this.#replace(this.#workers.indexOf(w), w);
      return false;
    }
    const message = w.message;
    if (message !== undefined) for (const r of message.errors) errors.push(scriptError(r, w.index));
    return true;
  }

  // Replaces a failed worker, unless this slot got a new one less than a second ago (the
  // slot then stays failed and its range runs on the main thread): a worker that cannot
  // start must not turn every frame into a thread launch.
  #replace(i: number, old: PoolWorker): void {
    if (!old.failed) {
      old.failed = true;
      void old.worker.terminate();
    }
    const now = performance.now();
    if (now < (this.#respawnAt[i] ?? 0)) return;
    this.#respawnAt[i] = now + 1000;
    this.#workers[i] = new PoolWorker(old.index, this.#world, this.#work);
  }
}
