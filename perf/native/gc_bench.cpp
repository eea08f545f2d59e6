// gc_bench.cpp — what the collector costs the game: every stall a mutator
// suffers (and the handshake service alone) with a big live heap while two
// mutators churn, paced and flat out; minimum mutator utilisation; and the
// allocation rate the collector keeps up with.
//
// One scenario per (heap size, pace) runs once and feeds all its metrics.
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

// ---- what a mutator loses: every stall, measured from its own side --------
//
// Scenario: `liveMB` of reachable objects (a list of ~1 KiB objects), the
// heap limit at 2x live, the background collector paced as it is by default,
// and two mutator threads churning short-lived objects through a cell.
//  * paced: each thread runs 1 ms frames; in each it allocates 64 KiB of
//    garbage (64 MB/s per thread, well under what the collector sustains) and
//    spends the rest of the frame outside the runtime, as a game idles.
//  * flat_out: each thread allocates as fast as it can.
// Every stall (handshakes, heap-limit waits, sweep assists, lock waits,
// re-entering) comes from Runtime::takeStallSamples().

enum class Pace { kPaced, kFlatOut };

struct StallResult {
  std::vector<double> all;          // every stall, us
  std::vector<double> handshake;    // the handshake service alone, us
  std::vector<double> unpreempted;  // the stalls the OS did not interrupt, us
  double mmu1ms = 1, mmu10ms = 1;
  std::size_t cycles = 0, heapLimitWaits = 0, liveMB = 0;
  double maxByKind[proto::kStallKinds] = {};
  std::size_t countByKind[proto::kStallKinds] = {};
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(static_cast<double>(v.size()) * p))];
}

// Minimum mutator utilisation of one thread over windows of `windowNs`
// within [beginNs, endNs]: the worst window starts where a stall starts or
// ends where one ends, so only those windows are tried.
double mmu(std::vector<proto::StallSample> s, std::int64_t windowNs, std::int64_t beginNs,
           std::int64_t endNs) {
  if (s.empty() || endNs - beginNs < windowNs) return 1;
  std::sort(s.begin(), s.end(), [](auto& a, auto& b) { return a.startNs < b.startNs; });
  auto lostIn = [&](std::int64_t from, std::int64_t to) {
    double lost = 0;
    for (const auto& x : s) {
      std::int64_t a = x.startNs, b = x.startNs + static_cast<std::int64_t>(x.us * 1000);
      if (a >= to) break;
      lost += static_cast<double>(std::max<std::int64_t>(0, std::min(b, to) - std::max(a, from)));
    }
    return lost;
  };
  double worst = 0;
  for (const auto& x : s) {
    std::int64_t a = std::clamp(x.startNs, beginNs, endNs - windowNs);
    std::int64_t e =
        std::clamp(x.startNs + static_cast<std::int64_t>(x.us * 1000), beginNs + windowNs, endNs);
    worst = std::max({worst, lostIn(a, a + windowNs), lostIn(e - windowNs, e)});
  }
  return 1 - std::min(1.0, worst / static_cast<double>(windowNs));
}

StallResult runStalls(std::size_t liveMB, Pace pace) {
  proto::RuntimeOptions o;
  o.probePreemption = true;  // tells the runtime's share of a long stall from the scheduler's
  o.heapLimitBytes = liveMB * 2 * (std::size_t{1} << 20) + (std::size_t{32} << 20);
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
  rt.takeStallSamples();
  std::uint64_t cyclesBefore = rt.gcStats().cycles;

  std::atomic<bool> stop{false};
  auto mutator = [&] {
    proto::AttachScope s(rt);
    proto::Thread& t = s.thread();
    proto::HandleScope hs(t);
    auto holder = t.newObject(nullptr, {{slot, Value::nil(), true}});
    auto frame = Clock::now();
    while (!stop.load(std::memory_order_relaxed)) {
      {
        proto::HandleScope inner(t);
        // 1 024 objects of 64 bytes: 64 KiB a round.
        for (int j = 0; j < 1024; ++j) {
          auto g = t.newObject(nullptr, {{k, Value::integer(j)}, {slot, Value::nil(), true}});
          if ((j & 15) == 0) t.set(holder, slot, proto::objectValue(g));
        }
        t.safepoint();
      }
      if (pace == Pace::kPaced) {
        frame += std::chrono::milliseconds(1);
        proto::UnmanagedScope idle(t);
        std::this_thread::sleep_until(frame);
      }
    }
  };
  auto t0 = Clock::now();
  std::thread a(mutator), b(mutator);
  double seconds = quick() ? 1.5 : (liveMB >= 1024 ? 20.0 : 12.0);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  a.join();
  b.join();
  auto t1 = Clock::now();

  std::vector<proto::StallSample> samples = rt.takeStallSamples();
  StallResult r;
  r.cycles = rt.gcStats().cycles - cyclesBefore;
  r.liveMB = rt.gcStats().liveBytes >> 20;
  std::map<std::uint32_t, std::vector<proto::StallSample>> byThread;
  for (const auto& x : samples) {
    r.all.push_back(x.us);
    if (x.kind == proto::StallKind::kHandshake) r.handshake.push_back(x.us);
    if (!x.preempted) r.unpreempted.push_back(x.us);
    if (x.kind == proto::StallKind::kHeapLimit) ++r.heapLimitWaits;
    auto k = static_cast<std::size_t>(x.kind);
    r.maxByKind[k] = std::max(r.maxByKind[k], x.us);
    ++r.countByKind[k];
    byThread[x.thread].push_back(x);
  }
  auto ns = [](Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  };
  for (auto& [id, s] : byThread) {
    r.mmu1ms = std::min(r.mmu1ms, mmu(s, 1'000'000, ns(t0), ns(t1)));
    r.mmu10ms = std::min(r.mmu10ms, mmu(s, 10'000'000, ns(t0), ns(t1)));
  }
  return r;
}

const StallResult& stallScenario(std::size_t liveMB, Pace pace) {
  static std::map<std::pair<std::size_t, int>, StallResult> cache;
  std::size_t mb = quick() && liveMB > 64 ? 256 : liveMB;
  auto key = std::make_pair(mb, static_cast<int>(pace));
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, runStalls(mb, pace)).first;
  return it->second;
}

enum class Stat { kP50, kP99, kMax, kMmu1, kMmu10 };

// Which stalls a metric is over: all of them, the handshakes alone, or those
// during which the thread kept its core (no involuntary context switch).
enum class Over { kAll, kHandshakes, kUnpreempted };

void Stall(benchmark::State& state, std::size_t liveMB, Pace pace, Stat stat, Over over) {
  const StallResult* r = nullptr;
  for (auto _ : state) {
    r = &stallScenario(liveMB, pace);
    state.SetIterationTime(1e-6);
  }
  const std::vector<double>& v = over == Over::kHandshakes    ? r->handshake
                                 : over == Over::kUnpreempted ? r->unpreempted
                                                              : r->all;
  double value = stat == Stat::kP50    ? percentile(v, 0.5)
                 : stat == Stat::kP99  ? percentile(v, 0.99)
                 : stat == Stat::kMax  ? (v.empty() ? 0 : *std::max_element(v.begin(), v.end()))
                 : stat == Stat::kMmu1 ? r->mmu1ms
                                       : r->mmu10ms;
  state.counters["value"] = value;
  state.counters["samples"] = static_cast<double>(v.size());
  state.counters["cycles"] = static_cast<double>(r->cycles);
  state.counters["heap_limit_waits"] = static_cast<double>(r->heapLimitWaits);
  state.counters["live_mb"] = static_cast<double>(r->liveMB);
  state.counters["preempted"] = static_cast<double>(r->all.size() - r->unpreempted.size());
  for (std::size_t k = 0; k < proto::kStallKinds; ++k) {
    std::string kind = proto::stallKindName(static_cast<proto::StallKind>(k));
    state.counters["max_us_" + kind] = r->maxByKind[k];
    state.counters["n_" + kind] = static_cast<double>(r->countByKind[k]);
  }
  bool isMmu = stat == Stat::kMmu1 || stat == Stat::kMmu10;
  state.SetLabel(isMmu ? "unit=fraction better=higher" : "unit=us better=lower");
  if (!isMmu && v.empty()) state.SkipWithError("no stall was measured");
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

BENCHMARK_CAPTURE(Stall, m0, 64, Pace::kPaced, Stat::kP99, Over::kAll)
    ->Name("native.gc.stall.p99_us.paced.heap64MB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, m1, 64, Pace::kPaced, Stat::kMax, Over::kAll)
    ->Name("native.gc.stall.max_us.paced.heap64MB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, m2, 64, Pace::kFlatOut, Stat::kP99, Over::kAll)
    ->Name("native.gc.stall.p99_us.flat_out.heap64MB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, m3, 64, Pace::kFlatOut, Stat::kMax, Over::kAll)
    ->Name("native.gc.stall.max_us.flat_out.heap64MB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, m4, 1024, Pace::kPaced, Stat::kP99, Over::kAll)
    ->Name("native.gc.stall.p99_us.paced.heap1GB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, m5, 1024, Pace::kPaced, Stat::kMax, Over::kAll)
    ->Name("native.gc.stall.max_us.paced.heap1GB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, m6, 1024, Pace::kFlatOut, Stat::kP99, Over::kAll)
    ->Name("native.gc.stall.p99_us.flat_out.heap1GB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, m7, 1024, Pace::kFlatOut, Stat::kMax, Over::kAll)
    ->Name("native.gc.stall.max_us.flat_out.heap1GB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, u0, 64, Pace::kPaced, Stat::kP99, Over::kUnpreempted)
    ->Name("native.gc.stall.p99_us.paced.heap64MB.unpreempted")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, u1, 64, Pace::kPaced, Stat::kMax, Over::kUnpreempted)
    ->Name("native.gc.stall.max_us.paced.heap64MB.unpreempted")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, u2, 64, Pace::kFlatOut, Stat::kP99, Over::kUnpreempted)
    ->Name("native.gc.stall.p99_us.flat_out.heap64MB.unpreempted")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, u3, 64, Pace::kFlatOut, Stat::kMax, Over::kUnpreempted)
    ->Name("native.gc.stall.max_us.flat_out.heap64MB.unpreempted")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, u4, 1024, Pace::kPaced, Stat::kP99, Over::kUnpreempted)
    ->Name("native.gc.stall.p99_us.paced.heap1GB.unpreempted")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, u5, 1024, Pace::kPaced, Stat::kMax, Over::kUnpreempted)
    ->Name("native.gc.stall.max_us.paced.heap1GB.unpreempted")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, u6, 1024, Pace::kFlatOut, Stat::kP99, Over::kUnpreempted)
    ->Name("native.gc.stall.p99_us.flat_out.heap1GB.unpreempted")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, u7, 1024, Pace::kFlatOut, Stat::kMax, Over::kUnpreempted)
    ->Name("native.gc.stall.max_us.flat_out.heap1GB.unpreempted")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, m8, 64, Pace::kPaced, Stat::kMmu1, Over::kAll)
    ->Name("native.gc.mmu.1ms.paced")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, m9, 64, Pace::kPaced, Stat::kMmu10, Over::kAll)
    ->Name("native.gc.mmu.10ms.paced")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, m10, 64, Pace::kFlatOut, Stat::kMmu1, Over::kAll)
    ->Name("native.gc.mmu.1ms.flat_out")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, m11, 64, Pace::kFlatOut, Stat::kMmu10, Over::kAll)
    ->Name("native.gc.mmu.10ms.flat_out")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, m12, 64, Pace::kFlatOut, Stat::kP50, Over::kHandshakes)
    ->Name("native.gc.handshake.p50_us.heap64MB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, m13, 64, Pace::kFlatOut, Stat::kP99, Over::kHandshakes)
    ->Name("native.gc.handshake.p99_us.heap64MB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, m14, 64, Pace::kFlatOut, Stat::kMax, Over::kHandshakes)
    ->Name("native.gc.handshake.max_us.heap64MB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, m15, 1024, Pace::kFlatOut, Stat::kP50, Over::kHandshakes)
    ->Name("native.gc.handshake.p50_us.heap1GB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, m16, 1024, Pace::kFlatOut, Stat::kP99, Over::kHandshakes)
    ->Name("native.gc.handshake.p99_us.heap1GB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK_CAPTURE(Stall, m17, 1024, Pace::kFlatOut, Stat::kMax, Over::kHandshakes)
    ->Name("native.gc.handshake.max_us.heap1GB")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();
BENCHMARK(AllocRate)->Name("native.gc.alloc_rate_mbs")->Iterations(1)->Repetitions(1)->UseManualTime();

BENCHMARK_MAIN();
