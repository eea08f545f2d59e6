// c_api_stats.cpp — the C ABI's statistics, frames and diagnostics (proto/proto.h): GC
// statistics, frame records with their stall breakdown, stall samples and the heap
// verifier.
#define PROTO_C_API_BUILD 1
#include <algorithm>
#include <cstddef>

#include "c_api_support.h"

using namespace proto_capi;

extern "C" {

// ---- statistics -------------------------------------------------------------------

proto_status proto_runtime_gc_stats(proto_runtime* runtime, proto_gc_stats* out) {
  return guard([&] {
    need(out, "out");
    proto::GcStats s = runtimeOf(runtime).runtime.gcStats();
    proto_gc_stats r;
    std::memset(&r, 0, sizeof r);
    r.cycles = s.cycles;
    r.handshakes = s.handshakes;
    r.heap_bytes = s.heapBytes;
    r.live_bytes = s.liveBytes;
    r.allocated_bytes = s.allocatedBytes;
    r.live_objects = s.liveObjects;
    r.cells_in_use = s.cellsInUse;
    r.last_cycle_ms = s.lastCycleMs;
    r.pause_p50_us = s.pauseP50Us;
    r.pause_p99_us = s.pauseP99Us;
    r.pause_max_us = s.pauseMaxUs;
    r.pause_count = s.pauseCount;
    for (std::size_t k = 0; k < proto::kStallKinds; ++k) {
      r.stalls[k].count = s.stalls[k].count;
      r.stalls[k].total_ms = s.stalls[k].totalMs;
      r.stalls[k].p50_us = s.stalls[k].p50Us;
      r.stalls[k].p99_us = s.stalls[k].p99Us;
      r.stalls[k].max_us = s.stalls[k].maxUs;
    }
    r.frames_over_budget = s.framesOverBudget;
    r.frame_budget_ms = s.frameBudgetMs;
    *out = r;
    return PROTO_OK;
  });
}

// ---- frames -----------------------------------------------------------------------------

const char* proto_stall_kind_name(int kind) {
  if (kind < 0 || kind >= PROTO_STALL_KINDS) return "unknown";
  return proto::stallKindName(static_cast<proto::StallKind>(kind));
}

proto_status proto_frame_begin(proto_thread* t) {
  return guard([&] {
    use(t).frameBegin();
    return PROTO_OK;
  });
}

proto_status proto_frame_end(proto_thread* t, proto_frame_record* out) {
  return guard([&] {
    proto::FrameRecord f = use(t).frameEnd();
    if (out) {
      proto_frame_record r;
      std::memset(&r, 0, sizeof r);
      r.frame = f.frame;
      r.duration_ms = f.durationMs;
      r.gc_pause_ms = f.gcPauseMs;
      r.longest_pause_ms = f.longestPauseMs;
      for (std::size_t k = 0; k < proto::kStallKinds; ++k) r.stall_ms[k] = f.stallMs[k];
      r.stalls = f.stalls;
      r.handshakes = f.handshakes;
      r.budget_ms = f.budgetMs;
      r.over_budget = f.overBudget ? 1 : 0;
      r.allocation_outran_collection = f.allocationOutranCollection ? 1 : 0;
      *out = r;
    }
    return PROTO_OK;
  });
}

// ---- diagnostics --------------------------------------------------------------------

proto_status proto_runtime_take_stall_samples(proto_runtime* runtime, proto_stall_sample* buffer,
                                              size_t capacity, size_t* count_out, size_t* remaining_out) {
  return guard([&] {
    proto_runtime& rt = runtimeOf(runtime);
    need(count_out, "count_out");
    if (capacity > 0) need(buffer, "buffer (with capacity > 0)");
    std::lock_guard<std::mutex> lock(rt.samplesLock);
    std::vector<proto::StallSample> fresh = rt.runtime.takeStallSamples();
    rt.samples.insert(rt.samples.end(), fresh.begin(), fresh.end());
    size_t n = std::min(capacity, rt.samples.size());
    for (size_t i = 0; i < n; ++i) {
      const proto::StallSample& s = rt.samples[i];
      buffer[i] = proto_stall_sample{s.startNs, s.us, static_cast<int32_t>(s.kind), s.thread};
    }
    rt.samples.erase(rt.samples.begin(), rt.samples.begin() + static_cast<std::ptrdiff_t>(n));
    *count_out = n;
    if (remaining_out) *remaining_out = rt.samples.size();
    return PROTO_OK;
  });
}

proto_status proto_runtime_verify_heap(proto_runtime* runtime) {
  return guard([&] {
    runtimeOf(runtime).runtime.verifyHeap();
    return PROTO_OK;
  });
}

}  // extern "C"
