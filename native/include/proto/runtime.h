// proto/runtime.h — the embedding API: the runtime, attached threads, handles,
// prototype objects and attribute lookup.
//
// Rules an embedder needs (docs/runtime.md says the same at length):
//  * One Runtime owns a heap, a symbol table, a cell table and a collector.
//  * An OS thread uses the runtime only inside an AttachScope; it gets a
//    Thread& from it. Thread methods are for that OS thread only, and not
//    inside an UnmanagedScope: the out-of-line ones throw kNotAttached when
//    called from another OS thread or from inside an UnmanagedScope; the
//    inline hot paths (get, store of a number, safepoint) check it only in
//    builds with PROTO_ASSERT on (debug and sanitizer builds), where they abort.
//  * Objects never move. A raw `const Object*` is valid while something keeps
//    the object alive: a Local (stack root, lives until its HandleScope ends),
//    a Persistent (explicit root, any thread may drop it), or a reachable
//    attribute/cell of a live object.
//  * Objects are immutable after creation. Mutable attributes are declared at
//    creation and live in cells; Thread::set writes the cell.
//  * Every Runtime method may be called from any thread, attached or not,
//    concurrently with the others, except the constructor and destructor.
//    The destructor needs every AttachScope ended and every Persistent reset
//    (it aborts with a message otherwise). Bad input throws proto::Error.
//  * Values handed to the runtime (attributes, cell stores, tuple elements)
//    must be kept alive by the caller until the call returns; references the
//    runtime reads itself (Thread::with copying cells) it roots itself.
#pragma once

#include <proto/cells.h>
#include <proto/error.h>
#include <proto/internal/assert.h>
#include <proto/internal/attr_cache.h>
#include <proto/internal/heap_object.h>
#include <proto/value.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace proto {

class Runtime;
class Thread;

// A prototype object. Opaque: use it through Thread's methods.
class Object;

namespace internal {
class RuntimeState;
class ThreadState;
class Collector;
inline ObjectData* data(const Object* o) noexcept {
  return const_cast<ObjectData*>(reinterpret_cast<const ObjectData*>(o));
}
inline Object* object(const ObjectData* d) noexcept {
  return const_cast<Object*>(reinterpret_cast<const Object*>(d));
}
ThreadState* currentThreadState() noexcept;
std::atomic<std::uint64_t>* persistentNew(Runtime& runtime, const void* target);
void persistentFree(Runtime& runtime, std::atomic<std::uint64_t>* slot) noexcept;
struct LocalAccess;
}  // namespace internal

struct RuntimeOptions {
  // Hard limit of the heap (objects, ropes, tuples; not cells). Past it an
  // allocation collects and, if that is not enough, throws kOutOfMemory.
  // 4 GiB on 64-bit targets; 512 MiB on 32-bit ones (wasm32), where 4 GiB
  // is the whole address space and does not fit size_t.
  std::size_t heapLimitBytes =
      sizeof(std::size_t) >= 8 ? static_cast<std::size_t>(std::uint64_t{4} << 30) : std::size_t{512} << 20;
  // Hard limit of the cell table (value cells and numeric blocks); past it
  // taking a cell throws kOutOfMemory. 0: no limit but the machine's.
  std::size_t cellLimitBytes = 0;
  // The pacer starts a cycle once this many bytes were allocated since the
  // last one ended (and at least half the live heap: it grows with the heap).
  std::size_t gcTriggerBytes = std::size_t{16} << 20;
  // GC pause budget per frame for threads that mark frames (Thread::frameBegin).
  double frameBudgetMs = 0.5;
  // The per-thread attribute cache; off makes every lookup walk the chain.
  bool attributeCache = true;
  // Run the collector thread. Off: cycles run only through Runtime::collect().
  bool backgroundCollector = true;
  // Collect at every safepoint and verify the heap after each cycle. -1 reads
  // the environment variable PROTO_GC_STRESS (1 = on).
  int gcStress = -1;
  // Tell, for every stall, whether the thread was preempted during it
  // (StallSample::preempted). Costs two getrusage() calls per stall; meant
  // for benchmarks and profiling, where it separates the runtime's share of
  // a long stall from the scheduler's. Linux only (elsewhere never set).
  bool probePreemption = false;
};

struct Attribute {
  Symbol name;
  Value value;
  bool isMutable = false;
};

// Where a lookup found its answer.
struct Lookup {
  enum class Where : std::uint8_t { kMissing, kOwn, kInherited };
  Where where = Where::kMissing;
  bool isMutable = false;
  Value value = Value::missing();  // the attribute's value (the cell's current one if mutable)
  Cell cell;                       // set when isMutable
};

// A stack root: valid until the innermost HandleScope open when it was made
// ends. Cheap to copy; never share one between threads.
template <class T>
class Local {
 public:
  Local() noexcept = default;
  T* get() const noexcept { return slot_ ? reinterpret_cast<T*>(*slot_) : nullptr; }
  operator T*() const noexcept { return get(); }  // NOLINT: a Local is used where a pointer is
  explicit operator bool() const noexcept { return get() != nullptr; }
  Value value() const noexcept { return slot_ && *slot_ ? Value::reference(*slot_) : Value::nil(); }

 private:
  friend class Thread;
  friend struct internal::LocalAccess;
  explicit Local(internal::HeapObject** slot) noexcept : slot_(slot) {}
  internal::HeapObject** slot_ = nullptr;
};

namespace internal {
// Lets the files of other heap types (rope.cpp, tuple.cpp) hand out Locals
// for handle-stack slots they pushed; objects get theirs from Thread.
struct LocalAccess {
  template <class T>
  static Local<T> fromSlot(HeapObject** slot) noexcept {
    return Local<T>(slot);
  }
};
}  // namespace internal

// Opens a region for Locals on the current thread; Locals made inside it are
// dropped when it ends. Scopes nest strictly (stack order).
class HandleScope {
 public:
  explicit HandleScope(Thread& thread);
  ~HandleScope();
  HandleScope(const HandleScope&) = delete;
  HandleScope& operator=(const HandleScope&) = delete;

 private:
  Thread& thread_;
  std::size_t mark_;
};

// An explicit root that any thread may create, copy out of, or drop. Costs a
// slot in the runtime's root table; made for embedders' long-lived references
// (JS wrappers hold one each).
template <class T>
class Persistent {
 public:
  Persistent() noexcept = default;
  Persistent(Thread& thread, const T* target);
  ~Persistent() { reset(); }
  Persistent(Persistent&& other) noexcept : runtime_(other.runtime_), slot_(other.slot_) {
    other.runtime_ = nullptr;
    other.slot_ = nullptr;
  }
  Persistent& operator=(Persistent&& other) noexcept {
    if (this != &other) {
      reset();
      runtime_ = other.runtime_;
      slot_ = other.slot_;
      other.runtime_ = nullptr;
      other.slot_ = nullptr;
    }
    return *this;
  }
  Persistent(const Persistent&) = delete;
  Persistent& operator=(const Persistent&) = delete;

  T* get() const noexcept {
    if (!slot_) return nullptr;
    Value v = Value::fromBits(slot_->load(std::memory_order_acquire));
    return v.isReference() ? reinterpret_cast<T*>(v.asReferenceUnchecked()) : nullptr;
  }
  explicit operator bool() const noexcept { return slot_ != nullptr; }
  void reset() noexcept;

 private:
  Runtime* runtime_ = nullptr;
  std::atomic<std::uint64_t>* slot_ = nullptr;
};

// Every way memory management can hold a mutator thread up. Each interval is
// timed from the thread's side and charged to its current frame and to the
// runtime's statistics (docs/collector.md says what each covers).
enum class StallKind : std::uint8_t {
  kHandshake,    // answering a GC handshake (cache clear, roots, flush, sweep start)
  kHeapLimit,    // waiting at the heap limit for a collection to free memory
  kSweepAssist,  // sweeping pages itself instead of growing the heap
  kLockWait,     // blocked on a runtime lock (cell table, page lists, root table)
  kEnter,        // re-entering the runtime while the collector held the thread
  kMarkAssist,   // marking objects itself, in pay for allocating while the collector marks
};
inline constexpr std::size_t kStallKinds = 6;
const char* stallKindName(StallKind kind) noexcept;

// Per-frame GC accounting of one thread (see Thread::frameBegin).
struct FrameRecord {
  std::uint64_t frame = 0;
  double durationMs = 0;             // frameBegin to frameEnd
  double gcPauseMs = 0;              // every stall of this thread inside the frame, all kinds summed
  double longestPauseMs = 0;         // the longest single stall inside the frame
  double stallMs[kStallKinds] = {};  // gcPauseMs by StallKind
  std::uint32_t stalls = 0;          // how many stalls
  std::uint32_t handshakes = 0;
  double budgetMs = 0;  // the budget in force when the frame ended
  bool overBudget = false;
  // The thread reached the heap limit in this frame and had to wait for the
  // collector: allocation outran collection (the reason, when over budget).
  bool allocationOutranCollection = false;
};

// Statistics of one kind of stall (or of all of them), microseconds, since
// the runtime started. The percentiles come from a log-scale histogram (8
// buckets per power of two), so they are within 9% of the exact value.
struct StallStats {
  std::uint64_t count = 0;
  double totalMs = 0;
  double p50Us = 0, p99Us = 0, maxUs = 0;
};

// One stall as a thread lived it: when it began (steady clock, ns), how long
// it lasted, what it was and which thread (an id per attached thread).
struct StallSample {
  std::int64_t startNs = 0;
  double us = 0;
  StallKind kind = StallKind::kHandshake;
  std::uint32_t thread = 0;
  // The operating system took the core from the thread during the stall
  // (an involuntary context switch): part of it was the scheduler's, not the
  // runtime's. Set only with RuntimeOptions::probePreemption, on Linux.
  bool preempted = false;
};

struct GcStats {
  std::uint64_t cycles = 0;
  std::uint64_t handshakes = 0;    // per-thread handshake answers, all threads
  std::size_t heapBytes = 0;       // bytes in pages and large objects
  std::size_t liveBytes = 0;       // marked by the last cycle
  std::size_t allocatedBytes = 0;  // since the runtime started
  std::size_t liveObjects = 0;     // marked by the last cycle
  std::size_t cellsInUse = 0;
  double lastCycleMs = 0;
  // Every stall of every thread, all kinds (what the threads lost), microseconds.
  double pauseP50Us = 0, pauseP99Us = 0, pauseMaxUs = 0;
  std::uint64_t pauseCount = 0;
  StallStats stalls[kStallKinds];  // the same, by StallKind
  std::uint64_t framesOverBudget = 0;
  double frameBudgetMs = 0;  // the GC pause budget per frame in force now
};

class Runtime {
 public:
  explicit Runtime(RuntimeOptions options = {});
  // Stops the collector. Every thread must have detached (checked: aborts
  // with a message, since a destructor cannot report an error otherwise).
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Interns `name`. Thread-safe; the same name gives the same symbol.
  Symbol symbol(std::string_view name);
  // The name of an interned symbol; kUnknownSymbol for anything else.
  std::string_view symbolName(Symbol symbol) const;

  // Turns the attribute cache of every thread on or off (for measuring the
  // walk). The calling thread (attached, not in an UnmanagedScope) and
  // threads attaching afterwards take it at once; every other thread at its
  // next GC handshake (the next cycle, or Runtime::collect()).
  void setAttributeCacheEnabled(bool enabled);
  bool attributeCacheEnabled() const noexcept;

  // Runs one full collection cycle and waits for it. The calling thread may
  // be attached (the collector answers its handshakes while it waits), inside
  // an UnmanagedScope, or not attached at all.
  void collect();
  GcStats gcStats() const;
  // What the collector is doing now (a snapshot: it may change at once).
  enum class Phase : std::uint8_t { kIdle, kMarking, kSweeping };
  Phase collectorPhase() const noexcept;
  // Every stall of every thread since the last call (for benchmarks; at
  // most the newest 2^18 are kept).
  std::vector<StallSample> takeStallSamples();
  // Per-frame records of every thread that marked frames, oldest first; at
  // most the last 4096 are kept.
  std::vector<FrameRecord> takeFrameRecords();
  void setFrameBudgetMs(double ms);
  const RuntimeOptions& options() const noexcept;

  // Re-marks everything reachable from every root while all attached threads
  // are parked, and throws if anything reachable was freed or malformed.
  // Test support: slow, stops the world; waits for a running cycle to end,
  // and concurrent calls run one after the other.
  void verifyHeap();

  internal::RuntimeState& state() noexcept { return *state_; }

 private:
  std::unique_ptr<internal::RuntimeState> state_;
};

// Attaches the calling OS thread for the scope's lifetime. Nesting on one
// thread is an error (kAlreadyAttached). End it on the thread that made it.
class AttachScope {
 public:
  explicit AttachScope(Runtime& runtime);
  ~AttachScope();
  AttachScope(const AttachScope&) = delete;
  AttachScope& operator=(const AttachScope&) = delete;
  Thread& thread() noexcept { return *thread_; }

 private:
  Thread* thread_;
};

// Leaves the runtime for a long native call (I/O, a blocking wait, plain JS):
// the collector handshakes on this thread's behalf meanwhile and never waits
// for it. No Proto object may be touched inside (Thread methods throw
// kNotAttached). Scopes nest; Runtime::collect() and verifyHeap() work inside
// one. Re-entering waits only if the collector is handshaking for this thread
// at that very moment.
class UnmanagedScope {
 public:
  explicit UnmanagedScope(Thread& thread);
  ~UnmanagedScope();
  UnmanagedScope(const UnmanagedScope&) = delete;
  UnmanagedScope& operator=(const UnmanagedScope&) = delete;

 private:
  Thread& thread_;
};

class Thread {
 public:
  Runtime& runtime() noexcept { return *runtime_; }
  // The Thread of the calling OS thread; kNotAttached if it has none.
  static Thread& current();

  // ---- objects ------------------------------------------------------------
  // A new immutable object. `parent` may be null. Names must be distinct.
  Local<Object> newObject(const Object* parent, std::span<const Attribute> attributes);
  Local<Object> newObject(const Object* parent, std::initializer_list<Attribute> attributes) {
    return newObject(parent, std::span<const Attribute>(attributes.begin(), attributes.size()));
  }
  // A new object equal to `object` but with `name` set to `value` (added if
  // absent). Same parent; immutable values shared; a mutable attribute of the
  // original gets a fresh cell holding the original's current value.
  Local<Object> with(const Object* object, Symbol name, Value value);
  const Object* parent(const Object* object) const;
  std::size_t ownAttributeCount(const Object* object) const;
  std::vector<Symbol> ownAttributeNames(const Object* object) const;

  // The attribute's value, own or inherited; Value::missing() if none.
  // Mutable attributes read their cell. O(1) on a cache hit at any depth.
  Value get(const Object* object, Symbol name) {
    PROTO_ASSERT(internal::currentThreadState() == state_, "Thread::get called from another OS thread");
    std::uint64_t slot;
    internal::ObjectData* d = internal::data(object);
    if (!(cacheEnabled_ && cache_.probe(d, name.id, slot))) slot = resolveSlot(d, name);
    Value v = Value::fromBits(slot);
    if (v.isCell()) return Cell(static_cast<std::atomic<std::uint64_t>*>(v.asCellAddressUnchecked())).load();
    return v;
  }
  // Like get, but says where it found the answer and hands out the cell.
  Lookup find(const Object* object, Symbol name);
  // The cell of a mutable attribute (own or inherited): resolve once, then
  // load/store it directly. kMissing / kNotMutable otherwise.
  Cell cellOf(const Object* object, Symbol name);
  // Writes a mutable attribute's cell. kNotMutable for immutable attributes,
  // kMissing when absent.
  void set(const Object* object, Symbol name, Value value);

  // ---- cells --------------------------------------------------------------
  // Stores go through the collector's barrier when it is marking. A cell
  // refuses Value::missing(), cell addresses and references that are not live
  // objects of this runtime's heap (kInvalidArgument); numbers, the hot case,
  // need no check.
  void store(Cell cell, Value value) {
    checkCell(cell);
    if (!value.isNumeric()) [[unlikely]] {
      storeChecked(cell, value);
      return;
    }
    PROTO_ASSERT(internal::currentThreadState() == state_, "Thread::store called from another OS thread");
    if (!barrier_) {
      cell.raw()->store(value.bits(), std::memory_order_release);
    } else {
      storeWithBarrier(cell, value);
    }
  }
  Value exchange(Cell cell, Value value);
  bool compareExchange(Cell cell, Value& expected, Value desired);
  // A fresh value cell owned by the caller. Free it once with freeCell:
  // freeCell refuses (kInvalidArgument) a cell it did not make, such as an
  // attribute's, and a cell freed already. Objects' mutable attributes get
  // their cells automatically and give them back when they die.
  Cell newCell(Value initial);
  void freeCell(Cell cell);
  // A contiguous block of `count` numbers of `type` for ECS columns; zeroed.
  NumericBlock newNumericBlock(NumericType type, std::size_t count);
  void freeNumericBlock(NumericBlock& block);

  // ---- collector ----------------------------------------------------------
  // Answers a pending GC handshake, if any. Cheap when none is pending.
  void safepoint() {
    PROTO_ASSERT(internal::currentThreadState() == state_, "Thread::safepoint called from another OS thread");
    if (stress_) stressCollect();
    if (handshakeRequest_->load(std::memory_order_acquire) != handshakeAck_) answerHandshake();
  }
  void frameBegin();
  FrameRecord frameEnd();

  // ---- internal -----------------------------------------------------------
  internal::ThreadState& state() noexcept { return *state_; }
  internal::AttrCache& cache() noexcept { return cache_; }

 private:
  friend class internal::ThreadState;
  friend class internal::RuntimeState;
  friend class internal::Collector;
  friend class Runtime;
  friend struct std::default_delete<Thread>;
  friend class HandleScope;
  template <class T>
  friend class Persistent;
  Thread(Runtime& runtime, internal::ThreadState* state);
  ~Thread();

  std::uint64_t resolveSlot(internal::ObjectData* object, Symbol name);
  void checkCell(Cell cell) const {
    if (!cell) throw Error(ErrorCode::kInvalidArgument, "store to an empty Cell");
  }
  // Throws kNotAttached unless the calling OS thread owns this Thread and is
  // inside the runtime (not in an UnmanagedScope).
  void checkOwner() const;
  void checkStorable(Value value, const char* what) const;
  void storeChecked(Cell cell, Value value);
  void storeWithBarrier(Cell cell, Value value);
  void answerHandshake(bool force = false);
  void stressCollect();
  Local<Object> pushLocal(internal::HeapObject* object);

  Runtime* runtime_;
  internal::ThreadState* state_;
  const std::atomic<std::uint64_t>* handshakeRequest_;
  std::uint64_t handshakeAck_ = 0;
  bool cacheEnabled_ = true;
  bool barrier_ = false;  // set and cleared only at this thread's handshakes
  bool stress_ = false;   // RuntimeOptions::gcStress
  internal::AttrCache cache_;
};

// Checked conversions: kWrongKind with the actual kind named.
double toNumber(Value value);
bool toBool(Value value);
Symbol toSymbol(Value value);
const Object* toObject(Value value);
inline Value objectValue(const Object* object) noexcept {
  return Value::reference(reinterpret_cast<const internal::HeapObject*>(object));
}

template <class T>
Persistent<T>::Persistent(Thread& thread, const T* target) : runtime_(&thread.runtime()) {
  slot_ = internal::persistentNew(*runtime_, target);
}

template <class T>
void Persistent<T>::reset() noexcept {
  if (slot_) internal::persistentFree(*runtime_, slot_);
  slot_ = nullptr;
  runtime_ = nullptr;
}

}  // namespace proto
