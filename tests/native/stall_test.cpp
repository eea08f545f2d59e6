// Stall accounting: every interval a thread is held up by memory management
// is counted, with its kind, in the frame that suffered it and in the
// runtime's statistics; and the heap stays bounded under churn of every kind.
#include <gtest/gtest.h>
#include <proto/rope.h>
#include <proto/runtime.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/test_runtime.h"

namespace {

using proto::StallKind;
using proto::Value;

double stallMs(const proto::FrameRecord& r, StallKind kind) {
  return r.stallMs[static_cast<std::size_t>(kind)];
}

TEST(Stalls, AHeapLimitWaitIsChargedToTheFrameThatSufferedItWithItsKind) {
  proto::RuntimeOptions o;
  o.heapLimitBytes = 8 << 20;
  o.backgroundCollector = false;
  o.gcStress = 0;  // fills the heap: a verified cycle per safepoint would take hours
  proto::Runtime rt(o);
  proto::AttachScope scope(rt);
  proto::Thread& t = scope.thread();
  proto::Symbol x = rt.symbol("x");
  t.frameBegin();
  {
    // Garbage past the limit: the allocation that hits it waits for a cycle.
    for (int i = 0; i < 400'000; ++i) {
      proto::HandleScope hs(t);
      t.newObject(nullptr, {{x, Value::integer(i)}});
    }
  }
  proto::FrameRecord r = t.frameEnd();
  EXPECT_GT(stallMs(r, StallKind::kHeapLimit), 0.0);
  EXPECT_TRUE(r.allocationOutranCollection) << "the reason is recorded with the frame";
  EXPECT_GE(r.stalls, 1u);
  double sum = 0;
  for (double ms : r.stallMs) sum += ms;
  EXPECT_NEAR(r.gcPauseMs, sum, 1e-9) << "gcPauseMs is the sum of every kind";
  EXPECT_GE(r.gcPauseMs, r.longestPauseMs);
  proto::GcStats s = rt.gcStats();
  EXPECT_GE(s.stalls[static_cast<std::size_t>(StallKind::kHeapLimit)].count, 1u);
  EXPECT_GT(s.stalls[static_cast<std::size_t>(StallKind::kHeapLimit)].totalMs, 0.0);
  EXPECT_GE(s.pauseCount, s.stalls[static_cast<std::size_t>(StallKind::kHeapLimit)].count);
}

TEST(Stalls, TheHandshakeAnsweredAtFrameBeginIsCountedInThatFrame) {
  proto::Runtime rt(proto::testing::quietOptions());
  proto::AttachScope scope(rt);
  proto::Thread& t = scope.thread();
  // A cycle run by another thread while this one is inside the runtime
  // leaves handshakes pending for it; frameBegin answers the first.
  std::thread other([&] { rt.collect(); });
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::uint32_t handshakes = 0;
  while (std::chrono::steady_clock::now() < until) {
    t.frameBegin();
    proto::FrameRecord r = t.frameEnd();
    handshakes += r.handshakes;
    if (handshakes > 0) {
      EXPECT_GT(stallMs(r, StallKind::kHandshake), 0.0);
      break;
    }
  }
  {
    proto::UnmanagedScope outside(t);  // the rest of the cycle is answered for us
    other.join();
  }
  EXPECT_GT(handshakes, 0u) << "no handshake was ever answered inside a frame";
}

TEST(Stalls, EveryStallIsASampleWithItsThreadAndKind) {
  proto::RuntimeOptions o = proto::testing::quietOptions();
  o.gcStress = 0;  // one cycle, run by the other thread
  proto::Runtime rt(o);
  rt.takeStallSamples();
  {
    proto::AttachScope scope(rt);
    std::atomic<bool> done{false};
    std::thread other([&] {
      rt.collect();  // a cycle handshakes the attached thread
      done = true;
    });
    while (!done) scope.thread().safepoint();
    other.join();
  }
  std::vector<proto::StallSample> samples = rt.takeStallSamples();
  ASSERT_FALSE(samples.empty());
  for (const auto& s : samples) {
    EXPECT_GE(s.us, 0.0);
    EXPECT_GT(s.startNs, 0);
    EXPECT_EQ(s.thread, samples.front().thread) << "one attached thread, one id";
    EXPECT_STRNE(proto::stallKindName(s.kind), "?");
  }
  EXPECT_TRUE(rt.takeStallSamples().empty()) << "samples are handed out once";
}

// ---- bounded memory under churn of every kind -------------------------------

// Churns one kind of garbage with a small live set. Two checks, neither of
// which a busy machine can fail by starving the collector thread for a while:
// right after every cycle the heap is within 2 x live + 16 MiB (the bound of
// the issue), and the heap does not grow over the run (the old defect: heap
// 156 -> 251 MB while the live set stayed flat). The benchmark
// native.gc.churn.heap_over_live measures the true peak.
template <class Make>
void expectBoundedChurn(Make make, int rounds) {
  proto::RuntimeOptions o;
  o.gcTriggerBytes = 2 << 20;
  o.gcStress = 0;  // long churn: measured without stress mode
  proto::Runtime rt(o);
  proto::AttachScope scope(rt);
  proto::Thread& t = scope.thread();
  std::size_t worstAfterCycle = 0, worstLive = 0, cycles = 0, peakEarly = 0, peakLate = 0;
  for (int i = 0; i < rounds; ++i) {
    proto::HandleScope hs(t);
    make(t, i);
    t.safepoint();
    proto::GcStats s = rt.gcStats();
    if (s.cycles != cycles) {
      cycles = s.cycles;
      if (cycles > 1) worstAfterCycle = std::max(worstAfterCycle, s.heapBytes);
      worstLive = std::max(worstLive, s.liveBytes);
    }
    if (i < rounds / 3) peakEarly = std::max(peakEarly, s.heapBytes);
    if (i >= rounds * 2 / 3) peakLate = std::max(peakLate, s.heapBytes);
  }
  ASSERT_GE(cycles, 3u) << "the churn ran too few cycles to tell";
  std::size_t bound = 2 * worstLive + (std::size_t{16} << 20);
  EXPECT_LE(worstAfterCycle, bound) << "heap after a cycle " << (worstAfterCycle >> 20)
                                    << " MiB, live at most " << (worstLive >> 20) << " MiB";
  EXPECT_LE(peakLate, peakEarly + peakEarly / 2 + (std::size_t{8} << 20))
      << "the heap grew over the run: " << (peakEarly >> 20) << " MiB early, " << (peakLate >> 20)
      << " MiB late";
}

TEST(BoundedChurn, ObjectsKeepTheHeapBounded) {
  expectBoundedChurn(
      [](proto::Thread& t, int i) {
        proto::Symbol x = t.runtime().symbol("x");
        for (int j = 0; j < 2000; ++j) t.newObject(nullptr, {{x, Value::integer(i + j)}});
      },
      2000);
}

TEST(BoundedChurn, RopesKeepTheHeapBounded) {
  std::string text(700, 'r');
  expectBoundedChurn(
      [&](proto::Thread& t, int i) {
        auto a = proto::strings::fromUtf8(t, text);
        auto b = proto::strings::fromUtf8(t, std::to_string(i));
        auto c = proto::strings::concat(t, a, b);
        for (int j = 0; j < 100; ++j) c = proto::strings::concat(t, c, (j & 1) ? a : b);
        proto::strings::slice(t, c, 3, proto::strings::length(c) - 3);
      },
      3000);
}

TEST(BoundedChurn, TuplesKeepTheHeapBounded) {
  expectBoundedChurn(
      [](proto::Thread& t, int i) {
        std::vector<Value> values(300, Value::number(i));
        auto a = proto::tuples::fromValues(t, values);
        for (int j = 0; j < 100; ++j) a = proto::tuples::pushBack(t, a, Value::integer(j));
        a = proto::tuples::concat(t, a, a);
        proto::tuples::slice(t, a, 1, 500);
      },
      3000);
}

TEST(BoundedChurn, LargeObjectsKeepTheHeapBounded) {
  expectBoundedChurn(
      [](proto::Thread& t, int i) {
        std::vector<proto::Attribute> attrs;  // 5 000 attributes: an 80 KiB large object
        for (int j = 0; j < 5000; ++j)
          attrs.push_back({t.runtime().symbol("a" + std::to_string(j)), Value::integer(i)});
        t.newObject(nullptr, attrs);
      },
      3000);
}

}  // namespace

namespace {

TEST(NoThreadWaitsForAnother, AttachAndDetachDoNotWaitForAHandshakeRound) {
  // One attached thread runs 1 s without a safepoint, so the round the
  // collector starts meanwhile waits for it; threads attaching and detaching
  // in that second must not.
  proto::RuntimeOptions o;
  o.gcStress = 0;
  proto::Runtime rt(o);
  std::atomic<bool> busy{false};
  std::thread slow([&] {
    proto::AttachScope scope(rt);
    busy = true;
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    volatile std::uint64_t spin = 0;
    while (std::chrono::steady_clock::now() < until) spin = spin + 1;  // no safepoint
    scope.thread().safepoint();
  });
  while (!busy) std::this_thread::yield();
  std::atomic<bool> collected{false};
  std::thread collector([&] {
    rt.collect();
    collected = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the round is waiting for `slow`
  double longestMs = 0;
  for (int i = 0; i < 5; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    {
      proto::AttachScope scope(rt);
      proto::HandleScope hs(scope.thread());
      scope.thread().newObject(nullptr, {});
    }
    longestMs = std::max(
        longestMs, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  // The cycle cannot have ended: its round is still waiting for `slow`.
  EXPECT_FALSE(collected.load()) << "the round was not in progress while the threads attached";
  slow.join();
  collector.join();
  EXPECT_LT(longestMs, 300.0)
      << "an attach/detach waited for the round (the old code took about 900 ms here)";
}

}  // namespace

namespace {

TEST(MarkAssists, AThreadThatAllocatesWhileTheCollectorMarksDoesMarkingWork) {
  proto::RuntimeOptions o;
  o.gcStress = 0;
  o.backgroundCollector = false;  // the cycle below is the only one
  proto::Runtime rt(o);
  proto::Symbol x = rt.symbol("x");
  std::vector<proto::Symbol> slots;
  for (int i = 0; i < 200; ++i) slots.push_back(rt.symbol("s" + std::to_string(i)));
  proto::Persistent<proto::Object> root;
  {
    // A wide live graph (a root over 2 000 nodes of 200 leaves each), so the
    // collector has gray objects to spare.
    proto::AttachScope scope(rt);
    proto::Thread& t = scope.thread();
    proto::HandleScope hs(t);
    std::vector<proto::Attribute> nodes;
    for (int n = 0; n < 2000; ++n) {
      std::vector<proto::Attribute> leaves;
      for (int i = 0; i < 200; ++i)
        leaves.push_back({slots[i], proto::objectValue(t.newObject(nullptr, {{x, Value::integer(i)}}))});
      nodes.push_back({rt.symbol("n" + std::to_string(n)), proto::objectValue(t.newObject(nullptr, leaves))});
    }
    root = proto::Persistent<proto::Object>(t, t.newObject(nullptr, nodes));
  }
  // On a busy machine one cycle may end before the allocating thread needs a
  // page; a few cycles give it every chance.
  auto assistCount = [&] {
    return rt.gcStats().stalls[static_cast<std::size_t>(StallKind::kMarkAssist)].count;
  };
  {
    proto::AttachScope scope(rt);
    proto::Thread& t = scope.thread();
    for (int cycle = 0; cycle < 10 && assistCount() == 0; ++cycle) {
      std::atomic<bool> done{false};
      std::thread collector([&] {
        rt.collect();
        done = true;
      });
      while (!done) {
        proto::HandleScope hs(t);
        for (int i = 0; i < 256; ++i) t.newObject(nullptr, {{x, Value::integer(i)}});
      }
      collector.join();
    }
  }
  proto::StallStats assists = rt.gcStats().stalls[static_cast<std::size_t>(StallKind::kMarkAssist)];
  EXPECT_GT(assists.count, 0u) << "the allocating thread never traced anything";
  EXPECT_GT(assists.totalMs, 0.0);
  rt.verifyHeap();  // and everything reachable survived
  EXPECT_GE(rt.gcStats().liveObjects, 2000u * 201u + 1u);
  root.reset();
}

}  // namespace
