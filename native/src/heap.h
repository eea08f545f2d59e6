// heap.h — the non-moving, size-segregated heap (owner of pages, size classes,
// mark bits and large objects). Prefix: internal::Heap / internal::Page.
//
// Pages are 256 KiB and 256 KiB-aligned, so the page of any object (small or
// large) is its address with the low bits cleared. Each page serves one size
// class; large objects get a page run of their own with the same header.
//
// Invariant (mark bits outside objects): the mark bit of an object lives in
// its page's bitmap, one bit per 16-byte granule, indexed by the object's
// first granule. Objects are never written by the collector except by the
// sweeper when it frees them (kind := kFree).
//
// Ownership: a page is owned by at most one thread at a time (it allocates
// from it without locks), or sits in one of the heap's lists (under the heap
// mutex, touched only on the allocation slow path and by the sweeper).
#pragma once

#include <proto/internal/heap_object.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace proto::internal {

inline constexpr std::size_t kPageSize = 256 * 1024;
inline constexpr std::size_t kGranule = 16;
inline constexpr std::size_t kMarkWords = kPageSize / kGranule / 64;
inline constexpr std::uint32_t kPageMagic = 0x50524F54;  // "PROT"

// Slot sizes of the small-object classes; anything bigger is a large object.
inline constexpr std::array<std::uint32_t, 20> kSizeClasses = {
    16, 32, 48, 64, 80, 96, 128, 160, 192, 256, 320, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 8192};
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
  Page* next;               // link in one of the heap's lists (heap mutex)
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

struct HeapCounters {
  std::size_t heapBytes = 0;
  std::size_t pages = 0;
  std::size_t largeObjects = 0;
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
  void* allocateLarge(std::size_t bytes);  // nullptr past the limit

  // --- collector side ---
  void clearAllMarks();
  // Moves every page not owned by a thread, and every large object, to the
  // to-sweep lists. Called once marking is complete.
  void beginSweep();
  // Sweeps one page or large object from the to-sweep lists; false when
  // none is left. `finalize` runs on each dead object before it is freed.
  template <class Finalize>
  bool sweepOne(Finalize&& finalize, std::size_t& freedBytes, std::size_t& liveBytes,
                std::size_t& liveObjects);

  bool contains(const void* p) const;  // a live page of this heap (verifier)
  std::size_t heapBytes() const noexcept { return heapBytes_.load(std::memory_order_relaxed); }
  std::size_t limitBytes() const noexcept { return limitBytes_; }
  bool overLimit(std::size_t extra) const noexcept { return heapBytes() + extra > limitBytes_; }
  template <class F>
  void forEachPage(F&& f) const {
    std::lock_guard lock(mutex_);
    for (Page* p : allPages_) f(p);
  }

 private:
  Page* newPage(std::uint8_t sizeClass, std::size_t bytes, bool large);
  void freePage(Page* page);

  std::size_t limitBytes_;
  std::atomic<std::size_t> heapBytes_{0};
  mutable std::mutex mutex_;
  Page* available_[kNumSizeClasses] = {};  // swept, with free slots
  Page* full_[kNumSizeClasses] = {};       // swept, no free slot, or retired between cycles
  Page* unswept_ = nullptr;
  Page* large_ = nullptr;
  Page* largeUnswept_ = nullptr;
  std::vector<Page*> allPages_;  // sorted; for contains() and clearAllMarks()
};

void poisonFreed(void* p, std::size_t bytes) noexcept;

template <class Finalize>
bool Heap::sweepOne(Finalize&& finalize, std::size_t& freedBytes, std::size_t& liveBytes,
                    std::size_t& liveObjects) {
  Page* page;
  bool large;
  {
    std::lock_guard lock(mutex_);
    if (largeUnswept_) {
      page = largeUnswept_;
      largeUnswept_ = page->next;
      large = true;
    } else if (unswept_) {
      page = unswept_;
      unswept_ = page->next;
      large = false;
    } else {
      return false;
    }
  }
  if (large) {
    auto* h = reinterpret_cast<HeapObject*>(page->begin);
    if (page->isMarked(h)) {
      liveBytes += page->largeBytes;
      ++liveObjects;
      std::lock_guard lock(mutex_);
      page->next = large_;
      large_ = page;
    } else {
      finalize(h);
      freedBytes += page->largeBytes;
      freePage(page);
    }
    return true;
  }
  FreeSlot* freeList = nullptr;
  std::size_t live = 0;
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
      freedBytes += slot;
      poisonFreed(p, slot);
    }
    auto* f = reinterpret_cast<FreeSlot*>(p);
    f->header = HeapObject{ObjectKind::kFree, 0, 0, 0};
    f->next = freeList;
    freeList = f;
  }
  page->freeList = freeList;
  page->liveBytes = live;
  liveBytes += live;
  std::lock_guard lock(mutex_);
  bool hasRoom = freeList != nullptr || page->initEnd < page->end;
  Page*& list = hasRoom ? available_[page->sizeClass] : full_[page->sizeClass];
  page->next = list;
  list = page;
  return true;
}

}  // namespace proto::internal
