// heap.cpp — pages, size classes and large objects (see heap.h).
#include "heap.h"

#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <thread>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PROTO_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(PROTO_SANITIZE_ADDRESS)
#ifndef PROTO_ASAN
#define PROTO_ASAN 1
#endif
#endif
#ifdef PROTO_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace proto::internal {

namespace {
constexpr std::size_t kHeaderBytes = (sizeof(Page) + kGranule - 1) / kGranule * kGranule;

struct SizeClassTable {
  std::uint8_t byGranules[kMaxSmallSize / kGranule + 1];
  constexpr SizeClassTable() : byGranules{} {
    std::size_t cls = 0;
    for (std::size_t g = 0; g <= kMaxSmallSize / kGranule; ++g) {
      while (kSizeClasses[cls] < g * kGranule) ++cls;
      byGranules[g] = static_cast<std::uint8_t>(cls);
    }
  }
};
constexpr SizeClassTable kTable;
}  // namespace

std::uint8_t sizeClassFor(std::size_t bytes) noexcept {
  return kTable.byGranules[(bytes + kGranule - 1) / kGranule];
}

void poisonFreed(void* p, std::size_t bytes) noexcept {
  // The first 16 bytes become the FreeSlot header; the rest is poison.
  char* rest = static_cast<char*>(p) + sizeof(FreeSlot);
  std::size_t n = bytes > sizeof(FreeSlot) ? bytes - sizeof(FreeSlot) : 0;
#ifndef NDEBUG
  std::memset(rest, 0xDB, n);
#endif
#ifdef PROTO_ASAN
  ASAN_POISON_MEMORY_REGION(rest, n);
#else
  (void)rest;
  (void)n;
#endif
}

static void unpoison(void* p, std::size_t bytes) noexcept {
#ifdef PROTO_ASAN
  ASAN_UNPOISON_MEMORY_REGION(p, bytes);
#else
  (void)p;
  (void)bytes;
#endif
}

// ---- page memory ----
//
// Single pages come from 16 MiB arenas mapped from the OS: one mapping per
// arena, not per page, so that a big heap stays far below the kernel's limit
// on mappings (vm.max_map_count; ThreadSanitizer hit it with a mapping per
// page). A freed page is given back to the OS with MADV_DONTNEED, which
// drops its memory (RSS follows the heap) but keeps the address range, and
// goes on a process-wide list for the next page any runtime needs. Page runs
// of large objects are mapped and unmapped whole.

namespace {
constexpr std::size_t kArenaPages = 64;

#if defined(__EMSCRIPTEN__)
// wasm has no address space to map: emscripten's mmap takes memory from the C
// heap, cannot unmap part of a mapping (3.1.6 even keeps its lock held when
// asked to, and the next mmap deadlocks), and madvise drops nothing. So pages
// come from the C heap already aligned, and a released page is zeroed by hand
// (the next user expects what a fresh mapping gives).
void* mapAligned(std::size_t bytes) {
  void* p = nullptr;
  if (posix_memalign(&p, kPageSize, bytes) != 0) return nullptr;
  std::memset(p, 0, bytes);
  return p;
}
void unmapWhole(void* mem, std::size_t) { std::free(mem); }
void dropMemory(void* mem, std::size_t bytes) { std::memset(mem, 0, bytes); }
#else
void unmapWhole(void* mem, std::size_t bytes) { munmap(mem, bytes); }
void dropMemory(void* mem, std::size_t bytes) { madvise(mem, bytes, MADV_DONTNEED); }

void* mapAligned(std::size_t bytes) {
  std::size_t span = bytes + kPageSize;
  void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  auto start = reinterpret_cast<std::uintptr_t>(raw);
  std::uintptr_t aligned = (start + kPageSize - 1) & ~(kPageSize - 1);
  if (aligned > start) munmap(raw, aligned - start);
  std::size_t tail = start + span - (aligned + bytes);
  if (tail) munmap(reinterpret_cast<void*>(aligned + bytes), tail);
  return reinterpret_cast<void*>(aligned);
}
#endif

// The pool of single pages, shared by every runtime of the process and
// lock-free: a thread that needs a page never sleeps behind one that is
// mapping an arena or giving a page back (or behind one the OS descheduled
// while it did). Each arena has a bitmap of its free pages; taking a page
// clears a bit by compare-exchange, giving one back sets it. Arenas are only
// ever added, to a fixed table that is published slot by slot.
struct Arena {
  std::atomic<std::uintptr_t> base{0};  // 0 until published
  std::atomic<std::uint64_t> free{0};   // bit i: page i is in the pool
};
static_assert(kArenaPages == 64, "one 64-bit word of free bits per arena");

struct PagePool {
  static constexpr std::size_t kMaxArenas = std::size_t{1} << 16;  // 1 TiB of pages
  std::unique_ptr<Arena[]> arenas{new Arena[kMaxArenas]};
  std::atomic<std::size_t> count{0};  // slots reserved; a slot's base may still be 0
  std::atomic<std::size_t> hint{0};   // where the last page was found
};
PagePool& pagePool() {
  static PagePool* pool = new PagePool;  // never destroyed: runtimes may outlive static destruction
  return *pool;
}

// Takes a free page of arena `a`, or returns null if it has none.
void* takeFrom(Arena& a) {
  std::uint64_t bits = a.free.load(std::memory_order_acquire);
  while (bits) {
    std::uint64_t lowest = bits & (~bits + 1);
    if (a.free.compare_exchange_weak(bits, bits & ~lowest, std::memory_order_acq_rel,
                                     std::memory_order_acquire))
      return reinterpret_cast<void*>(a.base.load(std::memory_order_relaxed) +
                                     static_cast<std::size_t>(std::countr_zero(lowest)) * kPageSize);
  }
  return nullptr;
}

void* mapPages(std::size_t bytes) {
  if (bytes != kPageSize) return mapAligned(bytes);
  PagePool& pool = pagePool();
  std::size_t n = std::min(pool.count.load(std::memory_order_acquire),
                           PagePool::kMaxArenas);  // a reservation past a full table is undone at once
  std::size_t start = n ? pool.hint.load(std::memory_order_relaxed) % n : 0;
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t i = (start + k) % n;
    if (!pool.arenas[i].base.load(std::memory_order_acquire)) continue;  // being published
    if (void* page = takeFrom(pool.arenas[i])) {
      pool.hint.store(i, std::memory_order_relaxed);
      return page;
    }
  }
  // No free page anywhere: map an arena, keep its first page, pool the rest.
  void* arena = mapAligned(kArenaPages * kPageSize);
  if (!arena) return nullptr;
  std::size_t slot = pool.count.fetch_add(1, std::memory_order_acq_rel);
  if (slot >= PagePool::kMaxArenas) {  // the table is full: a page of its own, outside the pool
    pool.count.fetch_sub(1, std::memory_order_acq_rel);
    unmapWhole(arena, kArenaPages * kPageSize);
    return mapAligned(kPageSize);
  }
  Arena& a = pool.arenas[slot];
  a.free.store(~std::uint64_t{1}, std::memory_order_relaxed);
  a.base.store(reinterpret_cast<std::uintptr_t>(arena), std::memory_order_release);
  pool.hint.store(slot, std::memory_order_relaxed);
  return arena;
}

void unmap(void* mem, std::size_t bytes) {
  unpoison(mem, bytes);
  if (bytes != kPageSize) {
    unmapWhole(mem, bytes);
    return;
  }
  dropMemory(mem, bytes);  // the memory goes back; the next touch reads zeros
  PagePool& pool = pagePool();
  auto address = reinterpret_cast<std::uintptr_t>(mem);
  std::size_t n = std::min(pool.count.load(std::memory_order_acquire),
                           PagePool::kMaxArenas);  // a reservation past a full table is undone at once
  for (std::size_t i = 0; i < n; ++i) {
    std::uintptr_t base = pool.arenas[i].base.load(std::memory_order_acquire);
    if (base && address >= base && address < base + kArenaPages * kPageSize) {
      pool.arenas[i].free.fetch_or(std::uint64_t{1} << ((address - base) / kPageSize),
                                   std::memory_order_acq_rel);
      return;
    }
  }
  unmapWhole(mem, bytes);  // a page mapped on its own when the table was full
}
}  // namespace

PageMap::~PageMap() {
  for (auto& leaf : top_) delete[] leaf.load(std::memory_order_relaxed);
}

void PageMap::set(const Page* page, bool present) {
  std::uintptr_t n = reinterpret_cast<std::uintptr_t>(page) / kPageSize;
  if (n >> (kTopBits + kLeafBits)) return;  // beyond 48 bits: never a Value payload
  auto& slot = top_[n >> kLeafBits];
  std::atomic<std::uint64_t>* leaf = slot.load(std::memory_order_acquire);
  if (!leaf) {
    // Threads may make pages at once: the first leaf installed wins.
    auto* fresh = new std::atomic<std::uint64_t>[(std::size_t{1} << kLeafBits) / 64]();
    if (slot.compare_exchange_strong(leaf, fresh, std::memory_order_acq_rel, std::memory_order_acquire))
      leaf = fresh;
    else
      delete[] fresh;
  }
  std::size_t bit = n & ((std::size_t{1} << kLeafBits) - 1);
  std::uint64_t mask = std::uint64_t{1} << (bit % 64);
  if (present)
    leaf[bit / 64].fetch_or(mask, std::memory_order_release);
  else
    leaf[bit / 64].fetch_and(~mask, std::memory_order_release);
}

Heap::~Heap() {
  std::vector<Page*> pages;
  {
    auto lock = lockLists();
    pages.swap(allPages_);
  }
  for (Page* p : pages) unmap(p, p->mappedBytes);
}

Page* Heap::newPage(std::uint8_t sizeClass, std::size_t bytes, bool large) {
  std::size_t mapped = large ? (kHeaderBytes + bytes + kPageSize - 1) / kPageSize * kPageSize : kPageSize;
  void* mem = mapPages(mapped);
  if (!mem) return nullptr;
  // Fresh mappings are zero: the sweeper reads slot headers below initEnd
  // only, and every slot's header is written when it is allocated.
  auto* page = new (mem) Page{};
  page->magic = kPageMagic;
  page->large = large;
  page->mappedBytes = mapped;
  page->begin = static_cast<char*>(mem) + kHeaderBytes;
  if (large) {
    page->sizeClass = 0;
    page->slotSize = 0;
    page->largeBytes = bytes;
    page->end = page->begin + bytes;
    page->initEnd = page->end;
  } else {
    formatSmall(page, sizeClass);
  }
  heapBytes_.fetch_add(mapped, std::memory_order_relaxed);
  pageMap_.set(page, true);
  // Into allPages_ at the next hold of the lock: making a page never waits for it.
  Page* head = newPending_.load(std::memory_order_relaxed);
  do {
    page->pendingNext = head;
  } while (
      !newPending_.compare_exchange_weak(head, page, std::memory_order_release, std::memory_order_relaxed));
  return page;
}

std::unique_lock<std::mutex> Heap::lockLists() {
  auto lock = lockCounted(mutex_);
  fileNewPagesLocked();
  fileRetiredLocked();
  return lock;
}

std::unique_lock<std::mutex> Heap::lockLists() const {
  auto lock = lockCounted(mutex_);
  fileNewPagesLocked();
  return lock;
}

void Heap::fileNewPagesLocked() const {
  if (!newPending_.load(std::memory_order_relaxed)) return;
  for (Page* p = newPending_.exchange(nullptr, std::memory_order_acquire); p; p = p->pendingNext) {
    allPages_.insert(std::upper_bound(allPages_.begin(), allPages_.end(), p), p);
    if (!p->large) ++pagesTaken_;
  }
}

void Heap::fileRetiredLocked() {
  if (!retiredPending_.load(std::memory_order_relaxed)) return;
  Page* p = retiredPending_.exchange(nullptr, std::memory_order_acquire);
  while (p) {
    Page* next = p->next;
    (p->retiredForSweep ? unswept_ : full_)[p->sizeClass].push(p);
    p = next;
  }
}

void Heap::formatSmall(Page* page, std::uint8_t sizeClass) {
  page->sizeClass = sizeClass;
  page->slotSize = kSizeClasses[sizeClass];
  std::size_t slots = (kPageSize - kHeaderBytes) / page->slotSize;
  page->end = page->begin + slots * page->slotSize;
  page->initEnd = page->begin;
  page->freeList = nullptr;
  page->liveBytes = 0;
}

void Heap::freePage(Page* page) {
  {
    auto lock = lockLists();
    auto it = std::lower_bound(allPages_.begin(), allPages_.end(), page);
    if (it != allPages_.end() && *it == page) allPages_.erase(it);
    pageMap_.set(page, false);
  }
  heapBytes_.fetch_sub(page->mappedBytes, std::memory_order_relaxed);
  page->magic = 0;
  unmap(page, page->mappedBytes);
}

Page* Heap::takeAvailable(std::uint8_t sizeClass) {
  Page* page = available_[sizeClass].pop();
  if (page) {
    ++pagesTaken_;
    return page;
  }
  page = empty_;
  if (!page) return nullptr;
  empty_ = page->next;
  --emptyCount_;
  ++pagesTaken_;
  unpoison(page->begin, kPageSize - kHeaderBytes);
  formatSmall(page, sizeClass);
  return page;
}

std::size_t Heap::releaseEmptyPages(std::size_t keepPages) {
  std::vector<Page*> doomed;
  {
    auto lock = lockLists();
    while (emptyCount_ > keepPages) {
      Page* p = empty_;
      empty_ = p->next;
      --emptyCount_;
      doomed.push_back(p);
    }
  }
  for (Page* p : doomed) freePage(p);
  return doomed.size();
}

std::size_t Heap::releaseIdlePages(std::size_t minKeep, std::size_t goalBytes) {
  std::size_t keep;
  {
    auto lock = lockLists();
    // Twice the most pages taken in any of the last four cycles: churn whose
    // cycles vary in length does not fault pages back in, and memory the
    // program stopped using goes back four cycles later. But kept pages never
    // take the heap past its goal.
    recentTaken_[recentNext_++ % recentTaken_.size()] = pagesTaken_;
    pagesTaken_ = 0;
    keep = std::max(minKeep, 2 * *std::max_element(recentTaken_.begin(), recentTaken_.end()));
    std::size_t inUse = heapBytes() - emptyCount_ * kPageSize;
    std::size_t room = goalBytes > inUse ? (goalBytes - inUse) / kPageSize : 0;
    keep = std::min(keep, std::max(room, minKeep));
  }
  return releaseEmptyPages(keep);
}

bool Heap::isObjectAddress(const void* p) const noexcept {
  Page* page = Page::of(p);
  if (!pageMap_.contains(page) || page->magic != kPageMagic) return false;
  auto* c = static_cast<const char*>(p);
  if (c < page->begin || c >= page->end) return false;
  if (page->large) {
    if (c != page->begin) return false;
  } else if (static_cast<std::size_t>(c - page->begin) % page->slotSize != 0) {
    return false;
  }
  return static_cast<const HeapObject*>(p)->kind != ObjectKind::kFree;
}

void Heap::install(AllocBuffer& buffer, Page* page) {
  page->next = nullptr;
  buffer.page = page;
  buffer.free = page->freeList;
  page->freeList = nullptr;
  buffer.bump = page->initEnd;
  buffer.end = page->end;
  unpoison(page->begin, static_cast<std::size_t>(page->end - page->begin));
}

bool Heap::refill(AllocBuffer& buffer, std::uint8_t sizeClass) {
  retire(buffer);
  Page* page = nullptr;
  bool busy = false;
  {
    std::unique_lock lock(mutex_, std::try_to_lock);
    if (lock.owns_lock()) {
      fileNewPagesLocked();
      fileRetiredLocked();
      page = takeAvailable(sizeClass);
    } else {
      busy = true;
    }
  }
  if (!page && busy && overLimit(kPageSize)) {
    // The lists are busy and there is no room for a new page: wait for them.
    auto lock = lockLists();
    page = takeAvailable(sizeClass);
  }
  if (!page) {
    // Nothing to reuse, or the lists are busy (another thread's operation,
    // or a holder the OS descheduled): a new page instead of sleeping.
    if (overLimit(kPageSize)) return false;
    page = newPage(sizeClass, 0, false);  // counted in pagesTaken_ when filed
    if (!page) return false;
  }
  install(buffer, page);
  return true;
}

void Heap::waitForSweepAssists() const {
  while (assists_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
}

void Heap::retireLocked(AllocBuffer& buffer, bool forSweep) {
  Page* page = buffer.page;
  if (!page) return;
  page->initEnd = buffer.bump;
  // Free slots left in the buffer keep their kFree headers; the next sweep
  // (or the next owner, via the page) finds them again.
  buffer = AllocBuffer{};
  (forSweep ? unswept_ : full_)[page->sizeClass].push(page);
}

void Heap::retire(AllocBuffer& buffer, bool forSweep) {
  Page* page = buffer.page;
  if (!page) return;
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (lock.owns_lock()) {
    retireLocked(buffer, forSweep);
    return;
  }
  // The lists are busy: hand the page over for the holder to file.
  page->initEnd = buffer.bump;
  page->retiredForSweep = forSweep;
  buffer = AllocBuffer{};
  Page* head = retiredPending_.load(std::memory_order_relaxed);
  do {
    page->next = head;
  } while (!retiredPending_.compare_exchange_weak(head, page, std::memory_order_release,
                                                  std::memory_order_relaxed));
}

void Heap::retireAll(AllocBuffer* buffers, std::size_t count, bool forSweep) {
  auto lock = lockLists();
  for (std::size_t i = 0; i < count; ++i) retireLocked(buffers[i], forSweep);
}

void* Heap::allocateLarge(std::size_t bytes, std::size_t* mappedOut) {
  std::size_t mapped = (kHeaderBytes + bytes + kPageSize - 1) / kPageSize * kPageSize;
  *mappedOut = mapped;
  if (overLimit(mapped)) {
    // Empty small pages are memory nobody uses: give them back first.
    releaseEmptyPages(0);
    if (overLimit(mapped)) return nullptr;
  }
  Page* page = newPage(0, bytes, true);
  if (!page) return nullptr;
  auto lock = lockLists();
  large_.push(page);
  return page->begin;
}

void Heap::clearAllMarks() {
  // 2 KiB of mark bits a page: 8 MiB at 1 GB. Cleared 64 pages per hold of
  // the lock, so a thread refilling meanwhile waits for 64 pages at most,
  // and a page freed between two holds (a mutator may release empty pages)
  // is never touched: each hold resumes after the last page it cleared.
  const Page* last = nullptr;
  for (;;) {
    auto lock = lockLists();
    auto it = last ? std::upper_bound(allPages_.begin(), allPages_.end(), last) : allPages_.begin();
    if (it == allPages_.end()) return;
    for (int n = 0; n < 64 && it != allPages_.end(); ++n, ++it) {
      (*it)->clearMarks();
      last = *it;
    }
  }
}

void Heap::beginSweep() {
  totals_.freedBytes.store(0, std::memory_order_relaxed);
  totals_.liveBytes.store(0, std::memory_order_relaxed);
  totals_.liveObjects.store(0, std::memory_order_relaxed);
  // Whole lists move, in constant time: the lock is held for a few stores
  // whatever the heap's size. Pages from available_ keep the free lists they
  // had; sweepPage rebuilds each page's list from its slot headers. Pages
  // handed over while the lists were busy are filed first (lockLists).
  auto lock = lockLists();
  for (std::size_t c = 0; c < kNumSizeClasses; ++c) {
    unswept_[c].takeAll(available_[c]);
    unswept_[c].takeAll(full_[c]);
  }
  largeUnswept_.takeAll(large_);
}

bool Heap::contains(const void* p) const {
  Page* page = Page::of(p);
  auto lock = lockLists();
  auto it = std::lower_bound(allPages_.begin(), allPages_.end(), page);
  if (it == allPages_.end() || *it != page || page->magic != kPageMagic) return false;
  auto* c = static_cast<const char*>(p);
  if (c < page->begin || c >= page->end) return false;
  if (page->large) return c == page->begin;
  // Not checked against initEnd: a page a thread allocates from has a stale
  // one until the thread gives it back. The verifier checks headers instead.
  return static_cast<std::size_t>(c - page->begin) % page->slotSize == 0;
}

}  // namespace proto::internal
