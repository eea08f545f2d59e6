// churn_bench.cpp — does the heap stay bounded under steady churn of every
// kind? A live set of objects, strings, tuples and large objects is kept at a
// steady size while its members are replaced as fast as one thread can; the
// metric is the peak heap over (2 x the largest live set seen + 16 MiB).
// Metric ids: perf/README.md.
#include <benchmark/benchmark.h>
#include <proto/rope.h>
#include <proto/runtime.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using proto::Value;
using Clock = std::chrono::steady_clock;

bool quick() {
  const char* q = std::getenv("PROTO_BENCH_QUICK");
  return q && std::strcmp(q, "1") == 0;
}

void ChurnHeapOverLive(benchmark::State& state) {
  double seconds = quick() ? 5.0 : 120.0;
  double ratio = 0;
  for (auto _ : state) {
    proto::Runtime rt;
    proto::AttachScope scope(rt);
    proto::Thread& t = scope.thread();
    proto::Symbol x = rt.symbol("x");
    std::vector<proto::Symbol> big;
    for (int i = 0; i < 5000; ++i) big.push_back(rt.symbol("b" + std::to_string(i)));
    // The live set: 4 096 slots of each kind, held by persistent roots.
    constexpr std::size_t kSlots = 4096;
    std::vector<proto::Persistent<proto::Object>> objects(kSlots), large(64);
    std::vector<proto::Persistent<proto::String>> strings(kSlots);
    std::vector<proto::Persistent<proto::Tuple>> tuples(kSlots);
    std::string text(600, 's');
    std::vector<Value> values(200, Value::number(1));
    std::vector<proto::Attribute> bigAttrs;
    for (proto::Symbol s : big) bigAttrs.push_back({s, Value::integer(1)});
    std::uint64_t seed = 12345;
    auto next = [&] {
      seed ^= seed << 13;
      seed ^= seed >> 7;
      seed ^= seed << 17;
      return seed;
    };
    std::size_t peak = 0, maxLive = 0, rounds = 0;
    auto until = Clock::now() + std::chrono::duration<double>(seconds);
    while (Clock::now() < until) {
      proto::HandleScope hs(t);
      for (int k = 0; k < 64; ++k) {
        std::size_t i = next() % kSlots;
        objects[i] = proto::Persistent<proto::Object>(t, t.newObject(nullptr, {{x, Value::integer(k)}}));
        auto s = proto::strings::concat(t, proto::strings::fromUtf8(t, text),
                                        proto::strings::fromUtf8(t, std::to_string(k)));
        strings[next() % kSlots] = proto::Persistent<proto::String>(t, s);
        auto tu = proto::tuples::pushBack(t, proto::tuples::fromValues(t, values), Value::integer(k));
        tuples[next() % kSlots] = proto::Persistent<proto::Tuple>(t, tu);
      }
      if (++rounds % 8 == 0)
        large[next() % large.size()] = proto::Persistent<proto::Object>(t, t.newObject(nullptr, bigAttrs));
      proto::GcStats s = rt.gcStats();
      peak = std::max(peak, s.heapBytes);
      maxLive = std::max(maxLive, s.liveBytes);
    }
    ratio = static_cast<double>(peak) / static_cast<double>(2 * maxLive + (std::size_t{16} << 20));
    state.counters["peak_heap_mb"] = static_cast<double>(peak >> 20);
    state.counters["max_live_mb"] = static_cast<double>(maxLive >> 20);
    state.counters["cycles"] = static_cast<double>(rt.gcStats().cycles);
    state.counters["seconds"] = seconds;
    state.SetIterationTime(seconds);
    for (auto* v : {&objects, &large}) v->clear();
    strings.clear();
    tuples.clear();
  }
  state.counters["value"] = ratio;
  state.SetLabel("unit=ratio better=lower");
}

}  // namespace

BENCHMARK(ChurnHeapOverLive)
    ->Name("native.gc.churn.heap_over_live")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();

BENCHMARK_MAIN();
