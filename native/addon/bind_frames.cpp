// bind_frames.cpp — frames.*: marking frames for the collector's pacer and
// reading each frame's GC accounting (every stall inside it, by kind).
#include <cstddef>
#include <vector>

#include "bindings.h"
#include "convert.h"
#include "errors.h"

namespace proto_addon {
namespace {

// The layout endInto() writes (scripting/native.ts, FRAME_SLOTS, mirrors it).
enum FrameSlot : std::size_t {
  kFrameNumber,
  kFrameDurationMs,
  kFrameGcPauseMs,
  kFrameLongestPauseMs,
  kFrameHandshakes,
  kFrameBudgetMs,
  kFrameOverBudget,
  kFrameStalls,
  kFrameOutran,
  kFrameStallMs,  // kStallKinds values follow
  kFrameSlots = kFrameStallMs + proto::kStallKinds,
};

Napi::Object frameObject(Napi::Env env, const proto::FrameRecord& r) {
  Napi::Object o = numbersObject(env, {{"frame", static_cast<double>(r.frame)},
                                       {"durationMs", r.durationMs},
                                       {"gcPauseMs", r.gcPauseMs},
                                       {"longestPauseMs", r.longestPauseMs},
                                       {"handshakes", static_cast<double>(r.handshakes)},
                                       {"budgetMs", r.budgetMs},
                                       {"stalls", static_cast<double>(r.stalls)}});
  o.Set("overBudget", r.overBudget);
  Napi::Object byKind = Napi::Object::New(env);
  for (std::size_t k = 0; k < proto::kStallKinds; ++k)
    byKind.Set(proto::stallKindName(static_cast<proto::StallKind>(k)), r.stallMs[k]);
  o.Set("stallMs", byKind);
  return o;
}

// Ends this environment's frame: its temporaries, then the runtime's frame.
proto::FrameRecord endFrame(Environment& e) {
  InsideRuntime inside(e);
  e.temps.release(inside.thread());
  return inside.thread().frameEnd();
}

Napi::Value Begin(Environment& e, const Napi::CallbackInfo& info) {
  InsideRuntime inside(e);
  inside.thread().frameBegin();
  return info.Env().Undefined();
}

Napi::Value End(Environment& e, const Napi::CallbackInfo& info) {
  proto::FrameRecord r = endFrame(e);
  e.reportExternalMemory(info.Env());
  return frameObject(info.Env(), r);
}

// endInto(out: Float64Array): closes the frame like end() and writes its record
// into `out` (FrameSlot order) instead of making an object: the frame driver's
// per-frame call allocates nothing on the JS heap.
Napi::Value EndInto(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "frames.endInto");
  double* out = float64Arg(info[0], kFrameSlots, "frames.endInto(out)");
  proto::FrameRecord r = endFrame(e);
  out[kFrameNumber] = static_cast<double>(r.frame);
  out[kFrameDurationMs] = r.durationMs;
  out[kFrameGcPauseMs] = r.gcPauseMs;
  out[kFrameLongestPauseMs] = r.longestPauseMs;
  out[kFrameHandshakes] = static_cast<double>(r.handshakes);
  out[kFrameBudgetMs] = r.budgetMs;
  out[kFrameOverBudget] = r.overBudget ? 1 : 0;
  out[kFrameStalls] = static_cast<double>(r.stalls);
  out[kFrameOutran] = r.allocationOutranCollection ? 1 : 0;
  for (std::size_t k = 0; k < proto::kStallKinds; ++k) out[kFrameStallMs + k] = r.stallMs[k];
  e.reportExternalMemory(info.Env());
  return info.Env().Undefined();
}

Napi::Value TakeRecords(Environment& e, const Napi::CallbackInfo& info) {
  std::vector<proto::FrameRecord> records = e.runtime().takeFrameRecords();
  Napi::Array out = Napi::Array::New(info.Env(), records.size());
  for (std::uint32_t i = 0; i < records.size(); ++i) out.Set(i, frameObject(info.Env(), records[i]));
  return out;
}

Napi::Value SetBudgetMs(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "frames.setBudgetMs");
  double ms = numberArg(info[0], "the frame budget");
  if (!(ms > 0 && ms <= 1000))
    rangeError("the frame budget must be in (0, 1000] ms, got " + formatNumber(ms));
  e.runtime().setFrameBudgetMs(ms);
  return info.Env().Undefined();
}

}  // namespace

void defineFrames(Group& frames) {
  frames.add<Begin, End, EndInto, TakeRecords, SetBudgetMs>(
      {"begin", "end", "endInto", "takeRecords", "setBudgetMs"});
}

}  // namespace proto_addon
