// core_bench.cpp — attribute lookup (cache hit vs walk), object creation,
// cell operations and CAS against a mutex. Metric ids: perf/README.md.
#include <benchmark/benchmark.h>
#include <proto/runtime.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

using proto::Value;

// `leaves` objects whose attribute `speed` lives `depth` levels up.
struct Chain {
  std::vector<const proto::Object*> leaves;
  proto::Symbol speed;
};

Chain makeChain(proto::Runtime& rt, proto::Thread& t, int depth, int leaves) {
  Chain c;
  c.speed = rt.symbol("speed");
  proto::Symbol pad = rt.symbol("pad");
  const proto::Object* top = t.newObject(nullptr, {{c.speed, Value::number(2.5)}, {pad, Value::integer(0)}});
  for (int d = 1; d < depth; ++d) top = t.newObject(top, {{pad, Value::integer(d)}});
  for (int i = 0; i < leaves; ++i) c.leaves.push_back(t.newObject(top, {{pad, Value::integer(i)}}));
  return c;
}

void attrLookup(benchmark::State& state, bool cache) {
  proto::RuntimeOptions o;
  o.attributeCache = cache;
  proto::Runtime rt(o);
  proto::AttachScope scope(rt);
  proto::Thread& t = scope.thread();
  proto::HandleScope hs(t);
  Chain c = makeChain(rt, t, static_cast<int>(state.range(0)), 16);
  std::size_t i = 0;
  for (auto _ : state) {
    Value v = t.get(c.leaves[i++ & 15], c.speed);
    benchmark::DoNotOptimize(v);
  }
  if (t.get(c.leaves[0], c.speed) != Value::number(2.5)) state.SkipWithError("wrong lookup result");
}

void AttrHot(benchmark::State& state) { attrLookup(state, true); }
void AttrWalk(benchmark::State& state) { attrLookup(state, false); }

void UnorderedMapFind(benchmark::State& state) {
  std::unordered_map<std::uint32_t, std::uint64_t> m;
  for (std::uint32_t k = 0; k < 16; ++k) m[k * 7 + 1] = k;
  std::uint32_t i = 0;
  for (auto _ : state) {
    std::uint64_t v = m.find((i++ & 15) * 7 + 1)->second;
    benchmark::DoNotOptimize(v);
  }
}

void ObjectCreate4(benchmark::State& state) {
  proto::Runtime rt;
  proto::AttachScope scope(rt);
  proto::Thread& t = scope.thread();
  proto::Symbol a = rt.symbol("a"), b = rt.symbol("b"), c = rt.symbol("c"), d = rt.symbol("d");
  proto::HandleScope keep(t);
  auto parent = t.newObject(nullptr, {});
  int n = 0;
  auto* hs = new proto::HandleScope(t);
  for (auto _ : state) {
    auto o = t.newObject(
        parent, {{a, Value::number(1)}, {b, Value::number(2)}, {c, Value::integer(n)}, {d, Value::nil()}});
    benchmark::DoNotOptimize(o.get());
    if (++n % 1024 == 0) {  // drop the batch so the collector can reclaim it
      delete hs;
      hs = new proto::HandleScope(t);
    }
  }
  delete hs;
}

void CellLoad(benchmark::State& state) {
  proto::Runtime rt;
  proto::AttachScope scope(rt);
  proto::Cell cell = scope.thread().newCell(Value::number(1.5));
  for (auto _ : state) {
    Value v = cell.load();
    benchmark::DoNotOptimize(v);
  }
  scope.thread().freeCell(cell);
}

void CellStore(benchmark::State& state) {
  proto::Runtime rt;
  proto::AttachScope scope(rt);
  proto::Thread& t = scope.thread();
  proto::Cell cell = t.newCell(Value::number(0));
  std::int64_t i = 0;
  for (auto _ : state) {
    t.store(cell, Value::number(static_cast<double>(i++)));
    benchmark::ClobberMemory();
  }
  if (cell.load().asNumberUnchecked() != static_cast<double>(i - 1)) state.SkipWithError("store lost");
  t.freeCell(cell);
}

constexpr int kAddsPerThread = 2'000'000;

// Two threads incrementing their own cells by compare-and-swap: each thread
// makes an object with a mutable counter, so the cell comes from that
// thread's own cell batch (no false sharing with the other thread's).
void CasAddThreads2(benchmark::State& state) {
  proto::Runtime rt;
  proto::Symbol count = rt.symbol("count");
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> ths;
    std::atomic<std::int64_t> total{0};
    for (int k = 0; k < 2; ++k)
      ths.emplace_back([&] {
        proto::AttachScope s(rt);
        proto::Thread& t = s.thread();
        proto::HandleScope hs(t);
        auto counter = t.newObject(nullptr, {{count, Value::integer(0), true}});
        proto::Cell cell = t.cellOf(counter, count);
        for (int i = 0; i < kAddsPerThread; ++i) {
          Value cur = cell.load();
          while (!t.compareExchange(cell, cur, Value::integer(cur.asIntUnchecked() + 1))) {
          }
        }
        total.fetch_add(cell.load().asIntUnchecked());
      });
    for (auto& th : ths) th.join();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(s);
    if (total.load() != 2 * kAddsPerThread) state.SkipWithError("lost increments");
    state.counters["value"] = 2.0 * kAddsPerThread / s / 1e6;
  }
  state.SetLabel("unit=Mops/s");
}

// The same work with both counters behind one std::mutex (each counter on
// its own cache line, like the cells above).
void MutexAddThreads2(benchmark::State& state) {
  for (auto _ : state) {
    std::mutex m;
    struct alignas(64) Counter {
      std::int64_t value = 0;
    };
    Counter counters[2];
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> ths;
    for (int k = 0; k < 2; ++k)
      ths.emplace_back([&, k] {
        for (int i = 0; i < kAddsPerThread; ++i) {
          std::lock_guard lock(m);
          ++counters[k].value;
        }
      });
    for (auto& th : ths) th.join();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(s);
    benchmark::DoNotOptimize(counters);
    state.counters["value"] = 2.0 * kAddsPerThread / s / 1e6;
  }
  state.SetLabel("unit=Mops/s");
}

}  // namespace

BENCHMARK(AttrHot)->Name("native.attr.hot.depth1")->Arg(1);
BENCHMARK(AttrHot)->Name("native.attr.hot.depth8")->Arg(8);
BENCHMARK(AttrHot)->Name("native.attr.hot.depth32")->Arg(32);
BENCHMARK(AttrWalk)->Name("native.attr.walk.depth1")->Arg(1);
BENCHMARK(AttrWalk)->Name("native.attr.walk.depth8")->Arg(8);
BENCHMARK(AttrWalk)->Name("native.attr.walk.depth32")->Arg(32);
BENCHMARK(UnorderedMapFind)->Name("native.attr.unordered_map");
BENCHMARK(ObjectCreate4)->Name("native.object.create4");
BENCHMARK(CellLoad)->Name("native.cell.load");
BENCHMARK(CellStore)->Name("native.cell.store");
BENCHMARK(CasAddThreads2)->Name("native.cell.cas_add.threads2")->UseManualTime()->Iterations(1);
BENCHMARK(MutexAddThreads2)->Name("native.mutex_add.threads2")->UseManualTime()->Iterations(1);

BENCHMARK_MAIN();
