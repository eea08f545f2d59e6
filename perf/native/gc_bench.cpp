// gc_bench.cpp — what the collector costs the game: the pause of each
// per-thread handshake with a big live heap while two mutators allocate and
// write cells, and the allocation rate the collector keeps up with.
//
// One scenario per heap size runs once and feeds its p50/p99/max metrics.
#include <benchmark/benchmark.h>
#include <proto/runtime.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <thread>
#include <vector>

namespace {

using proto::Value;
using Clock = std::chrono::steady_clock;

bool quick() {
  const char* q = std::getenv("PROTO_BENCH_QUICK");
  return q && std::strcmp(q, "1") == 0;
}

struct PauseResult {
  double p50 = 0, p99 = 0, max = 0;
  std::size_t samples = 0, cycles = 0, liveMB = 0;
};

// Builds `liveMB` of reachable objects (a list of ~1 KiB objects), then runs
// two mutator threads and back-to-back collections for `seconds`.
PauseResult runScenario(std::size_t liveMB) {
  proto::RuntimeOptions o;
  o.heapLimitBytes = liveMB * 3 * (1u << 20) + (std::size_t{512} << 20);
  proto::Runtime rt(o);
  proto::Symbol next = rt.symbol("next"), slot = rt.symbol("slot"), k = rt.symbol("k");
  std::vector<proto::Symbol> pad;
  for (int i = 0; i < 58; ++i) pad.push_back(rt.symbol("p" + std::to_string(i)));
  proto::Persistent<proto::Object> root;
  {
    proto::AttachScope s(rt);
    proto::Thread& t = s.thread();
    std::vector<proto::Attribute> attrs;
    for (proto::Symbol p : pad) attrs.push_back({p, Value::number(1)});
    attrs.push_back({next, Value::nil()});
    std::size_t count = liveMB * (1u << 20) / 1024;
    proto::HandleScope hs(t);
    const proto::Object* head = nullptr;
    for (std::size_t i = 0; i < count; ++i) {
      proto::HandleScope inner(t);
      attrs.back().value = head ? proto::objectValue(head) : Value::nil();
      head = t.newObject(nullptr, attrs);
      root = proto::Persistent<proto::Object>(t, head);
    }
  }
  rt.collect();
  rt.takePauseSamples();
  std::uint64_t cyclesBefore = rt.gcStats().cycles;

  std::atomic<bool> stop{false};
  auto mutator = [&] {
    proto::AttachScope s(rt);
    proto::Thread& t = s.thread();
    proto::HandleScope hs(t);
    auto holder = t.newObject(nullptr, {{slot, Value::nil(), true}});
    for (int i = 0; !stop.load(std::memory_order_relaxed); ++i) {
      proto::HandleScope inner(t);
      for (int j = 0; j < 64; ++j) {
        auto g = t.newObject(nullptr, {{k, Value::integer(j)}, {slot, Value::nil(), true}});
        t.set(holder, slot, proto::objectValue(g));
      }
      t.safepoint();
    }
  };
  std::thread a(mutator), b(mutator);
  double seconds = quick() ? 1.0 : (liveMB >= 1024 ? 12.0 : 4.0);
  auto until = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < until) rt.collect();
  stop = true;
  a.join();
  b.join();

  std::vector<double> s = rt.takePauseSamples();
  PauseResult r;
  r.samples = s.size();
  r.cycles = rt.gcStats().cycles - cyclesBefore;
  r.liveMB = rt.gcStats().liveBytes >> 20;
  if (!s.empty()) {
    std::sort(s.begin(), s.end());
    r.p50 = s[s.size() / 2];
    r.p99 = s[std::min(s.size() - 1, s.size() * 99 / 100)];
    r.max = s.back();
  }
  return r;
}

const PauseResult& scenario(std::size_t liveMB) {
  static std::map<std::size_t, PauseResult> cache;
  auto it = cache.find(liveMB);
  if (it == cache.end()) it = cache.emplace(liveMB, runScenario(quick() && liveMB > 64 ? 256 : liveMB)).first;
  return it->second;
}

void Pause(benchmark::State& state, std::size_t liveMB, int which) {
  const PauseResult* r = nullptr;
  for (auto _ : state) {
    r = &scenario(liveMB);
    state.SetIterationTime(1e-6);
  }
  double v = which == 0 ? r->p50 : which == 1 ? r->p99 : r->max;
  state.counters["value"] = v;
  state.counters["samples"] = static_cast<double>(r->samples);
  state.counters["cycles"] = static_cast<double>(r->cycles);
  state.counters["live_mb"] = static_cast<double>(r->liveMB);
  state.SetLabel("unit=us better=lower");
  if (r->samples == 0) state.SkipWithError("no handshake was measured");
}

void AllocRate(benchmark::State& state) {
  proto::Runtime rt;
  proto::Symbol a = rt.symbol("a"), b = rt.symbol("b");
  proto::AttachScope s(rt);
  proto::Thread& t = s.thread();
  double mbs = 0;
  for (auto _ : state) {
    std::size_t objects = 0;
    auto t0 = Clock::now();
    double seconds = quick() ? 0.3 : 2.0;
    std::size_t peak = 0;
    while (std::chrono::duration<double>(Clock::now() - t0).count() < seconds) {
      proto::HandleScope hs(t);
      for (int i = 0; i < 4096; ++i) t.newObject(nullptr, {{a, Value::integer(i)}, {b, Value::nil()}});
      objects += 4096;
      peak = std::max(peak, rt.gcStats().heapBytes);
    }
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    state.SetIterationTime(secs);
    mbs = static_cast<double>(objects) * 64 / secs / 1e6;  // 2 attributes: 64-byte slots
    state.counters["peak_heap_mb"] = static_cast<double>(peak >> 20);
  }
  state.counters["value"] = mbs;
  state.SetLabel("unit=MB/s");
}

}  // namespace

BENCHMARK_CAPTURE(Pause, p50_64, 64, 0)
    ->Name("native.gc.stw.p50_us.heap64MB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Pause, p99_64, 64, 1)
    ->Name("native.gc.stw.p99_us.heap64MB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Pause, max_64, 64, 2)
    ->Name("native.gc.stw.max_us.heap64MB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Pause, p50_1g, 1024, 0)
    ->Name("native.gc.stw.p50_us.heap1GB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Pause, p99_1g, 1024, 1)
    ->Name("native.gc.stw.p99_us.heap1GB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Pause, max_1g, 1024, 2)
    ->Name("native.gc.stw.max_us.heap1GB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK(AllocRate)->Name("native.gc.alloc_rate_mbs")->Iterations(1)->Repetitions(1)->UseManualTime();

BENCHMARK_MAIN();
