// stall_log.h — the runtime's record of mutator stalls (owner of the stall
// histograms and the ring of recent StallSamples).
//
// Recording a stall must never make one: a mutator records every stall it
// suffers, a lock wait's too, so record() takes no lock and allocates
// nothing. Histograms are arrays of atomic counters; the ring is an array of
// slots, each a small seqlock (an odd sequence while its writer fills it), so
// that a reader copies only slots whose writer has finished. Readers
// (GcStats, takeStallSamples) may run on any thread at any time.
#pragma once

#include <proto/runtime.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace proto::internal {

// Stalls of one kind (or all) in a log-scale histogram: 8 buckets per power
// of two from 1/16 us up, so that a percentile is within 9% and recording or
// reading costs no sort and no allocation (gcStats() is called per frame).
class StallHistogram {
 public:
  void add(double us) noexcept;
  StallStats summary() const noexcept;

 private:
  static constexpr int kPerOctave = 8, kBuckets = 8 * 32;
  std::atomic<std::uint64_t> buckets_[kBuckets] = {};
  std::atomic<double> totalUs_{0};
  std::atomic<double> maxUs_{0};
};

class StallLog {
 public:
  StallLog();
  void record(const StallSample& sample) noexcept;
  // The samples recorded since the last call (at most the newest kRing),
  // oldest first. A sample still being written when this runs is left for
  // the next call.
  std::vector<StallSample> take();
  StallStats all() const noexcept { return all_.summary(); }
  StallStats ofKind(StallKind kind) const noexcept {
    return byKind_[static_cast<std::size_t>(kind)].summary();
  }

 private:
  static constexpr std::uint64_t kRing = std::uint64_t{1} << 18;  // the newest 262 144 stalls
  struct Slot {
    std::atomic<std::uint64_t> sequence{0};  // 2i+1 while sample i is written, 2i+2 once it is
    std::atomic<std::int64_t> startNs{0};
    std::atomic<double> us{0};
    std::atomic<std::uint64_t> meta{0};  // kind | preempted << 8 | thread << 32
  };
  std::unique_ptr<Slot[]> ring_;
  std::atomic<std::uint64_t> next_{0};
  std::mutex readers_;       // one take() at a time; never taken by record()
  std::uint64_t taken_ = 0;  // guarded by readers_
  StallHistogram all_;
  StallHistogram byKind_[kStallKinds];
};

}  // namespace proto::internal
