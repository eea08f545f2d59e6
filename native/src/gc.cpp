// gc.cpp — the concurrent mark-sweep collector (see gc.h for the cycle and
// its invariant).
#include "gc.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_set>

#include "trace.h"

namespace proto::internal {

namespace {
double microsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}
}  // namespace

Collector::Collector(RuntimeState& runtime) : rt_(runtime) {
  triggerBytes_.store(runtime.options.gcTriggerBytes, std::memory_order_relaxed);
}

Collector::~Collector() { stopThread(); }

void Collector::startThread() {
  thread_ = std::thread([this] { run(); });
}

void Collector::stopThread() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Collector::requestCycle() {
  {
    std::lock_guard lock(mutex_);
    if (requested_) return;
    requested_ = true;
  }
  wake_.notify_one();
}

void Collector::noteAllocation(std::size_t bytes) {
  allocatedTotal_.fetch_add(bytes, std::memory_order_relaxed);
  std::size_t since = allocatedSinceCycle_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  if (since >= triggerBytes_.load(std::memory_order_relaxed) && rt_.options.backgroundCollector)
    requestCycle();
}

void Collector::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || requested_; });
    if (stop_) return;
    requested_ = false;
    lock.unlock();
    cycle();
    lock.lock();
  }
}

void Collector::collectAndWait(ThreadState* caller) {
  auto wait = [&] {
    if (!rt_.options.backgroundCollector) {
      cycle();
      return;
    }
    std::unique_lock lock(mutex_);
    // A cycle already running may have scanned roots before the caller's
    // latest changes; wait for one that starts after now.
    std::uint64_t target = cyclesStarted_ + 1;
    requested_ = true;
    wake_.notify_one();
    cycleDone_.wait(lock, [&] { return cyclesDone_ >= target || stop_; });
  };
  if (caller) {
    rt_.leave(*caller);
    try {
      wait();
    } catch (...) {
      rt_.enter(*caller);
      throw;
    }
    rt_.enter(*caller);
  } else {
    wait();
  }
}

void Collector::handshake(HandshakeWork work) {
  // The verifier's park holds the threads lock throughout (nobody attaches
  // while the world is checked); every other round holds it only to start.
  std::unique_lock threadsLock(rt_.threadsMutex);
  rt_.reapDetached();  // no snapshot of an earlier round is alive any more
  rt_.handshakeWork.store(work, std::memory_order_relaxed);
  std::uint64_t epoch = rt_.handshakeRequest.load(std::memory_order_relaxed) + 1;
  rt_.handshakeRequest.store(epoch, std::memory_order_release);
  if (work == HandshakeWork::kBarrierOn) rt_.barrierWanted = true;
  if (work == HandshakeWork::kSweepStart) rt_.barrierWanted = false;
  std::vector<ThreadState*> round = rt_.threads;
  rt_.roundInProgress = true;
  if (work != HandshakeWork::kPark) threadsLock.unlock();

  std::vector<ThreadState*> held;
  for (ThreadState* t : round) {
    for (unsigned spins = 0;; ++spins) {
      if (t->acked.load(std::memory_order_acquire) >= epoch) break;
      int status = t->status.load(std::memory_order_acquire);
      if (status == kDetached) break;  // it left; its state is its own
      int expected = kOutside;
      if (status == kOutside &&
          t->status.compare_exchange_strong(expected, kHeld, std::memory_order_acquire)) {
        // The thread is outside the runtime: do its part for it.
        if (t->acked.load(std::memory_order_relaxed) < epoch) {
          rt_.performHandshake(*t, work);
          t->thread->handshakeAck_ = epoch;
          t->acked.store(epoch, std::memory_order_release);
        }
        if (work == HandshakeWork::kPark)
          held.push_back(t);  // stays held until the verifier is done
        else
          t->status.store(kOutside, std::memory_order_release);
        break;
      }
      if (spins < 64)
        std::this_thread::yield();
      else
        std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
  handshakes_.fetch_add(round.size(), std::memory_order_relaxed);
  if (work == HandshakeWork::kPark) {
    verifyParked();
    rt_.parkReleased.store(epoch, std::memory_order_release);
    for (ThreadState* t : held) t->status.store(kOutside, std::memory_order_release);
  }
  if (!threadsLock.owns_lock()) threadsLock.lock();
  rt_.roundInProgress = false;
}

void Collector::shade(HeapObject* h) {
  if (Page::of(h)->tryMark(h)) gray_.push_back(h);
}

bool Collector::takeMutatorWork() {
  bool any = false;
  MarkChunk* chunk = rt_.markChunks.exchange(nullptr, std::memory_order_seq_cst);
  while (chunk) {
    MarkChunk* next = chunk->next;
    // Mutators already set these objects' mark bits; trace them.
    gray_.insert(gray_.end(), chunk->items, chunk->items + chunk->count);
    any = any || chunk->count > 0;
    delete chunk;
    chunk = next;
  }
  std::lock_guard lock(rt_.orphanMutex);
  if (!rt_.orphanShades.empty()) {
    gray_.insert(gray_.end(), rt_.orphanShades.begin(), rt_.orphanShades.end());
    rt_.orphanShades.clear();
    any = true;
  }
  return any;
}

void Collector::drain() {
  do {
    std::size_t traced = 0;
    while (!gray_.empty()) {
      HeapObject* h = gray_.back();
      gray_.pop_back();
      forEachReference(h, [&](HeapObject* child) { shade(child); });
      if ((++traced & 1023) == 0 && rt_.assistWanted.load(std::memory_order_relaxed)) donate();
    }
  } while (takeMutatorWork());
}

void Collector::donate() {
  rt_.assistWanted.store(false, std::memory_order_relaxed);
  // Half the gray stack, in chunks, for threads that want to assist.
  std::size_t give = gray_.size() / 2;
  while (give >= MarkChunk::kCapacity / 2) {
    auto* chunk = new MarkChunk;
    std::size_t n = std::min(give, MarkChunk::kCapacity);
    std::copy(gray_.end() - static_cast<std::ptrdiff_t>(n), gray_.end(), chunk->items);
    chunk->count = n;
    gray_.resize(gray_.size() - n);
    give -= n;
    rt_.pushMarkChunk(chunk);
  }
}

bool Collector::noMarkWorkLeft() {
  // Marking is over when nothing is gray anywhere. An assist holds gray
  // objects privately between taking chunks and giving back what is left,
  // so besides finding no work, no assist may be in flight, nor start while
  // we look (the seq_cst counters and exchanges order both sides).
  std::uint64_t started = rt_.assistsStarted.load(std::memory_order_seq_cst);
  if (rt_.assistsInFlight.load(std::memory_order_seq_cst) != 0) return false;
  if (takeMutatorWork() || !gray_.empty()) return false;
  return rt_.assistsStarted.load(std::memory_order_seq_cst) == started;
}

void Collector::cycle() {
  std::lock_guard cycleLock(cycleMutex_);
  {
    std::lock_guard lock(mutex_);
    ++cyclesStarted_;
    running_ = true;
  }
  auto t0 = Clock::now();
  allocatedSinceCycle_.store(0, std::memory_order_relaxed);

  // --- mark ---
  rt_.heap.clearAllMarks();
  rt_.phase.store(GcPhase::kMarking, std::memory_order_release);
  handshake(HandshakeWork::kBarrierOn);
  handshake(HandshakeWork::kRoots);
  rt_.roots.forEach([&](CellWord& slot) {
    Value v = Value::fromBits(slot.load(std::memory_order_acquire));
    if (v.isReference()) shade(v.asReferenceUnchecked());
  });
  for (;;) {
    drain();
    std::uint64_t before = flushedItems.load(std::memory_order_acquire);
    handshake(HandshakeWork::kFlush);
    bool quiet = flushedItems.load(std::memory_order_acquire) == before;
    if (quiet && noMarkWorkLeft()) {
      std::lock_guard lock(rt_.orphanMutex);
      if (rt_.orphanShades.empty()) {
        rt_.phase.store(GcPhase::kSweeping, std::memory_order_release);
        break;
      }
    }
  }

  // --- sweep ---
  rt_.heap.beginSweep();
  handshake(HandshakeWork::kSweepStart);
  {
    // Marking is over, so no gray object may be left anywhere; a chunk left
    // here would be traced blindly by the next cycle.
    MarkChunk* left = rt_.markChunks.exchange(nullptr, std::memory_order_seq_cst);
    PROTO_ASSERT(left == nullptr, "mark work left over after marking ended");
    while (left) {
      MarkChunk* next = left->next;
      delete left;
      left = next;
    }
  }
  auto finalize = [&](HeapObject* h) {
    forEachOwnedCell(h, [&](CellWord* c) { deadCells_.push_back(c); });
    if (deadCells_.size() >= 4096) rt_.cells.giveBack(deadCells_);
  };
  while (rt_.heap.sweepOne(finalize)) {
  }
  rt_.heap.waitForSweepAssists();  // threads may still be sweeping a page each
  if (!deadCells_.empty()) rt_.cells.giveBack(deadCells_);
  std::size_t live = rt_.heap.sweepTotals().liveBytes.load(std::memory_order_relaxed);
  std::size_t liveObjects = rt_.heap.sweepTotals().liveObjects.load(std::memory_order_relaxed);
  rt_.phase.store(GcPhase::kIdle, std::memory_order_release);

  pace(live, t0);
  liveBytes_.store(live, std::memory_order_relaxed);
  liveObjects_.store(liveObjects, std::memory_order_relaxed);
  lastCycleMs_.store(microsSince(t0) / 1000.0, std::memory_order_relaxed);
  cycles_.fetch_add(1, std::memory_order_release);
  // Empty pages the churn does not need go back to the OS.
  rt_.heap.releaseIdlePages(kEmptyPagesKept, heapGoal());
  if (rt_.options.gcStress > 0) {
    std::string failure = verifyLocked();
    if (!failure.empty()) {
      std::fprintf(stderr, "proto: GC stress: heap verification failed after cycle %llu: %s\n",
                   static_cast<unsigned long long>(cycles_.load()), failure.c_str());
      std::abort();
    }
  }
  {
    std::lock_guard lock(mutex_);
    ++cyclesDone_;
    running_ = false;
  }
  cycleDone_.notify_all();
}

// The pacer. By default the next cycle starts after max(gcTriggerBytes,
// live / 2) new bytes. But it must also start early enough that the threads,
// allocating at the rate measured over the last cycles, do not reach the
// heap limit before it ends: the trigger is at most the headroom (limit -
// live) less 1.5 x what they allocate during one cycle. Under pressure the
// cycles run back to back, and mark assists slow the allocators down.
void Collector::pace(std::size_t live, Clock::time_point cycleStart) {
  auto now = Clock::now();
  double cycleSec = std::chrono::duration<double>(now - cycleStart).count();
  if (lastCycleStart_ != Clock::time_point{}) {
    double sinceLast = std::chrono::duration<double>(cycleStart - lastCycleStart_).count() + cycleSec;
    double allocated =
        static_cast<double>(allocatedTotal_.load(std::memory_order_relaxed) - allocatedAtLastPace_);
    if (sinceLast > 0) {
      double rate = allocated / sinceLast;
      allocationRate_ = allocationRate_ == 0 ? rate : 0.7 * allocationRate_ + 0.3 * rate;
    }
  }
  lastCycleStart_ = cycleStart;
  allocatedAtLastPace_ = allocatedTotal_.load(std::memory_order_relaxed);
  cycleSecondsEwma_ = cycleSecondsEwma_ == 0 ? cycleSec : 0.7 * cycleSecondsEwma_ + 0.3 * cycleSec;
  double trigger = static_cast<double>(std::max(rt_.options.gcTriggerBytes, live / 2));
  double limit = static_cast<double>(rt_.heap.limitBytes());
  double headroom = limit > static_cast<double>(live) ? limit - static_cast<double>(live) : 0;
  double needed = 1.5 * allocationRate_ * cycleSecondsEwma_;
  trigger = std::min(trigger, std::max(headroom - needed, static_cast<double>(std::size_t{1} << 20)));
  triggerBytes_.store(static_cast<std::size_t>(trigger), std::memory_order_relaxed);
  heapGoal_.store(std::min(rt_.heap.limitBytes(), 2 * live + (std::size_t{16} << 20)),
                  std::memory_order_relaxed);
}

void Collector::recordStall(StallKind kind, Clock::time_point start, double us, std::uint32_t thread,
                            bool preempted) noexcept {
  stalls_.record({std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count(), us,
                  kind, thread, preempted});
}

std::vector<StallSample> Collector::takeStallSamples() { return stalls_.take(); }

GcStats Collector::stats() const {
  GcStats s;
  s.cycles = cycles_.load(std::memory_order_acquire);
  s.handshakes = handshakes_.load(std::memory_order_relaxed);
  s.liveBytes = liveBytes_.load(std::memory_order_relaxed);
  s.liveObjects = liveObjects_.load(std::memory_order_relaxed);
  s.lastCycleMs = lastCycleMs_.load(std::memory_order_relaxed);
  StallStats a = stalls_.all();
  s.pauseCount = a.count;
  s.pauseP50Us = a.p50Us;
  s.pauseP99Us = a.p99Us;
  s.pauseMaxUs = a.maxUs;
  for (std::size_t k = 0; k < kStallKinds; ++k) s.stalls[k] = stalls_.ofKind(static_cast<StallKind>(k));
  s.heapBytes = rt_.heap.heapBytes();
  s.allocatedBytes = allocatedTotal_.load(std::memory_order_relaxed);
  s.cellsInUse = rt_.cells.cellsInUse();
  s.framesOverBudget = rt_.framesOverBudget.load(std::memory_order_relaxed);
  s.frameBudgetMs = rt_.frameBudgetMs.load(std::memory_order_relaxed);
  return s;
}

std::string Collector::verifyNow() {
  std::lock_guard cycleLock(cycleMutex_);  // not during a cycle, nor beside another verification
  return verifyLocked();
}

std::string Collector::verifyLocked() {
  verifyFailure_.clear();
  handshake(HandshakeWork::kPark);
  return verifyFailure_;
}

std::uint64_t Collector::cyclesCompleted() const {
  std::lock_guard lock(mutex_);
  return cyclesDone_;
}

// Runs while every attached thread is parked or held: walks everything
// reachable from every root with a private visited set and checks that each
// object is a live, well-formed object of this heap.
void Collector::verifyParked() {
  std::unordered_set<const HeapObject*> seen;
  std::vector<const HeapObject*> stack;
  std::string failure;
  auto visit = [&](const HeapObject* h, const char* from) {
    if (!failure.empty() || !seen.insert(h).second) return;
    if (!rt_.heap.contains(h)) {
      failure = std::string("reference from ") + from + " to an address outside the heap";
    } else if (h->kind == ObjectKind::kFree) {
      failure = std::string("reachable object (from ") + from + ") was freed";
    } else if (h->kind == ObjectKind::kObject) {
      auto* o = reinterpret_cast<const ObjectData*>(h);
      for (std::uint32_t i = 1; i < o->count; ++i)
        if (o->entries[i - 1].symbol >= o->entries[i].symbol) failure = "object attributes out of order";
    }
    if (failure.empty()) stack.push_back(h);
  };
  for (ThreadState* t : rt_.threads)
    if (t->status.load(std::memory_order_acquire) != kDetached)
      t->forEachHandle([&](HeapObject* h) { visit(h, "a handle"); });
  rt_.roots.forEach([&](CellWord& slot) {
    Value v = Value::fromBits(slot.load(std::memory_order_acquire));
    if (v.isReference()) visit(v.asReferenceUnchecked(), "a persistent root");
  });
  while (!stack.empty() && failure.empty()) {
    const HeapObject* h = stack.back();
    stack.pop_back();
    forEachReference(h, [&](HeapObject* child) { visit(child, "an object"); });
  }
  verifyFailure_ = failure;
}

}  // namespace proto::internal
