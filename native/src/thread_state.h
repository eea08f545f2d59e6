// thread_state.h — what the runtime keeps per attached thread (owner of the
// handle stack, allocation buffers, cell cache, mark buffer and frame stats).
//
// Invariant 12 (one owner at a time; docs/architecture.md): a ThreadState is touched by its own OS
// thread while `status` is kRunning, and by the collector only after it has
// moved `status` from kOutside to kHeld. Those CASes (acquire) and the
// stores that end each state (release) order every access between them.
#pragma once

#include <proto/runtime.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "cells.h"
#include "heap.h"

namespace proto::internal {

class RuntimeState;

// kDetaching: the thread has taken its state back to detach; a round waits
// for it as for a running thread (it hands over its marks meanwhile).
// kDetached: gone; a round that still holds it in its snapshot skips it.
enum ThreadStatus : int { kRunning = 0, kOutside = 1, kHeld = 2, kDetaching = 3, kDetached = 4 };

// Objects a mutator shaded (marked) whose children the collector must still
// trace. Full chunks go to the collector through a lock-free stack.
struct MarkChunk {
  static constexpr std::size_t kCapacity = 256;
  MarkChunk* next = nullptr;
  std::size_t count = 0;
  HeapObject* items[kCapacity];
  // Adds a shaded object; true when the chunk is now full (and must be handed over
  // before the next push: a full chunk takes no more, invariant 3).
  bool push(HeapObject* object) {
    PROTO_ASSERT(count < kCapacity, "a full mark chunk was pushed to (it must be handed over first)");
    items[count++] = object;
    return count == kCapacity;
  }
};

using Clock = std::chrono::steady_clock;

class ThreadState {
 public:
  ThreadState(RuntimeState& runtime, Runtime& face);
  ~ThreadState();

  RuntimeState& runtime;
  std::unique_ptr<Thread> thread;  // the public face
  std::thread::id osThread;
  std::atomic<int> status{kRunning};
  std::atomic<std::uint64_t> acked{0};
  // How many UnmanagedScopes (or collections the thread waits for) are open
  // on this thread: it is outside the runtime while this is above zero.
  // Touched by the owning OS thread only; nesting is what makes a collect()
  // or verifyHeap() inside an UnmanagedScope, or two nested scopes, work.
  int outsideDepth = 0;

  // ---- handles (stack roots) ----
  static constexpr std::size_t kHandleChunk = 1024;
  std::vector<std::unique_ptr<HeapObject*[]>> handleChunks;
  std::size_t handleTop = 0;
  HeapObject** pushHandle(HeapObject* object);
  template <class F>
  void forEachHandle(F&& f) const {
    for (std::size_t i = 0; i < handleTop; ++i) {
      HeapObject* h = handleChunks[i / kHandleChunk][i % kHandleChunk];
      if (h) f(h);
    }
  }

  // ---- allocation ----
  AllocBuffer alloc[kNumSizeClasses];
  bool allocateBlack = false;      // set at handshakes only, like Thread::barrier_
  std::size_t allocatedBytes = 0;  // since this thread's last report to the pacer
  void* allocate(std::size_t bytes, ObjectKind kind);
  void* allocateSlow(std::size_t bytes);
  // While the collector sweeps, refill `buffer` by sweeping pages of its
  // class rather than growing the heap (counted as GC time in the frame).
  bool sweepAssist(AllocBuffer& buffer, std::uint8_t sizeClass);
  double sweepAssistMsEwma = 0.02;   // one whole assist
  double pageSweepMsEwma = 0.01;     // one page of it
  std::vector<CellWord*> deadCells;  // cells of objects an assist freed
  // While the collector marks, traces shared mark work for up to `sliceMs`
  // (Go's mark assists, time-sliced). Returns whether it found any work.
  bool markAssist(double sliceMs);
  // How long a thread may assist now: what is left of its frame's budget, at
  // most kAssistSliceMs.
  double assistSliceMs() const;
  static constexpr double kAssistSliceMs = 0.1;
  void retireAll(bool forSweep = false);

  // ---- cells ----
  std::vector<CellWord*> freeCells;
  // Makes sure `count` cells are at hand, so that building an object never
  // fails half-way: it may throw kOutOfMemory, before anything is written.
  void reserveCells(std::size_t count);
  CellWord* takeCell();  // after reserveCells: never fails

  // ---- marking ----
  MarkChunk* markChunk = nullptr;
  void shade(HeapObject* object);  // marks and queues for tracing
  void shadeValue(std::uint64_t bits) {
    Value v = Value::fromBits(bits);
    if (v.isReference()) shade(v.asReferenceUnchecked());
  }
  void flushMarks();

  // ---- frames and stalls ----
  std::uint32_t id = 0;  // names the thread in StallSamples
  bool inFrame = false;
  std::uint64_t frameNumber = 0;
  Clock::time_point frameStart{};
  double frameGcMs = 0, frameLongestMs = 0;  // every stall in the frame, summed / the longest
  double frameStallMs[kStallKinds] = {};
  std::uint32_t frameStalls = 0, frameHandshakes = 0;
  bool frameAllocationOutran = false;
  double handshakeCostMsEwma = 0.005;
  std::uint64_t deferredEpoch = 0;  // a handshake put off to the frame's end
  Clock::time_point deferredSince{};
  // Charges a stall that began at `start` and lasted `ms` to the current
  // frame (if any) and to the runtime's statistics; not one inside another
  // (a handshake answered while waiting at the heap limit), which the outer
  // one already covers.
  void noteStall(StallKind kind, Clock::time_point start, double ms) noexcept;
  // The start of a stall: now, and, with RuntimeOptions::probePreemption,
  // the thread's count of involuntary context switches (for noteStall to
  // tell whether the stall was preempted). Stalls inside another leave the
  // outer one's count alone.
  Clock::time_point stallBegin() noexcept;
  long switchesAtStallStart = 0;
  // Times `body` as a stall of `kind`.
  template <class F>
  decltype(auto) timedStall(StallKind kind, F&& body) {
    struct Timer {
      ThreadState& t;
      StallKind kind;
      Clock::time_point start = t.stallBegin();
      ~Timer() {
        --t.stallNesting;
        t.noteStall(kind, start, std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      }
    } timer{*this, kind};
    ++stallNesting;
    return body();
  }
  int stallNesting = 0;  // stalls timed inside another are not counted twice
};

// The ThreadState of the calling OS thread, or null if it is not attached.
ThreadState* currentThreadState() noexcept;

}  // namespace proto::internal
