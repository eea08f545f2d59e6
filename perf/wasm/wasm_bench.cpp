// wasm_bench.cpp — the wasm.* metrics (perf/README.md): the same workloads as
// core_bench (attribute lookups 32 levels up, cache on and off) and gc_bench
// (every stall of two paced mutators beside a live heap), hand-timed so that
// one source builds with em++ (WebAssembly, run in Node) and with g++ (the
// native reference run beside it by perf/js/wasm.bench.mjs). Google Benchmark
// is not built for wasm, hence the plain loops.
//
// Prints one JSON object: { "metrics": { id: value, ... }, "samples": { ... } }.
// Argument: "quick" for small sizes.
#include <proto/runtime.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using proto::Value;
using Clock = std::chrono::steady_clock;

volatile std::uint64_t sink;  // keeps lookups from being optimised away

// ns per Thread::get of an attribute `depth` levels up, median of `rounds`.
double attrLookup(int depth, bool cache, int rounds, int opsPerRound) {
  proto::RuntimeOptions o;
  o.attributeCache = cache;
  o.backgroundCollector = false;
  proto::Runtime rt(o);
  proto::AttachScope scope(rt);
  proto::Thread& t = scope.thread();
  proto::HandleScope hs(t);
  proto::Symbol speed = rt.symbol("speed"), pad = rt.symbol("pad");
  const proto::Object* top = t.newObject(nullptr, {{speed, Value::number(2.5)}, {pad, Value::integer(0)}});
  for (int d = 1; d < depth; ++d) top = t.newObject(top, {{pad, Value::integer(d)}});
  std::vector<const proto::Object*> leaves;
  for (int i = 0; i < 16; ++i) leaves.push_back(t.newObject(top, {{pad, Value::integer(i)}}));
  if (t.get(leaves[0], speed) != Value::number(2.5)) {
    std::fprintf(stderr, "wrong lookup result\n");
    std::exit(1);
  }
  std::vector<double> ns;
  for (int r = 0; r < rounds + 2; ++r) {  // two warm-up rounds
    std::uint64_t acc = 0;
    auto t0 = Clock::now();
    for (int i = 0; i < opsPerRound; ++i) acc += t.get(leaves[i & 15], speed).bits();
    auto t1 = Clock::now();
    sink = acc;
    if (r >= 2) ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / opsPerRound);
  }
  std::sort(ns.begin(), ns.end());
  return ns[ns.size() / 2];
}

struct Stalls {
  std::vector<double> us;
  std::uint64_t cycles = 0;
  std::uint64_t frames = 0;  // of both mutators: 2 per ms if they keep pace
};

// gc_bench's paced scenario: `liveMB` of ~1 KiB objects in a list, the heap
// limit at 2x live + 32 MiB, two mutators running 1 ms frames, each
// allocating 64 KiB of 64-byte objects and idling outside the runtime for
// the rest of the frame; every stall of both from Runtime::takeStallSamples().
Stalls pacedStalls(std::size_t liveMB, double seconds) {
  proto::RuntimeOptions o;
  o.heapLimitBytes = liveMB * 2 * (std::size_t{1} << 20) + (std::size_t{32} << 20);
  proto::Runtime rt(o);
  proto::Symbol next = rt.symbol("next"), slot = rt.symbol("slot"), k = rt.symbol("k");
  std::vector<proto::Attribute> attrs;
  for (int i = 0; i < 58; ++i) attrs.push_back({rt.symbol("p" + std::to_string(i)), Value::number(1)});
  attrs.push_back({next, Value::nil()});
  proto::Persistent<proto::Object> root;
  {
    proto::AttachScope s(rt);
    proto::Thread& t = s.thread();
    proto::HandleScope hs(t);
    const proto::Object* head = nullptr;
    for (std::size_t i = 0; i < liveMB * 1024; ++i) {
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
  std::atomic<std::uint64_t> rounds{0};
  auto mutator = [&] {
    proto::AttachScope s(rt);
    proto::Thread& t = s.thread();
    proto::HandleScope hs(t);
    auto holder = t.newObject(nullptr, {{slot, Value::nil(), true}});
    auto frame = Clock::now();
    while (!stop.load(std::memory_order_relaxed)) {
      {
        proto::HandleScope inner(t);
        for (int j = 0; j < 1024; ++j) {
          auto g = t.newObject(nullptr, {{k, Value::integer(j)}, {slot, Value::nil(), true}});
          if ((j & 15) == 0) t.set(holder, slot, proto::objectValue(g));
        }
        t.safepoint();
      }
      rounds.fetch_add(1, std::memory_order_relaxed);
      frame += std::chrono::milliseconds(1);
      proto::UnmanagedScope idle(t);
      std::this_thread::sleep_until(frame);
    }
  };
  std::thread a(mutator), b(mutator);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true, std::memory_order_relaxed);
  a.join();
  b.join();
  Stalls r;
  for (const auto& x : rt.takeStallSamples()) r.us.push_back(x.us);
  r.frames = rounds.load(std::memory_order_relaxed);
  r.cycles = rt.gcStats().cycles - cyclesBefore;
  return r;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(static_cast<double>(v.size()) * p))];
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = argc > 1 && std::strcmp(argv[1], "quick") == 0;
  int rounds = quick ? 5 : 21, ops = quick ? 200'000 : 2'000'000;
  double hot = attrLookup(32, true, rounds, ops);
  double walk = attrLookup(32, false, rounds, ops / 4);
  Stalls s = pacedStalls(64, quick ? 1.5 : 8.0);
  if (s.us.empty()) {
    std::fprintf(stderr, "no stall was measured\n");
    return 1;
  }
  std::printf(
      "{\"metrics\":{\"attr.hot.depth32\":%.4g,\"attr.walk.depth32\":%.4g,"
      "\"gc.stall.p99_us.paced\":%.4g,\"gc.stall.max_us.paced\":%.4g},"
      "\"samples\":{\"stalls\":%zu,\"cycles\":%llu,\"frames\":%llu}}\n",
      hot, walk, percentile(s.us, 0.99), *std::max_element(s.us.begin(), s.us.end()), s.us.size(),
      static_cast<unsigned long long>(s.cycles), static_cast<unsigned long long>(s.frames));
  return 0;
}
