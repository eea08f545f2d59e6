// cells.h — the mutability table (owner of every cell's memory).
//
// Invariant 11 (cells never move; docs/architecture.md): cells are carved from 512 KiB chunks that
// stay at their address until the runtime is destroyed, so a cell address
// may be cached anywhere (attribute caches, JS typed arrays). Value cells are
// handed to objects' mutable attributes and come back when the sweeper frees
// their object; numeric blocks are contiguous runs for ECS columns and are
// never read as references (invariant 6).
#pragma once

#include <proto/cells.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

namespace proto::internal {

using CellWord = std::atomic<std::uint64_t>;

// Up to CellTable::kBatch free value cells, moved between threads as a unit.
struct alignas(64) CellBatch {
  std::atomic<CellBatch*> next{nullptr};  // atomic: a pop may read it while its batch is re-pushed
  std::uint32_t count = 0;
  CellWord* cells[64];
};

// A lock-free stack of CellBatches (Treiber's). The head word holds the
// batch's address shifted right by 6 (batches are 64-byte aligned, addresses
// below 2^48: 42 bits) and a 22-bit tag bumped by every change, so a pop
// whose CAS races 4 million others on the same top is the only ABA left.
// Batches are never freed while the table lives, so a pop may read `next`
// of a batch another thread just took.
class BatchStack {
 public:
  void push(CellBatch* batch) noexcept;
  CellBatch* pop() noexcept;
  std::vector<CellBatch*> drain() noexcept;  // the destructor's: no thread is left

 private:
  static constexpr unsigned kPointerBits = 42;
  static constexpr std::uint64_t kPointerMask = (std::uint64_t{1} << kPointerBits) - 1;
  static_assert(sizeof(std::uintptr_t) * 8 <= kPointerBits + 6 || sizeof(std::uintptr_t) == 8,
                "a batch address >> 6 fits kPointerBits (32-bit targets always; 64-bit below 2^48)");
  static CellBatch* top(std::uint64_t head) noexcept {
    return reinterpret_cast<CellBatch*>(static_cast<std::uintptr_t>(head & kPointerMask) << 6);
  }
  static std::uint64_t with(std::uint64_t head, CellBatch* batch) noexcept {  // next tag, new top
    return ((head >> kPointerBits) + 1) << kPointerBits | (reinterpret_cast<std::uintptr_t>(batch) >> 6);
  }
  std::atomic<std::uint64_t> head_{0};
};

class CellTable {
 public:
  static constexpr std::size_t kChunkCells = 64 * 1024;
  static constexpr std::size_t kBatch = 64;  // cells a thread takes at a time

  explicit CellTable(std::size_t limitBytes = 0) : limitBytes_(limitBytes) {}
  ~CellTable();
  CellTable(const CellTable&) = delete;
  CellTable& operator=(const CellTable&) = delete;

  // Tops `out` (the thread's cache) up to max(kBatch, atLeast) free value
  // cells. Throws kOutOfMemory if none can be had (cells already moved into
  // `out` stay there). Free cells come from a lock-free stack of batches; the
  // mutex is taken only to carve new cells from a chunk.
  void takeBatch(std::vector<CellWord*>& out, std::size_t atLeast);
  // Returns value cells (the sweeper frees dead objects' cells in batches):
  // lock-free, so a sweeper descheduled mid-way never holds a thread up.
  void giveBack(std::vector<CellWord*>& cells);

  NumericBlock allocateNumeric(NumericType type, std::size_t count);
  void freeNumeric(NumericBlock& block);

  std::size_t cellsInUse() const noexcept { return inUse_.load(std::memory_order_relaxed); }
  std::size_t reservedBytes() const noexcept;

 private:
  CellWord* carve(std::size_t cells);  // takes the mutex itself, briefly
  CellBatch* spareBatch();

  mutable std::mutex mutex_;
  std::vector<void*> chunks_;
  CellWord* bump_ = nullptr;
  CellWord* bumpEnd_ = nullptr;
  BatchStack freeBatches_;                          // batches of free value cells
  BatchStack spareBatches_;                         // empty batch records, for reuse
  std::multimap<std::size_t, CellWord*> freeRuns_;  // numeric runs by cell count
  std::atomic<std::size_t> inUse_{0};
  std::size_t reserved_ = 0;
  std::size_t limitBytes_;  // 0: none
};
static_assert(sizeof(CellBatch::cells) / sizeof(CellWord*) == CellTable::kBatch);

}  // namespace proto::internal
