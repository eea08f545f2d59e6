// engine-bridge/WorkerMain.ts — the body of a pool worker: opens the world's columns and
// behaviour prototypes (same memory and objects as the main thread, through share tokens),
// imports the behaviour modules into its own code table and runs commands from the
// control block until told to stop (WorkerProtocol.ts).
import { type MessagePort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { type ProtoObject, Runtime } from "../scripting/index.ts";
import type { AnyHooks, BehaviourDef } from "./Behaviour.ts";
import { BehaviourRunner, type RunnerBehaviour } from "./BehaviourRunner.ts";
import { CommandBuffer } from "./CommandBuffer.ts";
import type { Store } from "./Component.ts";
import { behavioursByName, type WorldLayout } from "./Loader.ts";
import type { FieldLayout } from "./Stores.ts";
import {
  Cmd,
  claimChunks,
  commandViews,
  controlViews,
  F64Slot,
  Slot,
  Work,
  type WorkerReply,
  WorkerState,
} from "./WorkerProtocol.ts";

interface WorkerInput {
  readonly control: SharedArrayBuffer;
  readonly work: SharedArrayBuffer;
  readonly commands: SharedArrayBuffer;
  readonly layout: WorldLayout;
  readonly port: MessagePort;
  readonly index: number;
}

const input = workerData as WorkerInput;
const { ctl, f64 } = controlViews(input.control);
const port = input.port;
const work = new Int32Array(input.work);

process.on("exit", (code) => {
  Atomics.store(ctl, Slot.EXIT_CODE, code);
  Atomics.store(ctl, Slot.STATE, WorkerState.DEAD);
  Atomics.notify(ctl, Slot.DONE_SEQ);
});

const runtime = new Runtime();
const stores = new Map<string, Store>();
const opened = new Map<number, ArrayBufferView>();

function open<T extends ArrayBufferView>(token: number): T {
  let view = opened.get(token);
  if (view === undefined) {
    view = runtime.openColumn(token);
    opened.set(token, view);
  }
  return view as T;
}

const prototypes = new Map<number, ProtoObject>();
const code = new Map<number, AnyHooks>();
const layout = input.layout;
const area = commandViews(input.commands);
const runner = new BehaviourRunner(
  input.index,
  runtime,
  {
    stores,
    behaviourIds: open<Uint32Array>(layout.behaviourIdsToken),
    generations: open<Uint32Array>(layout.generationsToken),
    tokens: open<Float64Array>(layout.objectsToken),
    globals: open<Float64Array>(layout.globalsToken),
  },
  code,
  new CommandBuffer(area.records, area.values),
);

function prototype(token: number): ProtoObject {
  let object = prototypes.get(token);
  if (object === undefined) {
    object = runtime.open(token);
    prototypes.set(token, object);
  }
  return object;
}

async function install(layout: WorldLayout): Promise<void> {
  for (const c of layout.components) {
    if (stores.has(c.name)) continue;
    const store: Record<string, ArrayBufferView> = {};
    for (const f of c.fields as readonly FieldLayout[]) store[f.name] = open(f.token);
    stores.set(c.name, Object.freeze(store) as unknown as Store);
  }
  // Later modules win: a reloaded module's definitions replace the ones it had.
  const defs = new Map<string, BehaviourDef>();
  for (const url of [...layout.modules].reverse())
    behavioursByName((await import(url)) as Record<string, unknown>, defs);
  code.clear();
  const behaviours: RunnerBehaviour[] = layout.behaviours.map((b) => {
    const def = defs.get(b.name);
    if (def === undefined)
      throw new Error(`behaviour '${b.name}' is not exported by ${layout.modules.join(", ")}`);
    code.set(b.codeId, def.hooks);
    return {
      id: b.id,
      def,
      params: b.paramTokens.map((t) => open<Float64Array>(t)),
      chain: b.chainTokens.map(prototype),
    };
  });
  runner.setBehaviours(behaviours);
}

// The commands stay in the command area (shared memory) and their counts go in the
// control block; a message is posted only for what those cannot carry. A round without
// script errors or bad commands posts nothing and allocates nothing.
function reply(seq: number, fatal?: string): void {
  const buffer = runner.buffer;
  const errors = runner.errors;
  const post =
    fatal !== undefined || errors.length > 0 || buffer.problems.length > 0 || !buffer.inGivenArrays;
  Atomics.store(ctl, Slot.COMMANDS, buffer.count);
  Atomics.store(ctl, Slot.VALUES, buffer.valueCount);
  Atomics.store(ctl, Slot.REPLY, post ? 1 : 0);
  if (post) {
    const message: WorkerReply = {
      seq,
      errors: errors.slice(),
      problems: buffer.problems.slice(),
      ...(buffer.inGivenArrays ? {} : { records: buffer.records, values: buffer.values }),
      ...(fatal === undefined ? {} : { fatal }),
    };
    port.postMessage(message);
    runner.clearErrors(); // reported: the commit round reports only its own
  }
  Atomics.store(ctl, Slot.DONE_SEQ, seq);
  Atomics.notify(ctl, Slot.DONE_SEQ);
}

async function main(): Promise<void> {
  await install(input.layout);
  Atomics.store(ctl, Slot.STATE, WorkerState.READY);
  Atomics.notify(ctl, Slot.DONE_SEQ);
  let last = Atomics.load(ctl, Slot.CMD_SEQ);
  for (;;) {
    Atomics.wait(ctl, Slot.CMD_SEQ, last);
    const seq = Atomics.load(ctl, Slot.CMD_SEQ);
    if (seq === last) continue;
    last = seq;
    const cmd = Atomics.load(ctl, Slot.CMD);
    if (cmd === Cmd.STOP) break;
    let fatal: string | undefined;
    if (cmd === Cmd.LAYOUT) {
      const message = receiveMessageOnPort(port);
      try {
        if (message === undefined) throw new Error("no layout message arrived with the LAYOUT command");
        await install(message.message as WorldLayout);
      } catch (error) {
        fatal = error instanceof Error ? error.message : String(error);
      }
    } else if (cmd === Cmd.UPDATE) {
      // A new frame: the main thread has applied last frame's commands.
      if (runner.buffer.inGivenArrays) runner.buffer.clear();
      else runner.buffer.reset(area.records, area.values);
      runner.clearErrors();
      runtime.releaseTemps(); // last frame's temporaries end (the main thread closes frames)
      const maxEid = ctl[Slot.MAX_EID] as number;
      runner.beginFrame(
        ctl[Slot.FRAME] as number,
        f64[F64Slot.TIME] as number,
        f64[F64Slot.DT] as number,
        maxEid,
      );
      runner.prepare();
      claimChunks(work, Work.NEXT_UPDATE, maxEid, runner, false, ctl);
    } else if (cmd === Cmd.COMMIT) {
      claimChunks(work, Work.NEXT_COMMIT, ctl[Slot.MAX_EID] as number, runner, true, ctl);
    }
    reply(seq, fatal);
  }
  port.close();
}

main().catch((error: unknown) => {
  // Startup failed: say why (the main thread reads it as this worker's error), then exit.
  port.postMessage({
    seq: -1,
    errors: [],
    problems: [],
    fatal: error instanceof Error ? error.message : String(error),
  } satisfies WorkerReply);
  process.exit(70);
});
