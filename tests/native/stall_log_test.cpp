// The stall log: mutators record stalls without a lock while readers take
// them, and every sample comes out exactly once, whole; and the preemption
// probe tells a stall the scheduler stretched from one it did not.
#include "stall_log.h"

#include <gtest/gtest.h>
#include <proto/runtime.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>
#include <vector>

#include "support/test_runtime.h"
#include "thread_state.h"

namespace {

using proto::StallKind;
using proto::StallSample;

TEST(StallLog, ConcurrentWritersAndReadersSeeEverySampleExactlyOnceAndInOrder) {
  proto::internal::StallLog log;
  constexpr int kWriters = 3;
  constexpr std::uint32_t kPerWriter = 40'000;  // 120 000 in all: within the ring, nothing may be lost
  std::atomic<int> writing{kWriters};
  std::vector<StallSample> seen;
  std::thread reader([&] {
    while (writing.load() > 0) {
      auto batch = log.take();
      seen.insert(seen.end(), batch.begin(), batch.end());
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (std::uint32_t i = 0; i < kPerWriter; ++i) {
        // startNs carries the writer's own sequence number; us a value the histogram can check.
        log.record({static_cast<std::int64_t>(i), 1.0 + (i % 7),
                    static_cast<StallKind>(w % proto::kStallKinds), static_cast<std::uint32_t>(w),
                    (i & 1) != 0});
      }
      writing.fetch_sub(1);
    });
  }
  for (auto& t : writers) t.join();
  reader.join();
  auto rest = log.take();
  seen.insert(seen.end(), rest.begin(), rest.end());

  ASSERT_EQ(seen.size(), std::size_t{kWriters} * kPerWriter);
  std::map<std::uint32_t, std::int64_t> nextOf;
  for (const StallSample& s : seen) {
    ASSERT_LT(s.thread, static_cast<std::uint32_t>(kWriters));
    EXPECT_EQ(s.startNs, nextOf[s.thread]++)
        << "writer " << s.thread << "'s samples out of order or repeated";
    EXPECT_EQ(s.us, 1.0 + (s.startNs % 7)) << "a torn sample";
    EXPECT_EQ(s.kind, static_cast<StallKind>(s.thread % proto::kStallKinds));
    EXPECT_EQ(s.preempted, (s.startNs & 1) != 0);
  }
  EXPECT_EQ(log.all().count, std::uint64_t{kWriters} * kPerWriter);
  EXPECT_DOUBLE_EQ(log.all().maxUs, 7.0);
  EXPECT_TRUE(log.take().empty()) << "samples are handed out once";
}

TEST(StallLog, KeepsTheNewestSamplesWhenTheRingWrapsAndCountsThemAll) {
  proto::internal::StallLog log;
  constexpr std::int64_t kTotal = (std::int64_t{1} << 18) + 1000;
  for (std::int64_t i = 0; i < kTotal; ++i) log.record({i, 2.0, StallKind::kSweepAssist, 0, false});
  auto samples = log.take();
  ASSERT_EQ(samples.size(), std::size_t{1} << 18);
  EXPECT_EQ(samples.front().startNs, 1000) << "the oldest samples are the ones overwritten";
  EXPECT_EQ(samples.back().startNs, kTotal - 1);
  EXPECT_EQ(log.ofKind(StallKind::kSweepAssist).count, static_cast<std::uint64_t>(kTotal));
  EXPECT_EQ(log.ofKind(StallKind::kHandshake).count, 0u);
}

#ifdef __linux__
// Pins the calling thread to CPU 0 for its lifetime, then puts back the old mask.
class PinnedToCpu0 {
 public:
  PinnedToCpu0() {
    ok_ = sched_getaffinity(0, sizeof old_, &old_) == 0;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    ok_ = ok_ && sched_setaffinity(0, sizeof set, &set) == 0;
  }
  ~PinnedToCpu0() {
    if (ok_) sched_setaffinity(0, sizeof old_, &old_);
  }
  bool ok() const { return ok_; }

 private:
  cpu_set_t old_{};
  bool ok_ = false;
};

// A stall of 60 ms of spinning while another spinning thread shares its CPU
// must have been preempted (the scheduler's slice is a few milliseconds).
StallSample spinStallBesideACompetitor(bool probe) {
  proto::RuntimeOptions o = proto::testing::quietOptions();
  o.probePreemption = probe;
  proto::Runtime rt(o);
  proto::AttachScope attached(rt);
  PinnedToCpu0 pinned;
  std::atomic<bool> stop{false};
  std::thread competitor([&] {
    PinnedToCpu0 alsoPinned;
    while (!stop.load(std::memory_order_relaxed)) {
    }
  });
  rt.takeStallSamples();
  proto::internal::currentThreadState()->timedStall(StallKind::kSweepAssist, [] {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(60);
    while (std::chrono::steady_clock::now() < until) {
    }
  });
  stop = true;
  competitor.join();
  auto samples = rt.takeStallSamples();
  for (const StallSample& s : samples)
    if (s.kind == StallKind::kSweepAssist && s.us >= 50'000) return s;
  ADD_FAILURE() << "the 60 ms stall was not recorded";
  return {};
}

TEST(StallLog, TheProbeTellsAStallTheSchedulerInterruptedAndIsOffByDefault) {
  if (!PinnedToCpu0().ok()) GTEST_SKIP() << "cannot pin threads to a CPU here";
  EXPECT_TRUE(spinStallBesideACompetitor(true).preempted);
  EXPECT_FALSE(spinStallBesideACompetitor(false).preempted) << "without the probe nothing is claimed";
}
#endif

}  // namespace
