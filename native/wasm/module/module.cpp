// module.cpp — the JS-facing wasm module (proto_wasm.js + .wasm): libproto's C
// ABI (proto/proto.h), exported as it is (module/exports.txt) for
// scripting/wasm/ to call. The one function of its own tells JavaScript the
// layout of the structs it reads from memory, so that a mismatch is caught at
// load time instead of read as garbage.
#include <proto/proto.h>

#include <cstddef>
#include <cstdint>

extern "C" {

// Sizes and offsets JavaScript relies on (scripting/wasm/layout.ts checks them).
__attribute__((used)) void proto_wasm_sizes(std::uint32_t* out) {
  out[0] = sizeof(proto_runtime_options);
  out[1] = offsetof(proto_runtime_options, heap_limit_bytes);
  out[2] = offsetof(proto_runtime_options, background_collector);
  out[3] = sizeof(proto_lookup);
  out[4] = offsetof(proto_lookup, value);
  out[5] = sizeof(proto_frame_record);
  out[6] = offsetof(proto_frame_record, gc_pause_ms);
  out[7] = sizeof(proto_gc_stats);
  out[8] = offsetof(proto_gc_stats, heap_bytes);
  out[9] = sizeof(proto_numeric_block);
  out[10] = sizeof(proto_attribute);
  out[11] = offsetof(proto_attribute, value);
}
}
