// bind_memory.cpp — memory.*: the collector (collect, verifyHeap), its
// counters (stats, statsInto) and V8's view of the memory handles pin
// (setGcHook, reportExternalMemory).
#include <cstddef>
#include <cstdint>
#include <string>

#include "bindings.h"
#include "convert.h"
#include "errors.h"

namespace proto_addon {
namespace {

// The layout statsInto() writes (STATS_SLOTS in scripting/native.ts).
enum StatsSlot : std::size_t {
  kStatsHeapBytes,
  kStatsLiveObjects,
  kStatsCycles,
  kStatsFrameBudgetMs,
  kStatsHeapLimitBytes,
  kStatsWrappers,
  kStatsWrapperBytes,
  kStatsSlots,
};

double relaxed(const std::atomic<std::int64_t>& counter) {
  return static_cast<double>(counter.load(std::memory_order_relaxed));
}

// collect(): runs one full cycle and waits for it.
Napi::Value Collect(Environment& e, const Napi::CallbackInfo& info) {
  InsideRuntime inside(e);
  e.runtime().collect();
  return info.Env().Undefined();
}

Napi::Object stallObject(Napi::Env env, const proto::StallStats& st) {
  return numbersObject(env, {{"count", static_cast<double>(st.count)},
                             {"totalMs", st.totalMs},
                             {"p50Us", st.p50Us},
                             {"p99Us", st.p99Us},
                             {"maxUs", st.maxUs}});
}

// stats(): the collector's counters plus the addon's own.
Napi::Value Stats(Environment& e, const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  proto::GcStats s = e.runtime().gcStats();
  ProcessRuntime& p = e.process();
  Napi::Object o = Napi::Object::New(env);
  o.Set("cycles", static_cast<double>(s.cycles));
  o.Set("handshakes", static_cast<double>(s.handshakes));
  o.Set("heapBytes", static_cast<double>(s.heapBytes));
  o.Set("liveBytes", static_cast<double>(s.liveBytes));
  o.Set("allocatedBytes", static_cast<double>(s.allocatedBytes));
  o.Set("liveObjects", static_cast<double>(s.liveObjects));
  o.Set("cellsInUse", static_cast<double>(s.cellsInUse));
  o.Set("lastCycleMs", s.lastCycleMs);
  o.Set("pauseP50Us", s.pauseP50Us);
  o.Set("pauseP99Us", s.pauseP99Us);
  o.Set("pauseMaxUs", s.pauseMaxUs);
  o.Set("pauseCount", static_cast<double>(s.pauseCount));
  o.Set("framesOverBudget", static_cast<double>(s.framesOverBudget));
  o.Set("frameBudgetMs", s.frameBudgetMs);
  o.Set("wrappers", relaxed(p.wrappers));
  o.Set("wrapperBytes", relaxed(p.wrapperBytes));
  o.Set("heapLimitBytes", static_cast<double>(e.runtime().options().heapLimitBytes));
  Napi::Object stalls = Napi::Object::New(env);
  for (std::size_t k = 0; k < proto::kStallKinds; ++k)
    stalls.Set(proto::stallKindName(static_cast<proto::StallKind>(k)), stallObject(env, s.stalls[k]));
  o.Set("stalls", stalls);
  o.Set("sharedTokens", static_cast<double>(p.sharedCount()));
  o.Set("attachedEnvironments", relaxed(p.attachedEnvironments));
  return o;
}

// statsInto(out: Float64Array): the few counters a frame record carries
// (StatsSlot order), without making an object.
Napi::Value StatsInto(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "memory.statsInto");
  double* out = float64Arg(info[0], kStatsSlots, "memory.statsInto(out)");
  proto::Runtime& rt = e.runtime();
  proto::GcStats s = rt.gcStats();
  out[kStatsHeapBytes] = static_cast<double>(s.heapBytes);
  out[kStatsLiveObjects] = static_cast<double>(s.liveObjects);
  out[kStatsCycles] = static_cast<double>(s.cycles);
  out[kStatsFrameBudgetMs] = s.frameBudgetMs;
  out[kStatsHeapLimitBytes] = static_cast<double>(rt.options().heapLimitBytes);
  out[kStatsWrappers] = relaxed(e.process().wrappers);
  out[kStatsWrapperBytes] = relaxed(e.process().wrapperBytes);
  return info.Env().Undefined();
}

// setGcHook(fn | null): the function that runs V8's full GC, called before an
// OutOfMemory is reported (Environment::reclaim). Per environment.
Napi::Value SetGcHook(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "memory.setGcHook");
  if (info[0].IsNull() || info[0].IsUndefined()) {
    e.gcHook.Reset();
  } else {
    if (!info[0].IsFunction())
      typeError(std::string("memory.setGcHook(fn): expected fn to be a function or null, got ") +
                typeName(info[0]));
    e.gcHook = Napi::Persistent(info[0].As<Napi::Function>());
  }
  return info.Env().Undefined();
}

// reportExternalMemory(): tells V8 now what this environment's live handles
// hold; returns [those bytes, V8's external-memory total as V8 now counts it].
Napi::Value ReportExternalMemory(Environment& e, const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::int64_t total = e.reportExternalMemory(env, true);
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, static_cast<double>(e.handleBytes()));
  out.Set(1u, static_cast<double>(total));
  return out;
}

// verifyHeap(): test support — throws if anything reachable was freed.
Napi::Value VerifyHeap(Environment& e, const Napi::CallbackInfo& info) {
  InsideRuntime inside(e);
  e.runtime().verifyHeap();
  return info.Env().Undefined();
}

}  // namespace

void defineMemory(Group& memory) {
  memory.add<Collect, Stats, StatsInto, SetGcHook, ReportExternalMemory, VerifyHeap>(
      {"collect", "stats", "statsInto", "setGcHook", "reportExternalMemory", "verifyHeap"});
}

}  // namespace proto_addon
