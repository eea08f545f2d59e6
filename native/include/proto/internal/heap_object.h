// proto/internal/heap_object.h — the layout every heap object starts with, and
// the layout of prototype objects. Public only because Thread::get() is inline.
//
// Invariant 1 (heap immutability; docs/architecture.md): once an object is published — returned to a
// caller or stored anywhere another thread can see — none of the bytes below
// change until the collector frees it. Mutable state lives in cells only
// (proto/cells.h); mark bits live in the page header, outside objects.
#pragma once

#include <cstdint>

namespace proto::internal {

enum class ObjectKind : std::uint8_t {
  kFree = 0,   // a free slot on a page (the sweeper writes this)
  kObject,     // a prototype object: parent + sorted attributes
  kRopeLeaf,   // string rope leaf: UTF-8 bytes
  kRopeNode,   // string rope inner node
  kTupleLeaf,  // tuple leaf: values
  kTupleNode,  // tuple inner node
};

struct HeapObject {
  ObjectKind kind;
  std::uint8_t flags;
  std::uint16_t reserved;
  std::uint32_t size;  // bytes, header included (0 for large objects: see the page)
};

inline constexpr std::uint32_t kAttrMutable = 1;

// One attribute of an object. For a mutable attribute `value` is a cell
// address (Value tag kTagCell); otherwise it is the attribute's value.
struct AttrEntry {
  std::uint32_t symbol;
  std::uint32_t flags;
  std::uint64_t value;
};

// Objects are created with their parent and their attributes, sorted by
// symbol id, and never change afterwards.
struct ObjectData {
  HeapObject header;
  ObjectData* parent;  // nullptr at the root of a chain
  std::uint32_t count;
  std::uint32_t reserved;
  AttrEntry entries[1];  // `count` entries (flexible array)

  const AttrEntry* findOwn(std::uint32_t symbol) const noexcept {
    if (count <= 8) {
      for (std::uint32_t i = 0; i < count; ++i)
        if (entries[i].symbol == symbol) return &entries[i];
      return nullptr;
    }
    std::uint32_t lo = 0, hi = count;
    while (lo < hi) {
      std::uint32_t mid = (lo + hi) / 2;
      if (entries[mid].symbol < symbol)
        lo = mid + 1;
      else
        hi = mid;
    }
    return lo < count && entries[lo].symbol == symbol ? &entries[lo] : nullptr;
  }

  static constexpr std::uint32_t bytesFor(std::uint32_t count) noexcept {
    return static_cast<std::uint32_t>(sizeof(ObjectData) - sizeof(AttrEntry) +
                                      (count ? count : 1) * sizeof(AttrEntry));
  }
};

}  // namespace proto::internal
