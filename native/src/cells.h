// cells.h — the mutability table (owner of every cell's memory).
//
// Invariant (cells never move): cells are carved from 512 KiB chunks that
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

class CellTable {
 public:
  static constexpr std::size_t kChunkCells = 64 * 1024;
  static constexpr std::size_t kBatch = 64;  // cells a thread takes at a time

  explicit CellTable(std::size_t limitBytes = 0) : limitBytes_(limitBytes) {}
  ~CellTable();
  CellTable(const CellTable&) = delete;
  CellTable& operator=(const CellTable&) = delete;

  // Tops `out` (the thread's cache) up to max(kBatch, atLeast) free value
  // cells. Throws kOutOfMemory, leaving `out` as it was, if none can be had.
  void takeBatch(std::vector<CellWord*>& out, std::size_t atLeast);
  // Returns value cells (the sweeper frees dead objects' cells in batches).
  void giveBack(std::vector<CellWord*>& cells);

  NumericBlock allocateNumeric(NumericType type, std::size_t count);
  void freeNumeric(NumericBlock& block);

  std::size_t cellsInUse() const noexcept { return inUse_.load(std::memory_order_relaxed); }
  std::size_t reservedBytes() const noexcept;

 private:
  CellWord* carve(std::size_t cells);  // mutex held

  mutable std::mutex mutex_;
  std::vector<void*> chunks_;
  CellWord* bump_ = nullptr;
  CellWord* bumpEnd_ = nullptr;
  std::vector<CellWord*> freeCells_;
  std::multimap<std::size_t, CellWord*> freeRuns_;  // numeric runs by cell count
  std::atomic<std::size_t> inUse_{0};
  std::size_t reserved_ = 0;
  std::size_t limitBytes_;  // 0: none
};

}  // namespace proto::internal
