// scripting/wasm/module.ts — loads the JS-facing wasm module (build/wasm/proto_wasm.js,
// `npm run build:wasm`) and types the part of it the wasm back end calls: libproto's C
// ABI (native/include/proto/proto.h), exported as it is. Pointers are numbers (wasm32),
// 64-bit values (proto_value) are BigInt.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

type Ptr = number;
type Status = number;

/** The C ABI functions the back end calls, as emscripten exports them. */
export interface ProtoWasmExports {
  _malloc(bytes: number): Ptr;
  _free(ptr: Ptr): void;
  _proto_version(): Ptr;
  _proto_last_error(): Ptr;
  _proto_status_name(status: Status): Ptr;
  _proto_reference_kind_of(value: bigint): number;
  _proto_runtime_options_init(options: Ptr): void;
  _proto_runtime_create(options: Ptr, out: Ptr): Status;
  _proto_runtime_destroy(runtime: Ptr): Status;
  _proto_runtime_collect(runtime: Ptr): Status;
  _proto_runtime_set_frame_budget_ms(runtime: Ptr, ms: number): Status;
  _proto_thread_attach(runtime: Ptr, out: Ptr): Status;
  _proto_thread_detach(thread: Ptr): Status;
  _proto_thread_leave(thread: Ptr): Status;
  _proto_thread_enter(thread: Ptr): Status;
  _proto_scope_open(thread: Ptr, depthOut: Ptr): Status;
  _proto_scope_close(thread: Ptr, depth: number): Status;
  _proto_symbol_intern(runtime: Ptr, name: Ptr, length: number, out: Ptr): Status;
  _proto_symbol_name(runtime: Ptr, symbol: number, nameOut: Ptr, lengthOut: Ptr): Status;
  _proto_object_new(thread: Ptr, parent: bigint, attributes: Ptr, count: number, out: Ptr): Status;
  _proto_object_with(thread: Ptr, object: bigint, name: number, value: bigint, out: Ptr): Status;
  _proto_object_parent(thread: Ptr, object: bigint, out: Ptr): Status;
  _proto_get(thread: Ptr, object: bigint, name: number, out: Ptr): Status;
  _proto_set(thread: Ptr, object: bigint, name: number, value: bigint): Status;
  _proto_numeric_block_new(thread: Ptr, type: number, count: number, out: Ptr): Status;
  _proto_numeric_block_free(thread: Ptr, block: Ptr): Status;
  _proto_string_from_utf8(thread: Ptr, utf8: Ptr, length: number, out: Ptr): Status;
  _proto_string_to_utf8(value: bigint, buffer: Ptr, capacity: number, lengthOut: Ptr): Status;
  _proto_string_concat(thread: Ptr, a: bigint, b: bigint, out: Ptr): Status;
  _proto_tuple_new(thread: Ptr, values: Ptr, count: number, out: Ptr): Status;
  _proto_tuple_length(tuple: bigint, countOut: Ptr): Status;
  _proto_tuple_at(thread: Ptr, tuple: bigint, index: number, out: Ptr): Status;
  _proto_persistent_new(thread: Ptr, value: bigint, out: Ptr): Status;
  _proto_persistent_get(thread: Ptr, persistent: Ptr, out: Ptr): Status;
  _proto_persistent_release(persistent: Ptr): Status;
  _proto_frame_begin(thread: Ptr): Status;
  _proto_frame_end(thread: Ptr, out: Ptr): Status;
  _proto_runtime_gc_stats(runtime: Ptr, out: Ptr): Status;
  _proto_wasm_sizes(out: Ptr): void;
  UTF8ToString(ptr: Ptr, maxBytes?: number): string;
  stringToUTF8(text: string, ptr: Ptr, maxBytes: number): number;
  lengthBytesUTF8(text: string): number;
  readonly HEAPU8: Uint8Array;
  readonly HEAPU32: Uint32Array;
  readonly HEAPF64: Float64Array;
  readonly HEAPU64: BigUint64Array;
  /** emscripten's thread pool: terminateAllThreads() ends the workers. */
  readonly PThread: { terminateAllThreads(): void };
}

type Factory = (overrides: Record<string, unknown>) => Promise<ProtoWasmExports>;

/** Thrown when build/wasm/proto_wasm.js is missing or cannot be loaded. */
export class WasmLoadError extends Error {
  override readonly name = "WasmLoadError";
}

/** Where proto_wasm.js is: $PROTO_WASM_PATH if set, else build/wasm/proto_wasm.js. */
export function wasmModulePath(): string {
  const fromEnv = process.env.PROTO_WASM_PATH;
  if (fromEnv !== undefined && fromEnv.length > 0) return fromEnv;
  return fileURLToPath(new URL("../../build/wasm/proto_wasm.js", import.meta.url));
}

/**
 * Instantiates a fresh copy of the module (its own memory, its own thread pool). The
 * .wasm is read here and handed over, so no fetch() happens (Node 20's fails on paths).
 */
export async function instantiateProtoWasm(): Promise<ProtoWasmExports> {
  const path = wasmModulePath();
  const binaryPath = path.replace(/\.js$/, ".wasm");
  if (!existsSync(path) || !existsSync(binaryPath)) {
    throw new WasmLoadError(
      `Proto's wasm module is not built: ${path} (and its .wasm) must exist. ` +
        "Run `npm run build:wasm` (needs emscripten: apt-get install emscripten).",
    );
  }
  const require = createRequire(import.meta.url);
  let factory: Factory;
  try {
    factory = require(path) as Factory;
  } catch (error) {
    throw new WasmLoadError(`Proto's wasm module at ${path} failed to load (${String(error)})`, {
      cause: error,
    });
  }
  if (typeof factory !== "function") throw new WasmLoadError(`${path} does not export a module factory`);
  return factory({ wasmBinary: readFileSync(binaryPath), mainScriptUrlOrBlob: path });
}
