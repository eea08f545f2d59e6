// runtime.cpp — Runtime, attached threads, handshakes as threads answer them,
// handles, persistent roots, cells and frames (the embedding API of
// proto/runtime.h; objects are in object.cpp, the collector in gc.cpp).
#include <proto/runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "gc.h"
#include "runtime_state.h"

namespace proto {

namespace internal {

namespace {
thread_local ThreadState* tlsCurrent = nullptr;

int stressFromEnv() {
  const char* v = std::getenv("PROTO_GC_STRESS");
  return v && *v && std::string(v) != "0" ? 1 : 0;
}
}  // namespace

ThreadState* currentThreadState() noexcept { return tlsCurrent; }

void assertFailed(const char* condition, const char* message, const char* file, int line) noexcept {
  std::fprintf(stderr, "proto: internal check failed: %s\n  (%s) at %s:%d\n", message, condition, file, line);
  std::fflush(stderr);
  std::abort();
}

RootTable::~RootTable() {
  for (Chunk* c : chunks_) delete c;
}

CellWord* RootTable::acquire(std::uint64_t initial, RootKind kind) {
  auto lock = lockCounted(mutex_);
  if (free_.empty()) {
    auto* chunk = new Chunk;
    for (std::size_t i = 0; i < kChunk; ++i) {
      chunk->slots[i].store(Value::nil().bits(), std::memory_order_relaxed);
      chunk->kinds[i] = RootKind::kFree;
      free_.push_back(&chunk->slots[kChunk - 1 - i]);
    }
    chunks_.insert(std::upper_bound(chunks_.begin(), chunks_.end(), chunk), chunk);
  }
  CellWord* slot = free_.back();
  free_.pop_back();
  auto it = std::upper_bound(chunks_.begin(), chunks_.end(), slot,
                             [](CellWord* s, Chunk* c) { return s < c->slots; });
  Chunk* chunk = *(it - 1);
  chunk->kinds[slot - chunk->slots] = kind;
  slot->store(initial, std::memory_order_release);
  inUse_[static_cast<int>(kind)].fetch_add(1, std::memory_order_relaxed);
  return slot;
}

std::optional<std::uint64_t> RootTable::release(CellWord* slot, RootKind kind) {
  auto lock = lockCounted(mutex_);
  auto it = std::upper_bound(chunks_.begin(), chunks_.end(), slot,
                             [](CellWord* s, Chunk* c) { return s < c->slots; });
  if (it == chunks_.begin()) return std::nullopt;
  Chunk* chunk = *(it - 1);
  if (slot >= chunk->slots + kChunk) return std::nullopt;
  RootKind& k = chunk->kinds[slot - chunk->slots];
  if (k != kind) return std::nullopt;
  k = RootKind::kFree;
  std::uint64_t old = slot->exchange(Value::nil().bits(), std::memory_order_acq_rel);
  free_.push_back(slot);
  inUse_[static_cast<int>(kind)].fetch_sub(1, std::memory_order_relaxed);
  return old;
}

RuntimeState::RuntimeState(Runtime& f, RuntimeOptions o)
    : face(f), options(o), heap(o.heapLimitBytes), cells(o.cellLimitBytes) {
  if (options.gcStress < 0) options.gcStress = stressFromEnv();
  if (!(options.frameBudgetMs > 0))
    throw Error(ErrorCode::kInvalidArgument, "RuntimeOptions.frameBudgetMs must be positive");
  if (options.heapLimitBytes < (std::size_t{4} << 20))
    throw Error(ErrorCode::kInvalidArgument, "RuntimeOptions.heapLimitBytes must be at least 4 MiB");
  cacheEnabled.store(options.attributeCache, std::memory_order_relaxed);
  frameBudgetMs.store(options.frameBudgetMs, std::memory_order_relaxed);
  collector = std::make_unique<Collector>(*this);
  if (options.backgroundCollector) collector->startThread();
}

RuntimeState::~RuntimeState() {
  collector.reset();
  reapDetached();
}

void RuntimeState::pushMarkChunk(MarkChunk* chunk) {
  MarkChunk* head = markChunks.load(std::memory_order_relaxed);
  do {
    chunk->next = head;
  } while (
      !markChunks.compare_exchange_weak(head, chunk, std::memory_order_release, std::memory_order_relaxed));
}

void RuntimeState::performHandshake(ThreadState& t, HandshakeWork work) {
  Thread& th = *t.thread;
  switch (work) {
    case HandshakeWork::kNone:
    case HandshakeWork::kPark:
      break;
    case HandshakeWork::kBarrierOn:
      th.barrier_ = true;
      t.allocateBlack = true;
      break;
    case HandshakeWork::kRoots:
      th.cache_.clear();
      t.forEachHandle([&](HeapObject* h) { t.shade(h); });
      t.flushMarks();
      break;
    case HandshakeWork::kFlush: {
      std::size_t n = t.markChunk ? t.markChunk->count : 0;
      t.flushMarks();
      if (n) collector->flushedItems.fetch_add(n, std::memory_order_release);
      break;
    }
    case HandshakeWork::kSweepStart:
      th.barrier_ = false;
      t.allocateBlack = false;
      // Marking is complete, so anything shaded since is marked already.
      if (t.markChunk) t.markChunk->count = 0;
      t.retireAll(/*forSweep=*/true);
      break;
  }
  th.cacheEnabled_ = cacheEnabled.load(std::memory_order_relaxed);
}

ThreadState* RuntimeState::attach() {
  if (tlsCurrent)
    throw Error(ErrorCode::kAlreadyAttached,
                "this OS thread is attached to a runtime already (one AttachScope per thread)");
  auto* t = new ThreadState(*this, face);
  Thread& th = *t->thread;
  {
    // A round may be under way: the new thread takes the state that round
    // asks for (its epoch, barrier, black allocation) and is not in its
    // snapshot, so nobody waits for anybody.
    auto lock = lockCounted(threadsMutex);
    t->id = ++nextThreadId;
    std::uint64_t epoch = handshakeRequest.load(std::memory_order_acquire);
    th.handshakeAck_ = epoch;
    t->acked.store(epoch, std::memory_order_relaxed);
    th.barrier_ = barrierWanted;
    t->allocateBlack = barrierWanted;
    th.cacheEnabled_ = cacheEnabled.load(std::memory_order_relaxed);
    th.stress_ = options.gcStress > 0;
    threads.push_back(t);
  }
  tlsCurrent = t;
  return t;
}

void RuntimeState::detach(ThreadState* t) {
  if (t->outsideDepth == 0) leave(*t);  // from here the collector answers for this thread
  // Take the state back. The collector may be doing this thread's part of a
  // handshake right now (kHeld); that takes microseconds.
  for (int expected = kOutside; !t->status.compare_exchange_weak(
           expected, kDetaching, std::memory_order_acquire, std::memory_order_relaxed);
       expected = kOutside)
    std::this_thread::yield();
  // Marks this thread shaded go to the collector before any round may skip
  // it, so marking cannot end without tracing them.
  if (t->thread->barrier_)
    t->flushMarks();
  else if (t->markChunk)
    t->markChunk->count = 0;  // no marking under way: nothing to hand over
  t->retireAll();
  if (!t->freeCells.empty()) cells.giveBack(t->freeCells);
  collector->noteAllocation(t->allocatedBytes);
  t->handleTop = 0;  // a round (or the verifier) that still lists it sees no roots
  t->status.store(kDetached, std::memory_order_release);
  {
    auto lock = lockCounted(threadsMutex);
    std::erase(threads, t);
    if (roundInProgress)
      detached.push_back(t);  // a round's snapshot may still point at it
    else
      delete t;
  }
  tlsCurrent = nullptr;
}

void RuntimeState::reapDetached() {
  for (ThreadState* t : detached) delete t;
  detached.clear();
}

void RuntimeState::enter(ThreadState& t) {
  PROTO_ASSERT(t.outsideDepth > 0, "enter() without a matching leave() (UnmanagedScopes must nest)");
  if (--t.outsideDepth > 0) return;  // still inside an outer UnmanagedScope
  int expected = kOutside;
  if (!t.status.compare_exchange_strong(expected, kRunning, std::memory_order_acquire,
                                        std::memory_order_relaxed)) [[unlikely]] {
    // The collector is answering a handshake for us: a stall of its own kind.
    t.timedStall(StallKind::kEnter, [&] {
      do {
        expected = kOutside;
        std::this_thread::yield();
      } while (!t.status.compare_exchange_weak(expected, kRunning, std::memory_order_acquire,
                                               std::memory_order_relaxed));
    });
  }
  t.thread->safepoint();
}

void RuntimeState::leave(ThreadState& t) {
  if (t.outsideDepth > 0) {
    ++t.outsideDepth;  // outside already
    return;
  }
  t.thread->answerHandshake(/*force=*/true);  // may throw: then the thread stays inside
  t.status.store(kOutside, std::memory_order_release);
  t.outsideDepth = 1;
}

std::atomic<std::uint64_t>* persistentNew(Runtime& runtime, const void* target) {
  RuntimeState& rt = runtime.state();
  Value v = target ? Value::reference(static_cast<const HeapObject*>(target)) : Value::nil();
  CellWord* slot = rt.roots.acquire(v.bits(), RootKind::kPersistent);
  if (target && rt.marking()) {
    auto lock = lockCounted(rt.orphanMutex);
    auto* h = const_cast<HeapObject*>(static_cast<const HeapObject*>(target));
    if (rt.marking() && Page::of(h)->tryMark(h)) rt.orphanShades.push_back(h);
  }
  return slot;
}

void persistentFree(Runtime& runtime, std::atomic<std::uint64_t>* slot) noexcept {
  RuntimeState& rt = runtime.state();
  Value old = Value::fromBits(slot->load(std::memory_order_acquire));
  if (old.isReference() && rt.marking()) {
    // Deletion barrier: what a root drops during marking stays alive this cycle.
    auto lock = lockCounted(rt.orphanMutex);
    HeapObject* h = old.asReferenceUnchecked();
    if (rt.marking() && Page::of(h)->tryMark(h)) rt.orphanShades.push_back(h);
  }
  bool released = rt.roots.release(slot, RootKind::kPersistent).has_value();
  PROTO_ASSERT(released, "a Persistent's root slot was freed as something else");
  (void)released;
}

}  // namespace internal

using internal::Clock;
using internal::RuntimeState;
using internal::ThreadState;

// ---- names of codes and kinds ------------------------------------------------

const char* errorCodeName(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kWrongKind:
      return "WrongKind";
    case ErrorCode::kUnknownSymbol:
      return "UnknownSymbol";
    case ErrorCode::kNotAttached:
      return "NotAttached";
    case ErrorCode::kAlreadyAttached:
      return "AlreadyAttached";
    case ErrorCode::kInvalidArgument:
      return "InvalidArgument";
    case ErrorCode::kOutOfRange:
      return "OutOfRange";
    case ErrorCode::kNotMutable:
      return "NotMutable";
    case ErrorCode::kMissing:
      return "Missing";
    case ErrorCode::kOutOfMemory:
      return "OutOfMemory";
    case ErrorCode::kInvalidUtf8:
      return "InvalidUtf8";
  }
  return "Unknown";
}

ValueKind Value::kind() const noexcept {
  if (isNumber()) return ValueKind::kNumber;
  switch (tag()) {
    case kTagInt:
      return ValueKind::kInt;
    case kTagSymbol:
      return ValueKind::kSymbol;
    case kTagRef:
      return ValueKind::kReference;
    case kTagCell:
      return ValueKind::kCell;
    default:
      break;
  }
  if (isBool()) return ValueKind::kBool;
  if (isMissing()) return ValueKind::kMissing;
  return ValueKind::kNil;
}

const char* stallKindName(StallKind kind) noexcept {
  switch (kind) {
    case StallKind::kHandshake:
      return "handshake";
    case StallKind::kHeapLimit:
      return "heap_limit";
    case StallKind::kSweepAssist:
      return "sweep_assist";
    case StallKind::kLockWait:
      return "lock_wait";
    case StallKind::kEnter:
      return "enter";
    case StallKind::kMarkAssist:
      return "mark_assist";
  }
  return "?";
}

const char* valueKindName(ValueKind kind) noexcept {
  switch (kind) {
    case ValueKind::kNumber:
      return "number";
    case ValueKind::kInt:
      return "int";
    case ValueKind::kNil:
      return "nil";
    case ValueKind::kBool:
      return "bool";
    case ValueKind::kMissing:
      return "missing";
    case ValueKind::kSymbol:
      return "symbol";
    case ValueKind::kReference:
      return "reference";
    case ValueKind::kCell:
      return "cell";
  }
  return "?";
}

static Error wrongKind(const char* wanted, Value v) {
  return Error(ErrorCode::kWrongKind, std::string("expected ") + wanted + ", got " + valueKindName(v.kind()));
}

double toNumber(Value v) {
  if (!v.isNumeric()) throw wrongKind("a number", v);
  return v.toDoubleUnchecked();
}
bool toBool(Value v) {
  if (!v.isBool()) throw wrongKind("a bool", v);
  return v.asBoolUnchecked();
}
Symbol toSymbol(Value v) {
  if (!v.isSymbol()) throw wrongKind("a symbol", v);
  return v.asSymbolUnchecked();
}
const Object* toObject(Value v) {
  if (!v.isReference() || v.asReferenceUnchecked()->kind != internal::ObjectKind::kObject)
    throw wrongKind("an object", v);
  return reinterpret_cast<const Object*>(v.asReferenceUnchecked());
}

// ---- Runtime -----------------------------------------------------------------

Runtime::Runtime(RuntimeOptions options) : state_(std::make_unique<RuntimeState>(*this, options)) {}

Runtime::~Runtime() {
  {
    std::lock_guard lock(state_->threadsMutex);
    if (!state_->threads.empty()) {
      std::fprintf(stderr, "proto: Runtime destroyed while %zu thread(s) are still attached\n",
                   state_->threads.size());
      std::abort();
    }
  }
  if (std::size_t n = state_->roots.inUse(internal::RootKind::kPersistent)) {
    // A Persistent that outlives its runtime would write freed memory when it
    // is reset; no destructor can report that, so it is caught here.
    std::fprintf(stderr,
                 "proto: Runtime destroyed while %zu Persistent handle(s) still refer to it; reset or "
                 "destroy them before the Runtime\n",
                 n);
    std::abort();
  }
  state_->collector->stopThread();
}

Symbol Runtime::symbol(std::string_view name) { return state_->symbols.intern(name); }

std::string_view Runtime::symbolName(Symbol symbol) const {
  const std::string* n = state_->symbols.name(symbol);
  if (!n)
    throw Error(ErrorCode::kUnknownSymbol, "symbol id " + std::to_string(symbol.id) + " is not interned");
  return *n;
}

void Runtime::setAttributeCacheEnabled(bool enabled) {
  state_->cacheEnabled.store(enabled, std::memory_order_relaxed);
  // The calling thread takes the change now, but only while it is inside the
  // runtime: outside, the collector may be answering a handshake for it and
  // writes the same flag.
  if (ThreadState* t = internal::tlsCurrent; t && &t->runtime == state_.get() && t->outsideDepth == 0)
    t->thread->cacheEnabled_ = enabled;
}
bool Runtime::attributeCacheEnabled() const noexcept {
  return state_->cacheEnabled.load(std::memory_order_relaxed);
}

void Runtime::collect() {
  ThreadState* caller = internal::tlsCurrent;
  if (caller && &caller->runtime != state_.get()) caller = nullptr;
  state_->collector->collectAndWait(caller);
}

GcStats Runtime::gcStats() const { return state_->collector->stats(); }

Runtime::Phase Runtime::collectorPhase() const noexcept {
  switch (state_->phase.load(std::memory_order_acquire)) {
    case internal::GcPhase::kMarking:
      return Phase::kMarking;
    case internal::GcPhase::kSweeping:
      return Phase::kSweeping;
    case internal::GcPhase::kIdle:
      break;
  }
  return Phase::kIdle;
}
std::vector<StallSample> Runtime::takeStallSamples() { return state_->collector->takeStallSamples(); }

std::vector<FrameRecord> Runtime::takeFrameRecords() {
  std::lock_guard lock(state_->framesMutex);
  std::vector<FrameRecord> out(state_->frames.begin(), state_->frames.end());
  state_->frames.clear();
  return out;
}

void Runtime::setFrameBudgetMs(double ms) {
  if (!(ms > 0) || ms > 1000)
    throw Error(ErrorCode::kInvalidArgument,
                "frame budget must be in (0, 1000] ms, got " + std::to_string(ms));
  state_->frameBudgetMs.store(ms, std::memory_order_relaxed);
}

const RuntimeOptions& Runtime::options() const noexcept { return state_->options; }

void Runtime::verifyHeap() {
  ThreadState* caller = internal::tlsCurrent;
  if (caller && &caller->runtime != state_.get()) caller = nullptr;
  if (caller) state_->leave(*caller);
  std::string failure;
  try {
    failure = state_->collector->verifyNow();
  } catch (...) {
    if (caller) state_->enter(*caller);
    throw;
  }
  if (caller) state_->enter(*caller);
  if (!failure.empty()) throw Error(ErrorCode::kInvalidArgument, "heap verification failed: " + failure);
}

// ---- scopes ------------------------------------------------------------------

AttachScope::AttachScope(Runtime& runtime) : thread_(runtime.state().attach()->thread.get()) {}

AttachScope::~AttachScope() {
  ThreadState& t = thread_->state();
  PROTO_ASSERT(internal::currentThreadState() == &t,
               "an AttachScope ended on another OS thread (invariant 12)");
  t.runtime.detach(&t);
}

UnmanagedScope::UnmanagedScope(Thread& thread) : thread_(thread) {
  PROTO_ASSERT(internal::currentThreadState() == &thread.state(),
               "an UnmanagedScope began on another OS thread (invariant 12)");
  thread.state().runtime.leave(thread.state());
}
UnmanagedScope::~UnmanagedScope() {
  PROTO_ASSERT(internal::currentThreadState() == &thread_.state(),
               "an UnmanagedScope ended on another OS thread (invariant 12)");
  thread_.state().runtime.enter(thread_.state());
}

HandleScope::HandleScope(Thread& thread) : thread_(thread), mark_(thread.state().handleTop) {
  thread.checkOwner();
}
HandleScope::~HandleScope() {
  PROTO_ASSERT(internal::currentThreadState() == &thread_.state(),
               "a HandleScope ended on another OS thread (invariant 12)");
  PROTO_ASSERT(thread_.state().handleTop >= mark_,
               "HandleScopes must end in the reverse order they began (invariant 16)");
  thread_.state().handleTop = mark_;
}

// ---- Thread ------------------------------------------------------------------

Thread::Thread(Runtime& runtime, internal::ThreadState* state)
    : runtime_(&runtime), state_(state), handshakeRequest_(&runtime.state().handshakeRequest) {}

Thread::~Thread() = default;

Thread& Thread::current() {
  if (!internal::tlsCurrent)
    throw Error(ErrorCode::kNotAttached,
                "this OS thread is not attached to a Proto runtime (use AttachScope)");
  return *internal::tlsCurrent->thread;
}

void Thread::checkOwner() const {
  // pthread_self() is one load from the thread pointer; the thread_local
  // would cost a __tls_get_addr call in position-independent code.
  if (state_->osThread != std::this_thread::get_id()) [[unlikely]] {
    throw Error(ErrorCode::kNotAttached,
                internal::tlsCurrent || !state_
                    ? "this Thread belongs to another OS thread: each thread must use the Thread its own "
                      "AttachScope gave it"
                    : "this Thread belongs to another OS thread, and the calling thread is not attached "
                      "(use AttachScope)");
  }
  if (state_->outsideDepth != 0) [[unlikely]] {
    throw Error(ErrorCode::kNotAttached,
                "the thread is inside an UnmanagedScope: no Proto object may be used until it ends");
  }
}

void Thread::checkStorable(Value value, const char* what) const {
  if (value.isMissing() || value.isCell())
    throw Error(ErrorCode::kInvalidArgument,
                std::string(what) + ": a missing marker or a cell address cannot be stored");
  if (value.isReference() && !state_->runtime.heap.isObjectAddress(value.asReferenceUnchecked()))
    throw Error(ErrorCode::kInvalidArgument,
                std::string(what) + ": the reference is not a live object of this runtime's heap");
}

Local<Object> Thread::pushLocal(internal::HeapObject* object) {
  return Local<Object>(state_->pushHandle(object));
}

void Thread::answerHandshake(bool force) {
  ThreadState& t = *state_;
  RuntimeState& rt = t.runtime;
  std::uint64_t epoch = handshakeRequest_->load(std::memory_order_acquire);
  if (epoch == handshakeAck_) return;
  internal::HandshakeWork work = rt.handshakeWork.load(std::memory_order_relaxed);
  if (work == internal::HandshakeWork::kPark) {
    handshakeAck_ = epoch;
    t.acked.store(epoch, std::memory_order_release);
    while (rt.parkReleased.load(std::memory_order_acquire) < epoch) std::this_thread::yield();
    return;
  }
  if (!force && t.inFrame) {
    // Prefer frame boundaries: answer inside a frame only while the frame's
    // budget has room for a typical handshake, or once it has waited 5 ms.
    auto now = Clock::now();
    if (t.deferredEpoch != epoch) {
      t.deferredEpoch = epoch;
      t.deferredSince = now;
    }
    double left = rt.frameBudgetMs.load(std::memory_order_relaxed) - t.frameGcMs;
    double waited = std::chrono::duration<double, std::milli>(now - t.deferredSince).count();
    if (left < t.handshakeCostMsEwma && waited < 5.0) return;
  }
  auto t0 = t.stallBegin();
  rt.performHandshake(t, work);
  handshakeAck_ = epoch;
  t.acked.store(epoch, std::memory_order_release);
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  ++t.frameHandshakes;
  t.noteStall(StallKind::kHandshake, t0, ms);
  t.handshakeCostMsEwma = 0.9 * t.handshakeCostMsEwma + 0.1 * ms;
}

void Thread::stressCollect() {
  // Stress mode: a full cycle, verified, at every safepoint. Not re-entered
  // from the safepoints inside the cycle itself.
  stress_ = false;
  try {
    state_->runtime.collector->collectAndWait(state_);
  } catch (...) {
    stress_ = true;
    throw;
  }
  stress_ = true;
}

void Thread::frameBegin() {
  checkOwner();
  ThreadState& t = *state_;
  if (t.inFrame) throw Error(ErrorCode::kInvalidArgument, "frameBegin called twice without frameEnd");
  t.inFrame = true;
  ++t.frameNumber;
  t.frameStart = Clock::now();
  t.frameGcMs = 0;
  t.frameLongestMs = 0;
  for (double& ms : t.frameStallMs) ms = 0;
  t.frameStalls = 0;
  t.frameAllocationOutran = false;
  t.frameHandshakes = 0;
  // A handshake waiting at the frame's start is this frame's stall: answered
  // after the frame began, so that it is counted in it.
  answerHandshake(true);
}

FrameRecord Thread::frameEnd() {
  checkOwner();
  ThreadState& t = *state_;
  if (!t.inFrame) throw Error(ErrorCode::kInvalidArgument, "frameEnd called without frameBegin");
  answerHandshake(true);  // counted in this frame
  t.inFrame = false;
  RuntimeState& rt = t.runtime;
  FrameRecord r;
  r.frame = t.frameNumber;
  r.durationMs = std::chrono::duration<double, std::milli>(Clock::now() - t.frameStart).count();
  r.gcPauseMs = t.frameGcMs;
  r.longestPauseMs = t.frameLongestMs;
  for (std::size_t k = 0; k < kStallKinds; ++k) r.stallMs[k] = t.frameStallMs[k];
  r.stalls = t.frameStalls;
  r.allocationOutranCollection = t.frameAllocationOutran;
  r.handshakes = t.frameHandshakes;
  r.budgetMs = rt.frameBudgetMs.load(std::memory_order_relaxed);
  r.overBudget = t.frameGcMs > r.budgetMs;
  if (r.overBudget) rt.framesOverBudget.fetch_add(1, std::memory_order_relaxed);
  auto lock = internal::lockCounted(rt.framesMutex);
  rt.frames.push_back(r);
  if (rt.frames.size() > 4096) rt.frames.pop_front();
  return r;
}

// ---- cells -------------------------------------------------------------------

void Thread::storeWithBarrier(Cell cell, Value value) {
  std::uint64_t old = cell.raw()->exchange(value.bits(), std::memory_order_acq_rel);
  state_->shadeValue(old);
  state_->shadeValue(value.bits());
}

void Thread::storeChecked(Cell cell, Value value) {
  checkOwner();
  checkStorable(value, "Thread::store");
  if (!barrier_) {
    cell.raw()->store(value.bits(), std::memory_order_release);
  } else {
    storeWithBarrier(cell, value);
  }
}

Value Thread::exchange(Cell cell, Value value) {
  checkCell(cell);
  checkOwner();
  checkStorable(value, "Thread::exchange");
  std::uint64_t old = cell.raw()->exchange(value.bits(), std::memory_order_acq_rel);
  if (barrier_) {
    state_->shadeValue(old);
    state_->shadeValue(value.bits());
  }
  return Value::fromBits(old);
}

bool Thread::compareExchange(Cell cell, Value& expected, Value desired) {
  checkCell(cell);
  checkOwner();
  checkStorable(desired, "Thread::compareExchange");
  if (barrier_) state_->shadeValue(desired.bits());
  std::uint64_t e = expected.bits();
  bool ok = cell.raw()->compare_exchange_strong(e, desired.bits(), std::memory_order_acq_rel,
                                                std::memory_order_acquire);
  if (ok && barrier_) state_->shadeValue(e);
  expected = Value::fromBits(e);
  return ok;
}

Cell Thread::newCell(Value initial) {
  checkOwner();
  checkStorable(initial, "Thread::newCell");
  if (barrier_) state_->shadeValue(initial.bits());
  return Cell(state_->runtime.roots.acquire(initial.bits(), internal::RootKind::kCell));
}

void Thread::freeCell(Cell cell) {
  checkCell(cell);
  checkOwner();
  std::optional<std::uint64_t> old = state_->runtime.roots.release(cell.raw(), internal::RootKind::kCell);
  if (!old)
    throw Error(ErrorCode::kInvalidArgument,
                "Thread::freeCell: the cell was not made by newCell, or was freed already");
  // Deletion barrier. The collector cannot finish marking before this thread
  // answers its next handshake, so shading after the release is in time.
  if (barrier_) state_->shadeValue(*old);
}

NumericBlock Thread::newNumericBlock(NumericType type, std::size_t count) {
  checkOwner();
  return state_->runtime.cells.allocateNumeric(type, count);
}

void Thread::freeNumericBlock(NumericBlock& block) {
  checkOwner();
  state_->runtime.cells.freeNumeric(block);
}

}  // namespace proto
