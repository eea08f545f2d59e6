// cells.cpp — the mutability table (see cells.h).
#include "cells.h"

#include <proto/error.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "stall.h"

namespace proto {

std::size_t numericTypeSize(NumericType type) noexcept {
  switch (type) {
    case NumericType::kF64:
      return 8;
    case NumericType::kF32:
    case NumericType::kI32:
    case NumericType::kU32:
      return 4;
    case NumericType::kU8:
      return 1;
  }
  return 8;
}

const char* numericTypeName(NumericType type) noexcept {
  switch (type) {
    case NumericType::kF64:
      return "f64";
    case NumericType::kF32:
      return "f32";
    case NumericType::kI32:
      return "i32";
    case NumericType::kU32:
      return "u32";
    case NumericType::kU8:
      return "u8";
  }
  return "?";
}

}  // namespace proto

namespace proto::internal {

void BatchStack::push(CellBatch* batch) noexcept {
  std::uint64_t head = head_.load(std::memory_order_relaxed);
  std::uint64_t next;
  do {
    batch->next.store(top(head), std::memory_order_relaxed);
    next = with(head, batch);
  } while (!head_.compare_exchange_weak(head, next, std::memory_order_release, std::memory_order_relaxed));
}

CellBatch* BatchStack::pop() noexcept {
  std::uint64_t head = head_.load(std::memory_order_acquire);
  for (;;) {
    CellBatch* first = top(head);
    if (!first) return nullptr;
    // `first` may be taken meanwhile; its memory stays valid (batches are
    // never freed) and the tag makes the CAS fail if it was.
    CellBatch* below = first->next.load(std::memory_order_relaxed);
    if (head_.compare_exchange_weak(head, with(head, below), std::memory_order_acquire,
                                    std::memory_order_acquire))
      return first;
  }
}

std::vector<CellBatch*> BatchStack::drain() noexcept {
  std::vector<CellBatch*> out;
  while (CellBatch* b = pop()) out.push_back(b);
  return out;
}

CellTable::~CellTable() {
  for (CellBatch* b : freeBatches_.drain()) delete b;
  for (CellBatch* b : spareBatches_.drain()) delete b;
  for (void* c : chunks_) std::free(c);
}

CellBatch* CellTable::spareBatch() {
  if (CellBatch* b = spareBatches_.pop()) return b;
  return new CellBatch;
}

std::size_t CellTable::reservedBytes() const noexcept {
  auto lock = lockCounted(mutex_);
  return reserved_;
}

CellWord* CellTable::carve(std::size_t cells) {
  // A run bigger than a chunk gets a chunk of its own size.
  const std::size_t n = cells > kChunkCells ? cells : kChunkCells;
  {
    auto lock = lockCounted(mutex_);
    if (cells <= kChunkCells && static_cast<std::size_t>(bumpEnd_ - bump_) >= cells) {
      CellWord* r = bump_;
      bump_ += cells;
      return r;
    }
    if (limitBytes_ && reserved_ + n * sizeof(CellWord) > limitBytes_)
      throw Error(ErrorCode::kOutOfMemory, "cell table limit of " + std::to_string(limitBytes_) +
                                               " bytes reached (" + std::to_string(reserved_) +
                                               " bytes reserved) taking " + std::to_string(cells) + " cells");
  }
  // A new chunk is mapped and zeroed outside the lock: first-touching 512 KiB
  // takes long enough that a holder descheduled meanwhile made other threads
  // sleep for milliseconds.
  void* mem = std::aligned_alloc(64, n * sizeof(CellWord));
  if (!mem)
    throw Error(ErrorCode::kOutOfMemory, "cell table: cannot reserve " + std::to_string(n * 8) + " bytes");
  std::memset(mem, 0, n * sizeof(CellWord));
  auto* first = static_cast<CellWord*>(mem);
  auto lock = lockCounted(mutex_);
  chunks_.push_back(mem);
  reserved_ += n * sizeof(CellWord);
  if (cells > kChunkCells) return first;  // the current bump chunk stays as it is
  // Another thread may have installed a chunk meanwhile: this one becomes the
  // bump region anyway (what is left of the other is not used).
  bump_ = first + cells;
  bumpEnd_ = first + n;
  return first;
}

void CellTable::takeBatch(std::vector<CellWord*>& out, std::size_t atLeast) {
  const std::size_t target = std::max(kBatch, atLeast);
  if (out.size() >= target) return;
  out.reserve(target + kBatch);
  while (out.size() < target) {
    CellBatch* b = freeBatches_.pop();
    if (!b) break;
    out.insert(out.end(), b->cells, b->cells + b->count);
    inUse_.fetch_add(b->count, std::memory_order_relaxed);  // counted when handed to a thread
    b->count = 0;
    spareBatches_.push(b);
  }
  if (out.size() >= target) return;
  std::size_t fromChunk = target - out.size();
  CellWord* run = carve(fromChunk);  // may throw: nothing taken from a chunk yet
  for (std::size_t i = 0; i < fromChunk; ++i) out.push_back(run + i);
  inUse_.fetch_add(fromChunk, std::memory_order_relaxed);
}

void CellTable::giveBack(std::vector<CellWord*>& cells) {
  for (CellWord* c : cells) c->store(Value::nil().bits(), std::memory_order_relaxed);
  for (std::size_t i = 0; i < cells.size(); i += kBatch) {
    CellBatch* b = spareBatch();
    b->count = static_cast<std::uint32_t>(std::min(kBatch, cells.size() - i));
    std::copy_n(cells.begin() + static_cast<std::ptrdiff_t>(i), b->count, b->cells);
    freeBatches_.push(b);
  }
  inUse_.fetch_sub(cells.size(), std::memory_order_relaxed);
  cells.clear();
}

NumericBlock CellTable::allocateNumeric(NumericType type, std::size_t count) {
  constexpr std::size_t kMaxElements = std::size_t{1} << 31;
  if (count == 0 || count > kMaxElements)
    throw Error(ErrorCode::kOutOfRange,
                "numeric block size must be between 1 and 2^31 elements (got " + std::to_string(count) + ")");
  std::size_t bytes = count * numericTypeSize(type);
  std::size_t cells = (bytes + 7) / 8;
  CellWord* run = nullptr;
  {
    auto lock = lockCounted(mutex_);
    auto it = freeRuns_.lower_bound(cells);
    if (it != freeRuns_.end() && it->first == cells) {
      run = it->second;
      freeRuns_.erase(it);
    }
  }
  if (!run) run = carve(cells);
  std::memset(static_cast<void*>(run), 0, cells * 8);
  inUse_.fetch_add(cells, std::memory_order_relaxed);
  return NumericBlock{run, count, bytes, type};
}

void CellTable::freeNumeric(NumericBlock& block) {
  if (!block.data) return;
  std::size_t cells = (block.bytes + 7) / 8;
  {
    auto lock = lockCounted(mutex_);
    freeRuns_.emplace(cells, static_cast<CellWord*>(block.data));
  }
  inUse_.fetch_sub(cells, std::memory_order_relaxed);
  block = NumericBlock{};
}

}  // namespace proto::internal
