// temps.h — frame temporaries: script data that lives for one frame, made in
// Proto and held through integer handles, so V8 sees numbers, never objects.
// Each temporary is kept alive by one of the environment's arena cells
// (standalone cells: roots); frames.end() clears the cells it used, so
// everything the frame made and did not keep becomes garbage for Proto's
// collector, none for V8's. Numbers go in and out through one Float64Array
// (the io array): passing or returning a double through a call would box it on
// V8's heap. A handle is (frame epoch mod 1024) × 2^20 + index: one used after
// its frame ended is refused instead of naming whatever took its cell.
#pragma once

#include <napi.h>
#include <proto/runtime.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace proto_addon {

class TempArena {
 public:
  static constexpr std::uint32_t kIndexBits = 20;
  static constexpr std::uint32_t kMax = 1u << kIndexBits;

  // Ends this frame's temporaries: their cells are cleared, their handles stale.
  void release(proto::Thread& thread);
  // Stores `value` in the next arena cell; returns its handle. `shape` is the
  // record shape, or -1 for a string.
  double keep(proto::Thread& thread, proto::Value value, std::int32_t shape);
  // The cell index of a handle of this frame (RangeError for any other).
  std::size_t index(const Napi::Value& v, const char* fn) const;
  // The io array, holding at least `slots` numbers.
  double* io(std::size_t slots, const char* fn) const;

  std::vector<proto::Cell> cells;
  std::vector<std::int32_t> shapeOf;  // shape per used cell; -1: a string
  std::size_t used = 0;
  std::uint32_t epoch = 0;
  std::vector<std::vector<proto::Symbol>> shapes;  // field names per shape
  std::vector<std::string> texts;
  Napi::ObjectReference ioRef;
  double* ioData = nullptr;
  std::size_t ioLength = 0;
};

}  // namespace proto_addon
