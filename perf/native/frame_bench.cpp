// frame_bench.cpp — what the collector adds to a game frame. One thread runs
// frames of about 45 us of scripting work (lookups, cell stores, 1 000
// short-lived objects, tuple pushes, a concat) every 2 ms, idling outside the
// runtime in between, beside a live heap of 64 MB or 512 MB. The same frames
// run with the collector off and on (the pacer, plus a cycle every 20 ms so
// that frames meet marking and sweeping at any heap size), in one process;
// frames the OS preempted (an involuntary context switch inside them) are left
// out, since no collector can prevent those. Both runs start with the memory
// their frames will use mapped and free. The metric is the longest quiet
// frame with collection on minus the longest with it off, at the worse of the
// two heaps. Metric ids: perf/README.md.
#include <benchmark/benchmark.h>
#include <proto/rope.h>
#include <proto/runtime.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using proto::Value;
using Clock = std::chrono::steady_clock;

bool quick() {
  const char* q = std::getenv("PROTO_BENCH_QUICK");
  return q && std::strcmp(q, "1") == 0;
}

long involuntarySwitches() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return u.ru_nivcsw;
}

struct FrameResult {
  double maxQuietUs = 0;
  std::size_t quietFrames = 0, frames = 0, cycles = 0;
};

FrameResult runFrames(std::size_t liveMB, bool collect) {
  proto::RuntimeOptions o;
  o.backgroundCollector = collect;
  o.gcStress = 0;
  proto::Runtime rt(o);
  proto::Symbol next = rt.symbol("next"), speed = rt.symbol("speed"), hp = rt.symbol("hp"),
                x = rt.symbol("x");
  proto::Persistent<proto::Object> live, proto_, entity;
  std::vector<proto::Attribute> pad;
  for (int i = 0; i < 58; ++i) pad.push_back({rt.symbol("p" + std::to_string(i)), Value::number(i)});
  pad.push_back({next, Value::nil()});
  {
    proto::AttachScope s(rt);
    proto::Thread& t = s.thread();
    proto::HandleScope hs(t);
    const proto::Object* head = nullptr;
    for (std::size_t i = 0; i < liveMB * 1024; ++i) {
      proto::HandleScope one(t);
      pad.back().value = head ? proto::objectValue(head) : Value::nil();
      head = t.newObject(nullptr, pad);
      if (i % 4096 == 0 || i + 1 == liveMB * 1024) live = proto::Persistent<proto::Object>(t, head);
    }
    const proto::Object* p = t.newObject(nullptr, {{speed, Value::number(2.5)}});
    for (int d = 0; d < 7; ++d) p = t.newObject(p, {{x, Value::integer(d)}});
    proto_ = proto::Persistent<proto::Object>(t, p);
    entity = proto::Persistent<proto::Object>(t, t.newObject(p, {{hp, Value::integer(100), true}}));
  }
  std::size_t frames = quick() ? 400 : 3000;
  {
    // Both runs start with the pages all their frames will fill already
    // mapped and free, so that neither pays first-touch page faults the other
    // does not: garbage as big as the frames will make, then one collection.
    proto::AttachScope s(rt);
    proto::Thread& t = s.thread();
    for (std::size_t i = 0; i < frames * 1100 / 256; ++i) {
      proto::HandleScope hs(t);
      for (int k = 0; k < 256; ++k) t.newObject(proto_.get(), {{x, Value::number(k)}});
    }
  }
  rt.collect();
  std::uint64_t cyclesBefore = rt.gcStats().cycles;
  // With collection on, cycles also run every 20 ms whatever the pacer says
  // (at 512 MB live it would otherwise wait for 256 MB of garbage), so that
  // frames meet every phase: marking, sweeping, handshakes.
  std::atomic<bool> stop{false};
  std::thread cycles([&] {
    while (collect && !stop.load()) {
      rt.collect();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  FrameResult r;
  {
    proto::AttachScope s(rt);
    proto::Thread& t = s.thread();
    proto::Cell cell = t.cellOf(entity.get(), hp);
    std::string label(24, 'l');
    auto due = Clock::now();
    for (std::size_t f = 0; f < frames; ++f) {
      long switchesBefore = involuntarySwitches();
      auto t0 = Clock::now();
      t.frameBegin();
      {
        proto::HandleScope hs(t);
        double sum = 0;
        for (int i = 0; i < 200; ++i) sum += t.get(entity.get(), speed).asNumberUnchecked();
        for (int i = 0; i < 200; ++i) t.store(cell, Value::integer(static_cast<std::int32_t>(f + i)));
        for (int i = 0; i < 1000; ++i) t.newObject(proto_.get(), {{x, Value::number(sum + i)}});
        auto tuple = proto::tuples::fromValues(t, {Value::integer(1)});
        for (int i = 0; i < 50; ++i) tuple = proto::tuples::pushBack(t, tuple, Value::integer(i));
        proto::strings::concat(t, proto::strings::fromUtf8(t, label), proto::strings::fromUtf8(t, "hp: 37"));
      }
      t.frameEnd();
      double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
      ++r.frames;
      if (involuntarySwitches() == switchesBefore && f >= frames / 10) {  // quiet, after warm-up
        ++r.quietFrames;
        r.maxQuietUs = std::max(r.maxQuietUs, us);
      }
      due += std::chrono::milliseconds(2);
      proto::UnmanagedScope idle(t);
      std::this_thread::sleep_until(due);
    }
  }
  stop = true;
  cycles.join();
  r.cycles = rt.gcStats().cycles - cyclesBefore;
  live.reset();
  proto_.reset();
  entity.reset();
  return r;
}

void GcOverhead(benchmark::State& state) {
  double worst = -1e300;  // may come out negative: both maxima are noisy
  for (auto _ : state) {
    for (std::size_t mb : {std::size_t{64}, std::size_t{512}}) {
      std::size_t heap = quick() && mb > 64 ? 128 : mb;
      FrameResult off = runFrames(heap, false);
      FrameResult on = runFrames(heap, true);
      std::string tag = "heap" + std::to_string(heap) + "MB_";
      state.counters[tag + "max_off_us"] = off.maxQuietUs;
      state.counters[tag + "max_on_us"] = on.maxQuietUs;
      state.counters[tag + "quiet_frames_on"] = static_cast<double>(on.quietFrames);
      state.counters[tag + "cycles_on"] = static_cast<double>(on.cycles);
      worst = std::max(worst, on.maxQuietUs - off.maxQuietUs);
    }
    state.SetIterationTime(1e-6);
  }
  state.counters["value"] = worst;
  state.SetLabel("unit=us better=lower");
}

}  // namespace

BENCHMARK(GcOverhead)
    ->Name("native.frame.gc_overhead.max_us")
    ->Iterations(1)
    ->Repetitions(1)
    ->UseManualTime();

BENCHMARK_MAIN();
