// runtime_state.h — everything one Runtime owns, gathered for its files.
#pragma once

#include <proto/runtime.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "cells.h"
#include "heap.h"
#include "symbols.h"
#include "thread_state.h"

namespace proto::internal {

// The work a handshake asks each thread to do (see gc.cpp for the cycle).
enum class HandshakeWork : std::uint8_t {
  kNone,
  kBarrierOn,   // turn the barrier and black allocation on
  kRoots,       // clear the attribute cache, shade the handle stack
  kFlush,       // hand over shaded objects (termination rounds)
  kSweepStart,  // barrier off, retire allocation pages
  kPark,        // wait until the verifier releases the world (tests only)
};

enum class GcPhase : std::uint8_t { kIdle, kMarking, kSweeping };

// What a root-table slot is used for. A slot is released only as the kind it
// was acquired as, so a Cell can never free a Persistent's slot (or a slot
// twice), and a Persistent still alive when its Runtime dies is caught.
enum class RootKind : std::uint8_t { kFree, kPersistent, kCell };

// Explicit roots: persistent handles and standalone cells. Slots never move.
class RootTable {
 public:
  ~RootTable();
  CellWord* acquire(std::uint64_t initial, RootKind kind);
  // Frees `slot` if it is in use as `kind` and returns the bits it held;
  // returns nullopt (and changes nothing) otherwise.
  std::optional<std::uint64_t> release(CellWord* slot, RootKind kind);
  // Visits every slot, free ones included. The lock is held only to copy the
  // chunk list (chunks never move nor go away before the table), so a root
  // scan never makes a mutator's acquire or release wait.
  template <class F>
  void forEach(F&& f) {
    std::vector<Chunk*> chunks;
    {
      std::lock_guard lock(mutex_);
      chunks = chunks_;
    }
    for (Chunk* chunk : chunks)
      for (std::size_t i = 0; i < kChunk; ++i) f(chunk->slots[i]);
  }
  std::size_t inUse(RootKind kind) const noexcept {
    return inUse_[static_cast<int>(kind)].load(std::memory_order_relaxed);
  }

 private:
  static constexpr std::size_t kChunk = 1024;
  struct Chunk {
    CellWord slots[kChunk];
    RootKind kinds[kChunk];  // mutex_
  };
  std::mutex mutex_;
  std::vector<Chunk*> chunks_;  // sorted by address
  std::vector<CellWord*> free_;
  std::atomic<std::size_t> inUse_[3] = {};
};

class Collector;

class RuntimeState {
 public:
  RuntimeState(Runtime& face, RuntimeOptions options);
  ~RuntimeState();

  Runtime& face;
  RuntimeOptions options;
  SymbolTable symbols;
  Heap heap;
  CellTable cells;
  RootTable roots;
  std::atomic<bool> cacheEnabled{true};

  // ---- threads and handshakes ----
  // Guards the fields below. Held only for short list operations: a
  // handshake round copies `threads` and waits for the copy without it, so
  // attach and detach never wait for a round (invariant 8). Only the
  // verifier's kPark round holds it throughout (test support).
  std::mutex threadsMutex;
  std::vector<ThreadState*> threads;
  std::uint32_t nextThreadId = 0;
  bool roundInProgress = false;        // a round's snapshot of `threads` is in use
  std::vector<ThreadState*> detached;  // freed once no round's snapshot can hold them
  std::atomic<std::uint64_t> handshakeRequest{0};
  std::atomic<HandshakeWork> handshakeWork{HandshakeWork::kNone};
  std::atomic<GcPhase> phase{GcPhase::kIdle};
  // The last kPark handshake epoch the verifier has finished with: a parked
  // thread waits until it reaches its own epoch (a counter, not a flag, so
  // that back-to-back verifications cannot strand a thread).
  std::atomic<std::uint64_t> parkReleased{0};
  // The collector's completed-cycle count when an allocation last failed at
  // the heap limit after a full collection (see ThreadState::allocateSlow).
  std::atomic<std::uint64_t> oomAfterCycle{~std::uint64_t{0}};
  // Whether threads should have the barrier and black allocation on: true
  // from the kBarrierOn round to the kSweepStart round. Guarded by
  // threadsMutex, so a thread attaching between rounds starts consistent.
  bool barrierWanted = false;

  // Shaded objects waiting to be traced (lock-free push, exchange-all take):
  // handed over by mutators, donated by the collector when threads want to
  // assist, taken by the collector and by mark assists.
  std::atomic<MarkChunk*> markChunks{nullptr};
  void pushMarkChunk(MarkChunk* chunk);
  // Mark assists in progress, and started so far. Marking may end only when
  // none is in flight and none started while the collector looked for work
  // (Collector::noMarkWorkLeft), since an assist holds gray objects privately.
  std::atomic<std::uint64_t> assistsStarted{0};
  std::atomic<int> assistsInFlight{0};
  std::atomic<bool> assistWanted{false};  // a thread found no work to take
  // Objects shaded by threads that are not attached (persistent handle resets).
  std::mutex orphanMutex;
  std::vector<HeapObject*> orphanShades;
  bool marking() const noexcept { return phase.load(std::memory_order_acquire) == GcPhase::kMarking; }

  // Does `work` for `t`: called by t itself, or by the collector while t is held.
  void performHandshake(ThreadState& t, HandshakeWork work);

  std::unique_ptr<Collector> collector;

  ThreadState* attach();
  void detach(ThreadState* t);
  // Frees detached thread states no round can see any more (threadsMutex held).
  void reapDetached();
  void enter(ThreadState& t);  // kOutside -> kRunning (waits while held)
  void leave(ThreadState& t);  // answers pending handshakes, -> kOutside

  // Frame records of all threads, newest last.
  std::mutex framesMutex;
  std::deque<FrameRecord> frames;
  std::atomic<double> frameBudgetMs{0.5};
  std::atomic<std::uint64_t> framesOverBudget{0};
};

inline RuntimeState& stateOf(Runtime& r) { return r.state(); }

}  // namespace proto::internal
