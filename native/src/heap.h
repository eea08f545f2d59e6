// heap.h — the non-moving, size-segregated heap (owner of pages, size classes,
// mark bits and large objects). Prefix: internal::Heap / internal::Page.
//
// Pages are 256 KiB and 256 KiB-aligned, so the page of any object (small or
// large) is its address with the low bits cleared. Each page serves one size
// class; large objects get a page run of their own with the same header.
//
// Invariant 1 (mark bits outside objects; docs/architecture.md): the mark bit of an object lives in
// its page's bitmap, one bit per 16-byte granule, indexed by the object's
// first granule. Objects are never written by the collector except by the
// sweeper when it frees them (kind := kFree).
//
// Ownership: a page is owned by at most one thread at a time (it allocates
// from it without locks), or sits in one of the heap's lists (under the heap
// mutex, touched only on the allocation slow path and by the sweeper).
//
// Empty pages: a small page the sweeper finds with nothing live on it belongs
// to no size class any more. It waits on the empty list, where the next
// refill of any class re-formats it, and the pages that stay unused past a
// small reserve are unmapped at the end of a cycle, so the limit counts
// memory that is really held, and memory freed by one size class serves the
// others (or a large object).
#pragma once

#include <proto/internal/heap_object.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "stall.h"

namespace proto::internal {

inline constexpr std::size_t kPageSize = 256 * 1024;
inline constexpr std::size_t kGranule = 16;
inline constexpr std::size_t kMarkWords = kPageSize / kGranule / 64;
inline constexpr std::uint32_t kPageMagic = 0x50524F54;  // "PROT"

// Slot sizes of the small-object classes; anything bigger is a large object.
// Up to 64 KiB, so that no object below a quarter page takes a page run of
// its own (an 11 KiB object used to map 256 KiB).
inline constexpr std::array<std::uint32_t, 26> kSizeClasses = {
    16,  32,   48,   64,   80,   96,   128,  160,   192,   256,   320,   384,   512,
    768, 1024, 1536, 2048, 3072, 4096, 8192, 12288, 16384, 24576, 32768, 49152, 65536};
inline constexpr std::size_t kNumSizeClasses = kSizeClasses.size();
inline constexpr std::size_t kMaxSmallSize = kSizeClasses.back();

// The size class serving `bytes`, via a table indexed by granule count.
std::uint8_t sizeClassFor(std::size_t bytes) noexcept;

struct FreeSlot {
  HeapObject header;  // kind == kFree
  FreeSlot* next;
};

struct Page {
  std::uint32_t magic;
  std::uint8_t sizeClass;
  bool large;
  std::uint32_t slotSize;
  std::size_t largeBytes;   // large: bytes of the object
  std::size_t mappedBytes;  // bytes of memory behind this page (a run for large objects)
  char* begin;              // first slot
  char* end;                // one past the last whole slot
  char* initEnd;            // slots in [begin, initEnd) have a valid header; beyond is untouched
  Page* next;               // link in one of the heap's lists (heap mutex), or in retiredPending_
  Page* pendingNext;        // link in newPending_ until the page joins allPages_
  bool retiredForSweep;     // where a page handed over in retiredPending_ goes
  FreeSlot* freeList;       // built by the sweeper, handed to the next owner
  std::size_t liveBytes;    // as of the last sweep
  std::atomic<std::uint64_t> marks[kMarkWords];

  static Page* of(const void* p) noexcept {
    return reinterpret_cast<Page*>(reinterpret_cast<std::uintptr_t>(p) & ~(kPageSize - 1));
  }
  std::size_t bitIndex(const void* p) const noexcept {
    return (reinterpret_cast<const char*>(p) - reinterpret_cast<const char*>(this)) / kGranule;
  }
  bool isMarked(const void* p) const noexcept {
    std::size_t i = bitIndex(p);
    return (marks[i / 64].load(std::memory_order_acquire) >> (i % 64)) & 1;
  }
  // True if this call set the bit (the caller now owns tracing the object).
  bool tryMark(const void* p) noexcept {
    std::size_t i = bitIndex(p);
    std::uint64_t bit = std::uint64_t{1} << (i % 64);
    if (marks[i / 64].load(std::memory_order_relaxed) & bit) return false;
    return !(marks[i / 64].fetch_or(bit, std::memory_order_acq_rel) & bit);
  }
  void clearMarks() noexcept {
    for (auto& w : marks) w.store(0, std::memory_order_relaxed);
  }
};

inline std::size_t objectSize(const HeapObject* h) noexcept {
  return h->size ? h->size : Page::of(h)->largeBytes;
}

// Per-thread allocation state for one size class (owned by ThreadState).
struct AllocBuffer {
  Page* page = nullptr;
  FreeSlot* free = nullptr;
  char* bump = nullptr;
  char* end = nullptr;
};

// Which 256 KiB-aligned addresses start a page of this heap: a two-level
// bitmap over the 48-bit address space, read without a lock. It lets the
// runtime refuse a reference that points outside its heap (a cell store of a
// forged or foreign Value) before the barrier sets a mark bit through it.
class PageMap {
 public:
  PageMap() = default;
  ~PageMap();
  PageMap(const PageMap&) = delete;
  PageMap& operator=(const PageMap&) = delete;
  void set(const Page* page, bool present);  // lock-free
  bool contains(const void* pageAddress) const noexcept {
    std::uintptr_t n = reinterpret_cast<std::uintptr_t>(pageAddress) / kPageSize;
    if (n >> (kTopBits + kLeafBits)) return false;
    const std::atomic<std::uint64_t>* leaf = top_[n >> kLeafBits].load(std::memory_order_acquire);
    if (!leaf) return false;
    std::size_t bit = n & ((std::size_t{1} << kLeafBits) - 1);
    return (leaf[bit / 64].load(std::memory_order_acquire) >> (bit % 64)) & 1;
  }

 private:
  static constexpr unsigned kLeafBits = 15;  // 2^15 pages (8 GiB of address space) per leaf
  static constexpr unsigned kTopBits = 48 - 18 - kLeafBits;
  static_assert(kPageSize == std::size_t{1} << 18, "PageMap indexes 2^18-byte pages");
  static_assert(sizeof(std::uintptr_t) * 8 <= 48 || sizeof(std::uintptr_t) == 8,
                "PageMap covers 48-bit addresses: every 32-bit (wasm32) one, the user space of 64-bit ones");
  std::atomic<std::atomic<std::uint64_t>*> top_[std::size_t{1} << kTopBits] = {};
};

struct HeapCounters {
  std::size_t heapBytes = 0;
  std::size_t pages = 0;
  std::size_t largeObjects = 0;
};

// A singly linked list of pages through Page::next that knows its tail, so
// that a whole list moves onto another in constant time (beginSweep must not
// walk every page of the heap with the page lists locked).
struct PageList {
  Page* head = nullptr;
  Page* tail = nullptr;
  void push(Page* p) noexcept {
    p->next = head;
    head = p;
    if (!tail) tail = p;
  }
  Page* pop() noexcept {
    Page* p = head;
    if (p) {
      head = p->next;
      if (!head) tail = nullptr;
    }
    return p;
  }
  // Moves every page of `other` to the front of this list.
  void takeAll(PageList& other) noexcept {
    if (!other.head) return;
    other.tail->next = head;
    if (!tail) tail = other.tail;
    head = other.head;
    other = PageList{};
  }
};

class Heap {
 public:
  explicit Heap(std::size_t limitBytes) : limitBytes_(limitBytes) {}
  ~Heap();

  // Gives `buffer` a fresh page of its class (a swept one with free slots if
  // any, else a new one). Returns false when the hard limit forbids growth.
  bool refill(AllocBuffer& buffer, std::uint8_t sizeClass);
  // Returns a thread's page to the heap. `forSweep`: the sweep that is
  // starting must sweep it (the kSweepStart handshake); otherwise the next
  // cycle's sweep will.
  void retire(AllocBuffer& buffer, bool forSweep = false);
  // retire() for all of a thread's buffers under one lock (the handshake path).
  void retireAll(AllocBuffer* buffers, std::size_t count, bool forSweep);
  // A page run of its own for an object of `bytes`; nullptr past the limit.
  // `*mapped` gets the bytes the run takes (what the pacer is told).
  void* allocateLarge(std::size_t bytes, std::size_t* mapped);

  // A sweep assist: while a sweep is under way, a thread that needs a page
  // sweeps up to `maxPages` unswept pages of its own class and takes one with
  // room, instead of growing the heap; before every page after the first it
  // asks `mayGoOn()` (its frame budget). False if that found none.
  template <class Finalize, class MayGoOn>
  bool refillBySweeping(AllocBuffer& buffer, std::uint8_t sizeClass, Finalize&& finalize, int maxPages,
                        MayGoOn&& mayGoOn);

  // --- collector side ---
  void clearAllMarks();
  // Moves every page not owned by a thread, and every large object, to the
  // to-sweep lists, and zeroes the sweep totals. Called once marking is complete.
  void beginSweep();
  // Sweeps one page or large object from the to-sweep lists; false when
  // none is left. `finalize` runs on each dead object before it is freed.
  template <class Finalize>
  bool sweepOne(Finalize&& finalize);
  // Waits until no thread is in the middle of a sweep assist: after this the
  // sweep is complete and the mark bits may be cleared again.
  void waitForSweepAssists() const;

  // What the current (or last) sweep found, collector and assists together.
  struct SweepTotals {
    std::atomic<std::size_t> freedBytes{0}, liveBytes{0}, liveObjects{0};
  };
  const SweepTotals& sweepTotals() const noexcept { return totals_; }

  bool contains(const void* p) const;  // a live page of this heap (verifier)
  // Whether `p` is the start of a slot or large object of this heap that is
  // not free. Lock-free; for checking values callers hand in.
  bool isObjectAddress(const void* p) const noexcept;
  // Unmaps empty pages beyond `keepPages`; returns how many.
  std::size_t releaseEmptyPages(std::size_t keepPages);
  // End of a cycle: keeps twice as many empty pages as threads took in the
  // busiest of the last four cycles (the churn's working set, which would
  // otherwise be released and faulted in again), at least `minKeep`, and
  // releases the rest, and keeps none that would take the heap past
  // `goalBytes`. A program that stops allocating gets its memory back four
  // cycles later.
  std::size_t releaseIdlePages(std::size_t minKeep, std::size_t goalBytes);
  std::size_t heapBytes() const noexcept { return heapBytes_.load(std::memory_order_relaxed); }
  std::size_t limitBytes() const noexcept { return limitBytes_; }
  bool overLimit(std::size_t extra) const noexcept { return heapBytes() + extra > limitBytes_; }
  template <class F>
  void forEachPage(F&& f) const {
    auto lock = lockLists();
    for (Page* p : allPages_) f(p);
  }

 private:
  Page* newPage(std::uint8_t sizeClass, std::size_t bytes, bool large);
  void freePage(Page* page);
  // A swept page of the class with room, else an empty page re-formatted
  // for it; null if neither (mutex held).
  Page* takeAvailable(std::uint8_t sizeClass);
  void formatSmall(Page* page, std::uint8_t sizeClass);
  void install(AllocBuffer& buffer, Page* page);
  void retireLocked(AllocBuffer& buffer, bool forSweep);  // mutex held
  // Sweeps a small page nobody else can see, then files it (available_ or full_).
  template <class Finalize>
  void sweepPage(Page* page, Finalize&& finalize);

  std::size_t limitBytes_;
  std::atomic<std::size_t> heapBytes_{0};
  mutable std::mutex mutex_;
  PageList available_[kNumSizeClasses];  // swept, with free slots
  PageList full_[kNumSizeClasses];       // swept, no free slot, or retired between cycles
  PageList unswept_[kNumSizeClasses];    // to sweep in the current cycle
  std::size_t nextUnsweptClass_ = 0;     // where sweepOne looks first
  std::atomic<int> assists_{0};          // threads sweeping a page right now
  SweepTotals totals_;
  Page* empty_ = nullptr;  // small pages with nothing on them, any class
  std::size_t emptyCount_ = 0;
  mutable std::size_t pagesTaken_ = 0;           // pages handed to threads since releaseIdlePages
  std::array<std::size_t, 4> recentTaken_ = {};  // pagesTaken_ of the last four cycles
  std::size_t recentNext_ = 0;
  PageList large_;
  PageList largeUnswept_;
  PageMap pageMap_;
  mutable std::vector<Page*> allPages_;  // sorted; for contains() and clearAllMarks()
  // A thread never sleeps on the page lists to hand a page in or to make one:
  // new pages, and pages retired while the lists are busy, wait on these
  // lock-free stacks (push, or take all) for the next holder of the lock,
  // which files them before it reads anything (lockLists).
  mutable std::atomic<Page*> newPending_{nullptr};
  std::atomic<Page*> retiredPending_{nullptr};
  std::unique_lock<std::mutex> lockLists();
  std::unique_lock<std::mutex> lockLists() const;  // files new pages only
  void fileNewPagesLocked() const;
  void fileRetiredLocked();
};

void poisonFreed(void* p, std::size_t bytes) noexcept;

template <class Finalize>
void Heap::sweepPage(Page* page, Finalize&& finalize) {
  FreeSlot* freeList = nullptr;
  std::size_t live = 0, liveObjects = 0, freed = 0;
  const std::size_t slot = page->slotSize;
  for (char* p = page->begin; p < page->initEnd; p += slot) {
    auto* h = reinterpret_cast<HeapObject*>(p);
    if (h->kind != ObjectKind::kFree) {
      if (page->isMarked(p)) {
        live += slot;
        ++liveObjects;
        continue;
      }
      finalize(h);
      freed += slot;
      poisonFreed(p, slot);
    }
    auto* f = reinterpret_cast<FreeSlot*>(p);
    f->header = HeapObject{ObjectKind::kFree, 0, 0, 0};
    f->next = freeList;
    freeList = f;
  }
  page->freeList = freeList;
  page->liveBytes = live;
  totals_.liveBytes.fetch_add(live, std::memory_order_relaxed);
  totals_.liveObjects.fetch_add(liveObjects, std::memory_order_relaxed);
  totals_.freedBytes.fetch_add(freed, std::memory_order_relaxed);
  auto lock = lockLists();
  if (live == 0) {
    page->freeList = nullptr;
    page->next = empty_;
    empty_ = page;
    ++emptyCount_;
    return;
  }
  bool hasRoom = freeList != nullptr || page->initEnd < page->end;
  (hasRoom ? available_ : full_)[page->sizeClass].push(page);
}

template <class Finalize>
bool Heap::sweepOne(Finalize&& finalize) {
  Page* page = nullptr;
  bool large = false;
  {
    auto lock = lockLists();
    if ((page = largeUnswept_.pop())) {
      large = true;
    } else {
      for (std::size_t k = 0; k < kNumSizeClasses && !page; ++k) {
        std::size_t c = (nextUnsweptClass_ + k) % kNumSizeClasses;
        if ((page = unswept_[c].pop())) nextUnsweptClass_ = c;
      }
      if (!page) return false;
    }
  }
  if (!large) {
    sweepPage(page, finalize);
    return true;
  }
  auto* h = reinterpret_cast<HeapObject*>(page->begin);
  if (page->isMarked(h)) {
    totals_.liveBytes.fetch_add(page->largeBytes, std::memory_order_relaxed);
    totals_.liveObjects.fetch_add(1, std::memory_order_relaxed);
    auto lock = lockLists();
    large_.push(page);
  } else {
    finalize(h);
    totals_.freedBytes.fetch_add(page->largeBytes, std::memory_order_relaxed);
    freePage(page);
  }
  return true;
}

template <class Finalize, class MayGoOn>
bool Heap::refillBySweeping(AllocBuffer& buffer, std::uint8_t sizeClass, Finalize&& finalize, int maxPages,
                            MayGoOn&& mayGoOn) {
  retire(buffer);
  for (int i = 0; i <= maxPages; ++i) {
    Page* page = nullptr;
    if (i > 0 && !mayGoOn()) return false;
    {
      auto lock = lockLists();
      if (Page* ready = takeAvailable(sizeClass)) {
        install(buffer, ready);
        return true;
      }
      if (i == maxPages || !(page = unswept_[sizeClass].pop())) return false;
      assists_.fetch_add(1, std::memory_order_relaxed);
    }
    struct Done {  // the collector waits for assists_ to reach 0, even if finalize throws
      std::atomic<int>& n;
      ~Done() { n.fetch_sub(1, std::memory_order_release); }
    } done{assists_};
    sweepPage(page, finalize);
  }
  return false;
}

}  // namespace proto::internal
