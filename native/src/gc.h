// gc.h — the concurrent mark-sweep collector (owner of cycles, handshakes,
// the pacer, pause statistics and the heap verifier).
//
// One cycle, as the collector thread runs it:
//   1. clear mark bits; phase := marking
//   2. handshake kBarrierOn: each thread turns on its write barrier (shades
//      the old and the new value of every reference store) and allocates black
//   3. handshake kRoots: each thread clears its attribute cache and shades
//      its handle stack; the collector shades the root table
//   4. trace until a whole kFlush handshake round hands over nothing and
//      the collector's own stack stayed empty (termination)
//   5. phase := sweeping; handshake kSweepStart: threads turn the barrier
//      off and give back their pages; the collector sweeps them
//
// Invariant 3 (no lost object; docs/architecture.md): every object reachable at the end of marking
// is marked. Roots are scanned per thread at different moments, so the
// barrier is both a deletion barrier (snapshot-at-the-beginning: whatever a
// store overwrites stays alive) and an insertion barrier (whatever a store
// publishes is shaded), on from step 2 until step 5, as in on-the-fly
// collectors of the Doligez-Leroy-Gonthier family. Objects made during
// marking are black, and their constructor shades what they reference.
//
// No thread ever waits for another: the collector waits for each thread's
// answer; a thread outside the runtime is handshaked by the collector on its
// behalf (ThreadState::status kOutside -> kHeld -> kOutside).
#pragma once

#include <proto/runtime.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime_state.h"
#include "stall_log.h"

namespace proto::internal {

class Collector {
 public:
  explicit Collector(RuntimeState& runtime);
  ~Collector();
  void startThread();
  void stopThread();

  // Asks for a cycle soon (never blocks).
  void requestCycle();
  // Runs a full cycle that starts after this call and waits for it. An
  // attached caller leaves the runtime meanwhile, so the collector answers
  // its handshakes for it.
  void collectAndWait(ThreadState* caller);
  // The pacer: called from allocation slow paths.
  void noteAllocation(std::size_t bytes);

  // A stall of a mutator thread (ThreadState::noteStall).
  void recordStall(StallKind kind, Clock::time_point start, double us, std::uint32_t thread,
                   bool preempted) noexcept;
  std::vector<StallSample> takeStallSamples();
  GcStats stats() const;
  // Stops the world and checks the heap; returns what is wrong (empty: ok).
  // Waits for a running cycle; verifications run one at a time.
  std::string verifyNow();
  std::uint64_t cyclesCompleted() const;
  // What the heap should stay under: 2 x the last cycle's live bytes + 16 MiB
  // (at most the limit). Allocators past it while a cycle runs help it.
  std::size_t heapGoal() const noexcept { return heapGoal_.load(std::memory_order_relaxed); }

  // Empty pages kept mapped after a cycle for quick reuse (2 MiB).
  static constexpr std::size_t kEmptyPagesKept = 8;

  std::atomic<std::uint64_t> flushedItems{0};  // shaded objects handed over in kFlush rounds

 private:
  void run();
  void cycle();
  void handshake(HandshakeWork work);
  void shade(HeapObject* h);
  void drain();
  void donate();  // gray objects for mark assists
  bool takeMutatorWork();
  bool noMarkWorkLeft();
  void verifyParked();
  std::string verifyLocked();  // cycleMutex_ held
  std::string verifyFailure_;  // cycleMutex_

  RuntimeState& rt_;
  std::vector<HeapObject*> gray_;
  std::vector<CellWord*> deadCells_;

  std::thread thread_;
  mutable std::mutex mutex_;  // guards the fields below
  std::condition_variable wake_;
  std::condition_variable cycleDone_;
  bool stop_ = false;
  bool requested_ = false;
  bool running_ = false;
  std::uint64_t cyclesStarted_ = 0;
  std::uint64_t cyclesDone_ = 0;
  std::mutex cycleMutex_;  // one cycle at a time (background or collect())

  std::atomic<std::size_t> allocatedSinceCycle_{0};
  std::atomic<std::size_t> triggerBytes_{0};
  std::atomic<std::size_t> heapGoal_{~std::size_t{0}};
  void pace(std::size_t live, Clock::time_point cycleStart);  // sets triggerBytes_
  Clock::time_point lastCycleStart_{};                        // the pacer's, collector thread only
  std::size_t allocatedAtLastPace_ = 0;
  double allocationRate_ = 0;    // bytes/s, moving average
  double cycleSecondsEwma_ = 0;  // how long a cycle takes

  StallLog stalls_;  // written by mutators without a lock
  // Cycle statistics: written by the collector thread, read by any thread.
  std::atomic<std::uint64_t> cycles_{0};
  std::atomic<std::uint64_t> handshakes_{0};
  std::atomic<std::size_t> liveBytes_{0};
  std::atomic<std::size_t> liveObjects_{0};
  std::atomic<double> lastCycleMs_{0};
  std::atomic<std::size_t> allocatedTotal_{0};
};

}  // namespace proto::internal
