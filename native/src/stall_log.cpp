// stall_log.cpp — lock-free stall histograms and sample ring (see stall_log.h).
#include "stall_log.h"

#include <algorithm>
#include <cmath>

#include "stall.h"

namespace proto::internal {

namespace {
// Atomic max and add for doubles by compare-exchange (portable to every
// standard library the runtime builds with).
void raiseTo(std::atomic<double>& target, double value) noexcept {
  double seen = target.load(std::memory_order_relaxed);
  while (value > seen && !target.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}
void addTo(std::atomic<double>& target, double value) noexcept {
  double seen = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(seen, seen + value, std::memory_order_relaxed)) {
  }
}
}  // namespace

void StallHistogram::add(double us) noexcept {
  double scaled = std::max(us * 16.0, 1.0);  // 1/16 us resolution
  int b = static_cast<int>(std::log2(scaled) * kPerOctave);
  buckets_[std::clamp(b, 0, kBuckets - 1)].fetch_add(1, std::memory_order_relaxed);
  addTo(totalUs_, us);
  raiseTo(maxUs_, us);
}

StallStats StallHistogram::summary() const noexcept {
  std::uint64_t counts[kBuckets];
  std::uint64_t count = 0;
  for (int b = 0; b < kBuckets; ++b) count += counts[b] = buckets_[b].load(std::memory_order_relaxed);
  StallStats s;
  s.count = count;
  s.totalMs = totalUs_.load(std::memory_order_relaxed) / 1000.0;
  s.maxUs = maxUs_.load(std::memory_order_relaxed);
  auto at = [&](double fraction) {
    auto rank = static_cast<std::uint64_t>(static_cast<double>(count) * fraction);
    std::uint64_t seen = 0;
    for (int b = 0; b < kBuckets; ++b) {
      seen += counts[b];
      // The bucket's upper edge, and never above the largest stall seen.
      if (seen > rank) return std::min(s.maxUs, std::exp2(static_cast<double>(b + 1) / kPerOctave) / 16.0);
    }
    return s.maxUs;
  };
  if (count) {
    s.p50Us = at(0.5);
    s.p99Us = at(0.99);
  }
  return s;
}

StallLog::StallLog() : ring_(new Slot[kRing]) {}

void StallLog::record(const StallSample& sample) noexcept {
  std::uint64_t i = next_.fetch_add(1, std::memory_order_relaxed);
  Slot& slot = ring_[i % kRing];
  slot.sequence.store(2 * i + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  slot.startNs.store(sample.startNs, std::memory_order_relaxed);
  slot.us.store(sample.us, std::memory_order_relaxed);
  slot.meta.store(static_cast<std::uint64_t>(sample.kind) | std::uint64_t{sample.preempted} << 8 |
                      std::uint64_t{sample.thread} << 32,
                  std::memory_order_relaxed);
  slot.sequence.store(2 * i + 2, std::memory_order_release);
  all_.add(sample.us);
  byKind_[static_cast<std::size_t>(sample.kind)].add(sample.us);
}

std::vector<StallSample> StallLog::take() {
  auto lock = lockCounted(readers_);
  std::uint64_t end = next_.load(std::memory_order_acquire);
  std::uint64_t begin = std::max(taken_, end > kRing ? end - kRing : 0);
  std::vector<StallSample> out;
  out.reserve(end - begin);
  std::uint64_t i = begin;
  for (; i < end; ++i) {
    const Slot& slot = ring_[i % kRing];
    std::uint64_t before = slot.sequence.load(std::memory_order_acquire);
    if (before < 2 * i + 2) break;  // its writer has not finished: leave it and the rest for next time
    StallSample s;
    s.startNs = slot.startNs.load(std::memory_order_relaxed);
    s.us = slot.us.load(std::memory_order_relaxed);
    std::uint64_t meta = slot.meta.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (before != 2 * i + 2 || slot.sequence.load(std::memory_order_relaxed) != before)
      continue;  // overwritten by a newer sample while we read: lost to the ring's wrap
    s.kind = static_cast<StallKind>(meta & 0xff);
    s.preempted = ((meta >> 8) & 1) != 0;
    s.thread = static_cast<std::uint32_t>(meta >> 32);
    out.push_back(s);
  }
  taken_ = i;
  return out;
}

}  // namespace proto::internal
