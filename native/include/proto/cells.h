// proto/cells.h — references into the mutability table.
//
// All mutable state of the runtime lives in one table of 64-bit atomic cells,
// allocated in chunks that never move (native/src/cells.h). A Cell names one
// value cell: it may hold any Value, references included, and stores to it go
// through Thread (the collector's barrier needs the thread). Loads need no
// thread. A NumericBlock is a contiguous run of cells holding raw numbers of
// one type — an ECS column — whose bytes may be handed to JavaScript; the
// collector never reads them as references.
#pragma once

#include <proto/value.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace proto {

class Cell {
 public:
  Cell() noexcept = default;
  explicit Cell(std::atomic<std::uint64_t>* cell) noexcept : cell_(cell) {}

  explicit operator bool() const noexcept { return cell_ != nullptr; }
  // Acquire pairs with the release in stores, so a reference loaded from a
  // cell always sees its object's initialised fields.
  Value load() const noexcept { return Value::fromBits(cell_->load(std::memory_order_acquire)); }
  std::atomic<std::uint64_t>* raw() const noexcept { return cell_; }
  friend bool operator==(Cell a, Cell b) noexcept { return a.cell_ == b.cell_; }

 private:
  std::atomic<std::uint64_t>* cell_ = nullptr;
};

enum class NumericType : std::uint8_t { kF64, kF32, kI32, kU32, kU8 };

std::size_t numericTypeSize(NumericType type) noexcept;
const char* numericTypeName(NumericType type) noexcept;

// A column of raw numbers inside the cell table. `data` is 8-byte aligned and
// stays at the same address until the block is freed.
struct NumericBlock {
  void* data = nullptr;
  std::size_t count = 0;  // elements
  std::size_t bytes = 0;  // count * element size (the cells behind it round up to 8)
  NumericType type = NumericType::kF64;
  explicit operator bool() const noexcept { return data != nullptr; }
};

}  // namespace proto
