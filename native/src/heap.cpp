// heap.cpp — pages, size classes and large objects (see heap.h).
#include "heap.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
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

Heap::~Heap() {
  std::vector<Page*> pages;
  {
    std::lock_guard lock(mutex_);
    pages.swap(allPages_);
  }
  for (Page* p : pages) {
    unpoison(p, p->mappedBytes);
    std::free(p);
  }
}

Page* Heap::newPage(std::uint8_t sizeClass, std::size_t bytes, bool large) {
  std::size_t mapped = large ? (kHeaderBytes + bytes + kPageSize - 1) / kPageSize * kPageSize : kPageSize;
  void* mem = std::aligned_alloc(kPageSize, mapped);
  if (!mem) return nullptr;
  // Only the header needs zeroing: the sweeper reads slot headers below
  // initEnd only, and every slot's header is written when it is allocated.
  std::memset(mem, 0, kHeaderBytes);
  auto* page = new (mem) Page{};
  page->magic = kPageMagic;
  page->sizeClass = sizeClass;
  page->large = large;
  page->mappedBytes = mapped;
  page->begin = static_cast<char*>(mem) + kHeaderBytes;
  if (large) {
    page->slotSize = 0;
    page->largeBytes = bytes;
    page->end = page->begin + bytes;
    page->initEnd = page->end;
  } else {
    page->slotSize = kSizeClasses[sizeClass];
    std::size_t slots = (kPageSize - kHeaderBytes) / page->slotSize;
    page->end = page->begin + slots * page->slotSize;
    page->initEnd = page->begin;
  }
  heapBytes_.fetch_add(mapped, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  allPages_.insert(std::upper_bound(allPages_.begin(), allPages_.end(), page), page);
  return page;
}

void Heap::freePage(Page* page) {
  {
    std::lock_guard lock(mutex_);
    auto it = std::lower_bound(allPages_.begin(), allPages_.end(), page);
    if (it != allPages_.end() && *it == page) allPages_.erase(it);
  }
  heapBytes_.fetch_sub(page->mappedBytes, std::memory_order_relaxed);
  page->magic = 0;
  std::free(page);
}

Page* Heap::takeAvailable(std::uint8_t sizeClass) {
  Page* page = available_[sizeClass];
  if (page) available_[sizeClass] = page->next;
  return page;
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
  Page* page;
  {
    std::lock_guard lock(mutex_);
    page = takeAvailable(sizeClass);
  }
  if (!page) {
    if (overLimit(kPageSize)) return false;
    page = newPage(sizeClass, 0, false);
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
  Page*& list = forSweep ? unswept_[page->sizeClass] : full_[page->sizeClass];
  page->next = list;
  list = page;
}

void Heap::retire(AllocBuffer& buffer, bool forSweep) {
  if (!buffer.page) return;
  std::lock_guard lock(mutex_);
  retireLocked(buffer, forSweep);
}

void Heap::retireAll(AllocBuffer* buffers, std::size_t count, bool forSweep) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < count; ++i) retireLocked(buffers[i], forSweep);
}

void* Heap::allocateLarge(std::size_t bytes) {
  std::size_t mapped = (kHeaderBytes + bytes + kPageSize - 1) / kPageSize * kPageSize;
  if (overLimit(mapped)) return nullptr;
  Page* page = newPage(0, bytes, true);
  if (!page) return nullptr;
  std::lock_guard lock(mutex_);
  page->next = large_;
  large_ = page;
  return page->begin;
}

void Heap::clearAllMarks() {
  std::lock_guard lock(mutex_);
  for (Page* p : allPages_) p->clearMarks();
}

void Heap::beginSweep() {
  totals_.freedBytes.store(0, std::memory_order_relaxed);
  totals_.liveBytes.store(0, std::memory_order_relaxed);
  totals_.liveObjects.store(0, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  auto moveAll = [&](Page*& list) {
    while (list) {
      Page* p = list;
      list = p->next;
      p->next = unswept_[p->sizeClass];
      unswept_[p->sizeClass] = p;
    }
  };
  for (std::size_t c = 0; c < kNumSizeClasses; ++c) {
    // A page taken back from available_ keeps the free list it was given;
    // the sweep rebuilds it from the headers.
    for (Page* p = available_[c]; p; p = p->next) p->freeList = nullptr;
    moveAll(available_[c]);
    moveAll(full_[c]);
  }
  while (large_) {
    Page* p = large_;
    large_ = p->next;
    p->next = largeUnswept_;
    largeUnswept_ = p;
  }
}

bool Heap::contains(const void* p) const {
  Page* page = Page::of(p);
  std::lock_guard lock(mutex_);
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
