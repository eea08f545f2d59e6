// thread_state.cpp — per-thread allocation, handles, cells and shading (see
// thread_state.h).
#include "thread_state.h"

#include <proto/error.h>
#include <sys/resource.h>

#include <string>

#include "gc.h"
#include "runtime_state.h"
#include "trace.h"

namespace proto::internal {

ThreadState::ThreadState(RuntimeState& rt, Runtime& face)
    : runtime(rt), thread(new Thread(face, this)), osThread(std::this_thread::get_id()) {}

ThreadState::~ThreadState() { delete markChunk; }

HeapObject** ThreadState::pushHandle(HeapObject* object) {
  std::size_t chunk = handleTop / kHandleChunk;
  if (chunk == handleChunks.size()) handleChunks.emplace_back(new HeapObject*[kHandleChunk]);
  HeapObject** slot = &handleChunks[chunk][handleTop % kHandleChunk];
  *slot = object;
  ++handleTop;
  return slot;
}

void* ThreadState::allocate(std::size_t bytes, ObjectKind kind) {
  void* p;
  std::uint32_t size;
  if (bytes > kMaxSmallSize) {
    p = allocateSlow(bytes);
    size = 0;  // large objects keep their size in the page
  } else {
    std::uint8_t cls = sizeClassFor(bytes);
    AllocBuffer& b = alloc[cls];
    size = kSizeClasses[cls];
    if (b.free) {
      p = b.free;
      b.free = b.free->next;
      // Swept free lists wander over cold memory: fetch the next slot's link
      // now, so the next allocation of this class does not wait for it.
      __builtin_prefetch(b.free);
    } else if (b.bump && b.bump + size <= b.end) {
      p = b.bump;
      b.bump += size;
    } else {
      p = allocateSlow(bytes);
    }
  }
  auto* h = static_cast<HeapObject*>(p);
  *h = HeapObject{kind, 0, 0, size};
  if (allocateBlack) Page::of(p)->tryMark(p);
  return p;
}

void* ThreadState::allocateSlow(std::size_t bytes) {
  thread->safepoint();  // may retire every buffer (kSweepStart)
  runtime.collector->noteAllocation(allocatedBytes);
  allocatedBytes = 0;
  // Allocating while the collector marks is paid for with marking work, so
  // that a fast allocator slows itself down before it reaches the limit.
  if (runtime.phase.load(std::memory_order_acquire) == GcPhase::kMarking) {
    double slice = assistSliceMs();
    if (slice > 0) markAssist(slice);
  }
  auto attempt = [&]() -> void* {
    if (bytes > kMaxSmallSize) {
      std::size_t mapped = 0;
      void* p = runtime.heap.allocateLarge(bytes, &mapped);
      if (p) allocatedBytes += mapped;
      return p;
    }
    std::uint8_t cls = sizeClassFor(bytes);
    AllocBuffer& b = alloc[cls];
    if (!(sweepAssist(b, cls) || runtime.heap.refill(b, cls))) return nullptr;
    allocatedBytes += kPageSize;
    void* p;
    if (b.free) {
      p = b.free;
      b.free = b.free->next;
    } else {
      p = b.bump;
      b.bump += kSizeClasses[cls];
    }
    return p;
  };
  // Past the heap's goal (2 x live + 16 MiB) while a cycle is under way, the
  // allocator has outrun the collector (a descheduled collector thread, or
  // simply a faster allocator): it helps the cycle, in slices, until the heap
  // is back under the goal or the cycle ends, so that the heap stays bounded
  // instead of growing with the collector's lag. Counted as a heap-limit stall.
  if (runtime.options.backgroundCollector && runtime.heap.heapBytes() > runtime.collector->heapGoal() &&
      runtime.phase.load(std::memory_order_acquire) != GcPhase::kIdle) {
    frameAllocationOutran = true;
    timedStall(StallKind::kHeapLimit, [&] {
      for (;;) {
        thread->answerHandshake(/*force=*/true);
        GcPhase phase = runtime.phase.load(std::memory_order_acquire);
        if (phase == GcPhase::kIdle || runtime.heap.heapBytes() <= runtime.collector->heapGoal()) return;
        if (!(phase == GcPhase::kMarking && markAssist(kAssistSliceMs))) std::this_thread::yield();
      }
    });
  }
  if (void* p = attempt()) return p;
  // The heap is at its limit: allocation outran collection.
  frameAllocationOutran = true;
  Collector& gc = *runtime.collector;
  bool failedSinceLastCycle = gc.cyclesCompleted() == runtime.oomAfterCycle.load(std::memory_order_relaxed);
  if (runtime.options.backgroundCollector && !failedSinceLastCycle &&
      runtime.phase.load(std::memory_order_acquire) != GcPhase::kIdle) {
    // A cycle is under way: help it (mark assists; attempt() sweeps pages
    // itself) in slices, answering its handshakes and retrying between them,
    // instead of sleeping until it is over.
    void* p = timedStall(StallKind::kHeapLimit, [&]() -> void* {
      for (;;) {
        if (void* q = attempt()) return q;
        thread->answerHandshake(/*force=*/true);
        GcPhase phase = runtime.phase.load(std::memory_order_acquire);
        if (phase == GcPhase::kIdle) return nullptr;
        if (!(phase == GcPhase::kMarking && markAssist(kAssistSliceMs))) std::this_thread::yield();
      }
    });
    if (p) return p;
  }
  // No cycle under way, or it freed too little: stall for a full cycle, then try again.
  // Once a full cycle has left the heap too full, later failures throw at
  // once (and ask for a cycle in the background) until another cycle has
  // completed: a program retrying at a full heap must not pay a whole
  // collection per attempt. Without a background collector every failure
  // collects, since nothing else would.
  bool collectNow = !runtime.options.backgroundCollector || !failedSinceLastCycle;
  if (collectNow) {
    timedStall(StallKind::kHeapLimit, [&] { gc.collectAndWait(this); });
    if (void* p = attempt()) return p;
    runtime.oomAfterCycle.store(gc.cyclesCompleted(), std::memory_order_relaxed);
  } else {
    gc.requestCycle();
  }
  throw Error(ErrorCode::kOutOfMemory, "heap limit of " + std::to_string(runtime.heap.limitBytes() >> 20) +
                                           " MiB reached (" + std::to_string(runtime.heap.heapBytes() >> 20) +
                                           " MiB in use after a full collection) allocating " +
                                           std::to_string(bytes) + " bytes");
}

double ThreadState::assistSliceMs() const {
  if (!inFrame) return kAssistSliceMs;
  double left = runtime.frameBudgetMs.load(std::memory_order_relaxed) - frameGcMs - handshakeCostMsEwma;
  return std::min(kAssistSliceMs, left);
}

bool ThreadState::markAssist(double sliceMs) {
  Clock::time_point t0;
  if (!runtime.markChunks.load(std::memory_order_acquire)) {
    // Nothing shared to trace: ask the collector for work, and do not
    // announce an assist (each announcement costs marking a flush round).
    runtime.assistWanted.store(true, std::memory_order_relaxed);
    return false;
  }
  // Announce the assist before taking work: in flight first, then started,
  // so that the collector's look for work (Collector::noMarkWorkLeft) sees
  // one or the other; and only while marking is still under way.
  runtime.assistsInFlight.fetch_add(1, std::memory_order_seq_cst);
  runtime.assistsStarted.fetch_add(1, std::memory_order_seq_cst);
  if (runtime.phase.load(std::memory_order_seq_cst) != GcPhase::kMarking) {
    runtime.assistsInFlight.fetch_sub(1, std::memory_order_seq_cst);
    return false;
  }
  t0 = stallBegin();  // the assist starts here (the checks above cost nothing worth counting)
  MarkChunk* list = runtime.markChunks.exchange(nullptr, std::memory_order_seq_cst);
  if (!list) runtime.assistWanted.store(true, std::memory_order_relaxed);
  bool found = list != nullptr;
  std::size_t traced = 0;
  auto deadline =
      t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(sliceMs));
  while (list) {
    MarkChunk* chunk = list;
    while (chunk->count > 0) {
      HeapObject* h = chunk->items[--chunk->count];
      forEachReference(h, [&](HeapObject* child) { shade(child); });
      if ((++traced & 31) == 0 && Clock::now() >= deadline) goto out;
    }
    list = chunk->next;
    delete chunk;
  }
out:
  // What is left goes back, and what this thread shaded goes out, before the
  // assist ends: marking cannot finish while any of it is held here.
  while (list) {
    MarkChunk* next = list->next;
    if (list->count)
      runtime.pushMarkChunk(list);
    else
      delete list;
    list = next;
  }
  flushMarks();
  runtime.assistsInFlight.fetch_sub(1, std::memory_order_seq_cst);
  if (found)
    noteStall(StallKind::kMarkAssist, t0,
              std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  return found;
}

bool ThreadState::sweepAssist(AllocBuffer& buffer, std::uint8_t sizeClass) {
  if (runtime.phase.load(std::memory_order_acquire) != GcPhase::kSweeping) return false;
  if (inFrame && runtime.frameBudgetMs.load(std::memory_order_relaxed) - frameGcMs < 2 * sweepAssistMsEwma)
    return false;  // no room left in this frame's budget: grow the heap instead
  auto t0 = stallBegin();
  // The budget is checked before every further page, not only before the
  // first: one page's sweep is the unit of work that may overrun it.
  double budgetMs = runtime.frameBudgetMs.load(std::memory_order_relaxed);
  Clock::time_point last = t0;
  auto mayGoOn = [&] {
    auto now = Clock::now();
    pageSweepMsEwma =
        0.9 * pageSweepMsEwma + 0.1 * std::chrono::duration<double, std::milli>(now - last).count();
    last = now;
    // Outside a frame the budget bounds one assist on its own: no single
    // stall should outlast it.
    double spent = std::chrono::duration<double, std::milli>(now - t0).count();
    return budgetMs - (inFrame ? frameGcMs : 0) - spent >= pageSweepMsEwma;
  };
  bool got = runtime.heap.refillBySweeping(
      buffer, sizeClass,
      [&](HeapObject* h) { forEachOwnedCell(h, [&](CellWord* c) { deadCells.push_back(c); }); }, 16, mayGoOn);
  if (!deadCells.empty()) runtime.cells.giveBack(deadCells);
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  noteStall(StallKind::kSweepAssist, t0, ms);
  sweepAssistMsEwma = 0.9 * sweepAssistMsEwma + 0.1 * ms;  // the cost of one assist, for the check before it
  return got;
}

void ThreadState::retireAll(bool forSweep) { runtime.heap.retireAll(alloc, kNumSizeClasses, forSweep); }

void ThreadState::reserveCells(std::size_t count) {
  if (freeCells.size() < count) runtime.cells.takeBatch(freeCells, count);
}

CellWord* ThreadState::takeCell() {
  if (freeCells.empty()) runtime.cells.takeBatch(freeCells, 1);
  CellWord* c = freeCells.back();
  freeCells.pop_back();
  return c;
}

void ThreadState::shade(HeapObject* object) {
  if (!Page::of(object)->tryMark(object)) return;
  if (!markChunk) markChunk = new MarkChunk;
  if (markChunk->push(object)) {
    runtime.pushMarkChunk(markChunk);
    markChunk = nullptr;
  }
}

void ThreadState::flushMarks() {
  if (markChunk && markChunk->count) {
    runtime.pushMarkChunk(markChunk);
    markChunk = nullptr;
  }
}

namespace {
// Involuntary context switches of the calling thread so far (-1: unknown).
long involuntarySwitches() noexcept {
#ifdef RUSAGE_THREAD
  rusage usage{};
  if (getrusage(RUSAGE_THREAD, &usage) == 0) return usage.ru_nivcsw;
#endif
  return -1;
}
}  // namespace

Clock::time_point ThreadState::stallBegin() noexcept {
  if (stallNesting == 0 && runtime.options.probePreemption) switchesAtStallStart = involuntarySwitches();
  return Clock::now();
}

void ThreadState::noteStall(StallKind kind, Clock::time_point start, double ms) noexcept {
  if (stallNesting > 0) return;  // inside a stall that is timed as a whole
  bool preempted = false;
  if (runtime.options.probePreemption) {
    long now = involuntarySwitches();
    preempted = now >= 0 && now != switchesAtStallStart;
  }
  runtime.collector->recordStall(kind, start, ms * 1000.0, id, preempted);
  if (!inFrame) return;
  frameGcMs += ms;
  frameStallMs[static_cast<std::size_t>(kind)] += ms;
  if (ms > frameLongestMs) frameLongestMs = ms;
  ++frameStalls;
}

Clock::time_point beginLockWait() noexcept {
  if (ThreadState* t = currentThreadState(); t && t->outsideDepth == 0) return t->stallBegin();
  return Clock::now();
}

void noteLockWait(Clock::time_point start, double ms) noexcept {
  if (ThreadState* t = currentThreadState(); t && t->outsideDepth == 0)
    t->noteStall(StallKind::kLockWait, start, ms);
}

}  // namespace proto::internal
