// core_bench.cpp — attribute lookup (cache hit vs walk, and under pressure
// against hand-written floors), object creation, cell operations and counters
// by CAS against a mutex. Metric ids: perf/README.md.
#include <benchmark/benchmark.h>
#include <proto/runtime.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
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

// A store while the collector marks, so through the barrier: a cycle over a
// 256 MB live list runs again and again on another thread, and only batches
// timed entirely inside marking count. Numbers are stored, as in
// native.cell.store, so the difference is the barrier itself (an exchange
// and a check of the old value) and nothing else.
void CellStoreMarking(benchmark::State& state) {
  proto::RuntimeOptions o;
  o.backgroundCollector = false;
  proto::Runtime rt(o);
  proto::Symbol next = rt.symbol("next");
  proto::Persistent<proto::Object> list;
  {
    proto::AttachScope s(rt);
    proto::Thread& t = s.thread();
    proto::HandleScope hs(t);
    std::vector<proto::Attribute> attrs;
    for (int i = 0; i < 60; ++i) attrs.push_back({rt.symbol("p" + std::to_string(i)), Value::number(i)});
    attrs.push_back({next, Value::nil()});
    const proto::Object* head = nullptr;
    for (int i = 0; i < 256 * 1024; ++i) {
      proto::HandleScope one(t);
      attrs.back().value = head ? proto::objectValue(head) : Value::nil();
      head = t.newObject(nullptr, attrs);
      if (i % 4096 == 0 || i == 256 * 1024 - 1) list = proto::Persistent<proto::Object>(t, head);
    }
  }
  std::atomic<bool> stop{false};
  std::thread collector([&] {
    while (!stop.load()) rt.collect();
  });
  proto::AttachScope scope(rt);
  proto::Thread& t = scope.thread();
  proto::HandleScope hs(t);
  proto::Cell cell = t.newCell(Value::number(0));
  constexpr int kBatch = 256;
  double ns = 0;
  std::int64_t stores = 0;
  for (auto _ : state) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (stores < (std::int64_t{1} << 22) && std::chrono::steady_clock::now() < until) {
      t.safepoint();  // answers the handshake that turns the barrier on
      if (rt.collectorPhase() != proto::Runtime::Phase::kMarking) continue;
      auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < kBatch; ++i) t.store(cell, Value::number(static_cast<double>(stores + i)));
      auto t1 = std::chrono::steady_clock::now();
      if (rt.collectorPhase() != proto::Runtime::Phase::kMarking) continue;
      ns += std::chrono::duration<double, std::nano>(t1 - t0).count();
      stores += kBatch;
    }
    state.SetIterationTime(ns * 1e-9 + 1e-9);
  }
  t.freeCell(cell);
  stop = true;
  {
    proto::UnmanagedScope outside(t);
    collector.join();
  }
  list.reset();
  if (stores == 0) {
    state.SkipWithError("no batch ran while the collector marked");
    return;
  }
  state.counters["value"] = ns / static_cast<double>(stores);
  state.counters["stores"] = static_cast<double>(stores);
  state.SetLabel("unit=ns/op better=lower baseline=native.cell.store");
}

constexpr int kAddsPerThread = 2'000'000;

// Runs `work(k)` on two threads started (and attached, by `work`'s setup)
// before the clock starts; returns the seconds from the start signal to the
// end of both.
template <class Setup>
double timeTwoThreads(Setup setup) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> ths;
  for (int k = 0; k < 2; ++k)
    ths.emplace_back([&, k] {
      auto work = setup(k);  // attach, make the counter: outside the timing
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      work();
    });
  while (ready.load() < 2) std::this_thread::yield();
  auto t0 = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  for (auto& th : ths) th.join();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Two threads adding 1 to a counter kAddsPerThread times each, by CAS on a
// Proto cell or under a std::mutex. `shared`: one counter for both threads
// (contended); otherwise a counter per thread on its own cache line (the cell
// from each thread's own cell batch; a mutex per counter).
void Counter(benchmark::State& state, bool shared, bool cas) {
  proto::Runtime rt;
  proto::Symbol count = rt.symbol("count");
  for (auto _ : state) {
    std::int64_t total = 0;
    double seconds;
    if (cas) {
      proto::Persistent<proto::Object> common;
      {
        proto::AttachScope s(rt);
        proto::HandleScope hs(s.thread());
        common = proto::Persistent<proto::Object>(
            s.thread(), s.thread().newObject(nullptr, {{count, Value::integer(0), true}}));
      }
      std::atomic<std::int64_t> sum{0};
      seconds = timeTwoThreads([&](int) {
        auto scope = std::make_shared<proto::AttachScope>(rt);
        proto::Thread& t = scope->thread();
        proto::Cell cell;
        std::shared_ptr<proto::Persistent<proto::Object>> own;
        if (shared) {
          cell = t.cellOf(common.get(), count);
        } else {
          proto::HandleScope hs(t);
          own = std::make_shared<proto::Persistent<proto::Object>>(
              t, t.newObject(nullptr, {{count, Value::integer(0), true}}));
          cell = t.cellOf(own->get(), count);
        }
        return [&, scope, cell, own] {
          proto::Thread& th = scope->thread();
          for (int i = 0; i < kAddsPerThread; ++i) {
            Value cur = cell.load();
            while (!th.compareExchange(cell, cur, Value::integer(cur.asIntUnchecked() + 1))) {
            }
          }
          if (!shared) sum.fetch_add(cell.load().asIntUnchecked());
        };
      });
      if (shared) {
        proto::AttachScope s(rt);
        total = s.thread().get(common.get(), count).asIntUnchecked();
      } else {
        total = sum.load();
      }
      common.reset();
    } else {
      struct alignas(64) Slot {
        std::mutex m;
        std::int64_t value = 0;
      };
      Slot slots[2];
      seconds = timeTwoThreads([&](int k) {
        Slot& slot = slots[shared ? 0 : k];
        return [&slot] {
          for (int i = 0; i < kAddsPerThread; ++i) {
            std::lock_guard lock(slot.m);
            ++slot.value;
          }
        };
      });
      total = slots[0].value + (shared ? 0 : slots[1].value);
    }
    state.SetIterationTime(seconds);
    if (total != 2 * kAddsPerThread) state.SkipWithError("lost increments");
    state.counters["value"] = 2.0 * kAddsPerThread / seconds / 1e6;
  }
  std::string baseline = std::string("native.counter.") + (shared ? "shared" : "private") + ".mutex.threads2";
  state.SetLabel(cas ? "unit=Mops/s baseline=" + baseline : "unit=Mops/s");
}

// ---- lookups under pressure: more (object, name) pairs than the cache holds

constexpr int kPressureObjects = 10'000;
constexpr int kPressureAttrs = 16;  // per object, 4 on each of its 4 levels
constexpr int kPressureDepth = 4;

std::vector<std::pair<int, int>> pressureOrder() {
  std::vector<std::pair<int, int>> order(1 << 16);
  std::uint64_t x = 88172645463325252ull;
  for (auto& [o, a] : order) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    o = static_cast<int>(x % kPressureObjects);
    a = static_cast<int>((x >> 32) % kPressureAttrs);
  }
  return order;
}

// 10 000 chains of depth 4, each level with 4 of the 16 attributes; random
// (object, attribute) reads through Thread::get.
void AttrPressure(benchmark::State& state) {
  proto::Runtime rt;
  proto::AttachScope scope(rt);
  proto::Thread& t = scope.thread();
  proto::HandleScope hs(t);
  std::vector<proto::Symbol> names;
  for (int a = 0; a < kPressureAttrs; ++a) names.push_back(rt.symbol("a" + std::to_string(a)));
  std::vector<const proto::Object*> objects;
  for (int o = 0; o < kPressureObjects; ++o) {
    const proto::Object* node = nullptr;
    for (int level = kPressureDepth - 1; level >= 0; --level) {
      std::vector<proto::Attribute> attrs;
      for (int a = level * 4; a < level * 4 + 4; ++a) attrs.push_back({names[a], Value::number(o + a)});
      node = t.newObject(node, attrs);
    }
    objects.push_back(node);
  }
  auto order = pressureOrder();
  std::size_t i = 0;
  double sum = 0;
  for (auto _ : state) {
    auto [o, a] = order[i++ & (order.size() - 1)];
    sum += t.get(objects[o], names[a]).asNumberUnchecked();
  }
  benchmark::DoNotOptimize(sum);
  state.SetLabel("baseline=native.attr.floor.struct_chain");
}

// The same shape written by hand: a struct per level, a parent pointer,
// four (name, value) pairs scanned in order.
void AttrFloorStructChain(benchmark::State& state) {
  struct Node {
    const Node* parent;
    std::uint32_t names[4];
    double values[4];
  };
  std::vector<std::unique_ptr<Node>> nodes;
  std::vector<const Node*> objects;
  for (int o = 0; o < kPressureObjects; ++o) {
    const Node* node = nullptr;
    for (int level = kPressureDepth - 1; level >= 0; --level) {
      auto n = std::make_unique<Node>();
      n->parent = node;
      for (int k = 0; k < 4; ++k) {
        n->names[k] = static_cast<std::uint32_t>(level * 4 + k);
        n->values[k] = o + level * 4 + k;
      }
      node = n.get();
      nodes.push_back(std::move(n));
    }
    objects.push_back(node);
  }
  auto order = pressureOrder();
  std::size_t i = 0;
  double sum = 0;
  for (auto _ : state) {
    auto [o, a] = order[i++ & (order.size() - 1)];
    for (const Node* n = objects[o]; n; n = n->parent) {
      int k = 0;
      while (k < 4 && n->names[k] != static_cast<std::uint32_t>(a)) ++k;
      if (k < 4) {
        sum += n->values[k];
        break;
      }
    }
  }
  benchmark::DoNotOptimize(sum);
}

// Every object's 16 attributes flattened into its own std::unordered_map.
void AttrFloorUnorderedMap(benchmark::State& state) {
  std::vector<std::unordered_map<std::uint32_t, double>> objects(kPressureObjects);
  for (int o = 0; o < kPressureObjects; ++o)
    for (int a = 0; a < kPressureAttrs; ++a) objects[o][static_cast<std::uint32_t>(a)] = o + a;
  auto order = pressureOrder();
  std::size_t i = 0;
  double sum = 0;
  for (auto _ : state) {
    auto [o, a] = order[i++ & (order.size() - 1)];
    sum += objects[o].find(static_cast<std::uint32_t>(a))->second;
  }
  benchmark::DoNotOptimize(sum);
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
BENCHMARK(CellStoreMarking)->Name("native.cell.store.marking")->Iterations(1)->UseManualTime();
BENCHMARK_CAPTURE(Counter, shared_cas, true, true)
    ->Name("native.counter.shared.cas.threads2")
    ->UseManualTime()
    ->Iterations(1);
BENCHMARK_CAPTURE(Counter, shared_mutex, true, false)
    ->Name("native.counter.shared.mutex.threads2")
    ->UseManualTime()
    ->Iterations(1);
BENCHMARK_CAPTURE(Counter, private_cas, false, true)
    ->Name("native.counter.private.cas.threads2")
    ->UseManualTime()
    ->Iterations(1);
BENCHMARK_CAPTURE(Counter, private_mutex, false, false)
    ->Name("native.counter.private.mutex.threads2")
    ->UseManualTime()
    ->Iterations(1);
BENCHMARK(AttrPressure)->Name("native.attr.pressure");
BENCHMARK(AttrFloorStructChain)->Name("native.attr.floor.struct_chain");
BENCHMARK(AttrFloorUnorderedMap)->Name("native.attr.floor.unordered_map");

BENCHMARK_MAIN();
