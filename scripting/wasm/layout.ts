// scripting/wasm/layout.ts — where the C ABI's structs keep their fields in wasm32
// memory, checked against the module's own answer (proto_wasm_sizes) at load time so
// a mismatch fails loudly instead of reading garbage, and the scratch memory every
// call of the wasm back end writes its out-parameters to.
import type { ProtoWasmExports } from "./module.ts";

export interface Layout {
  readonly optionsSize: number;
  readonly heapLimitOffset: number;
  readonly backgroundOffset: number;
  readonly statsHeapOffset: number;
}

/** proto_frame_record as WasmRuntime.frameEnd reads it (size, gc_pause_ms offset). */
const frameRecord = { size: 104, gcPauseOffset: 16 };

export function checkLayout(m: ProtoWasmExports): Layout {
  const out = m._malloc(64);
  m._proto_wasm_sizes(out);
  const at = (i: number) => m.HEAPU32[(out >> 2) + i] ?? 0;
  const layout: Layout = {
    optionsSize: at(0),
    heapLimitOffset: at(1),
    backgroundOffset: at(2),
    statsHeapOffset: at(8),
  };
  const frameSize = at(5);
  const frameGcPause = at(6);
  const valueOffset = at(11);
  const statsSize = at(7);
  m._free(out);
  if (statsSize > scratchBytes - statsAt)
    throw new Error(
      `proto_gc_stats is ${statsSize} bytes: more than the ${scratchBytes - statsAt} scratch bytes for it`,
    );
  if (frameSize !== frameRecord.size || frameGcPause !== frameRecord.gcPauseOffset || valueOffset !== 8) {
    throw new Error(
      `proto_wasm layout mismatch: proto_frame_record is ${frameSize} bytes (gc_pause_ms at ${frameGcPause}), ` +
        `proto_attribute.value at ${valueOffset}; scripting/wasm expects 104, 16 and 8. Rebuild with npm run build:wasm.`,
    );
  }
  return layout;
}

const scratchBytes = 1024;
const statsAt = 256;

/** Out-parameter memory of one runtime (one thread calls it at a time: the one that made it). */
export class Scratch {
  /** 8 bytes: a pointer, a status's out value, a proto_value. */
  readonly out: number;
  readonly out2: number;
  readonly depth: number;
  readonly record: number;
  readonly stats: number;

  constructor(m: ProtoWasmExports) {
    const base = m._malloc(scratchBytes);
    this.out = base;
    this.out2 = base + 8;
    this.depth = base + 16;
    this.record = base + 64;
    this.stats = base + statsAt;
  }
}
