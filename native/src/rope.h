// rope.h — the heap layouts of string ropes and tuples (owner of
// kRopeLeaf, kRopeNode, kTupleLeaf and kTupleNode). The algorithms over them
// live in rope_tree.h (shared), rope.cpp (strings) and tuple.cpp (tuples).
//
// Invariant 13 (balanced, immutable trees; docs/architecture.md): a rope or tuple is a tree whose
// leaves all sit at height 0 and whose inner nodes all have height =
// 1 + their children's height. Every node that is not a root is at least
// half full: a leaf holds >= kMinLeaf units (bytes or values) and an inner
// node >= kMinChildren children; a root inner node has >= 2 children and a
// root leaf may hold anything from 0 to kMaxLeaf units. Every string leaf
// holds whole, well-formed UTF-8 sequences. Nodes are written once, before
// anyone else can see them, and never change.
#pragma once

#include <proto/internal/heap_object.h>
#include <proto/value.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace proto::internal {

// Lengths of a piece of text in the three units a caller may index by.
// Plain aggregates with no default member values, so arrays of them (the
// sibling lists in rope_tree.h) cost nothing to declare: write `TextLen x{}`.
struct TextLen {
  std::uint64_t bytes;
  std::uint64_t codePoints;
  std::uint64_t utf16;
  std::uint64_t primary() const noexcept { return bytes; }
  TextLen& operator+=(const TextLen& o) noexcept {
    bytes += o.bytes;
    codePoints += o.codePoints;
    utf16 += o.utf16;
    return *this;
  }
};

// Length of a run of values.
struct CountLen {
  std::uint64_t count;
  std::uint64_t primary() const noexcept { return count; }
  CountLen& operator+=(const CountLen& o) noexcept {
    count += o.count;
    return *this;
  }
};

// An inner node (kRopeNode with TextLen, kTupleNode with CountLen): `count`
// child pointers followed by `count` child lengths, so a descent scans one
// compact array and touches only the child it takes.
template <class Len>
struct TreeNode {
  HeapObject header;
  std::uint16_t height;  // >= 1
  std::uint16_t count;   // children
  std::uint32_t reserved;
  Len total;

  HeapObject* const* children() const noexcept { return reinterpret_cast<HeapObject* const*>(this + 1); }
  HeapObject** children() noexcept { return reinterpret_cast<HeapObject**>(this + 1); }
  const Len* lens() const noexcept { return reinterpret_cast<const Len*>(children() + count); }
  Len* lens() noexcept { return reinterpret_cast<Len*>(children() + count); }

  static constexpr std::size_t bytesFor(std::size_t count) noexcept {
    return sizeof(TreeNode) + count * (sizeof(HeapObject*) + sizeof(Len));
  }
  // The most children that still fit a 512-byte heap slot: 14 for strings,
  // 30 for tuples. Small nodes keep the path copies of an edit cheap (the
  // cost of one edit grows with fanout / log(fanout)).
  static constexpr std::size_t kMaxChildren = (512 - sizeof(TreeNode)) / (sizeof(HeapObject*) + sizeof(Len));
};

using TextNode = TreeNode<TextLen>;
using TupleNode = TreeNode<CountLen>;

// A string leaf (kRopeLeaf): up to kMaxLeaf bytes of UTF-8 after the header,
// with their code point and UTF-16 counts.
struct TextLeaf {
  HeapObject header;
  std::uint32_t bytes;
  std::uint32_t codePoints;
  std::uint32_t utf16;
  std::uint32_t reserved;

  const char* data() const noexcept { return reinterpret_cast<const char*>(this + 1); }
  char* data() noexcept { return reinterpret_cast<char*>(this + 1); }
  TextLen len() const noexcept { return {bytes, codePoints, utf16}; }

  static constexpr std::size_t bytesFor(std::size_t n) noexcept { return sizeof(TextLeaf) + n; }
  static constexpr std::size_t kMaxLeaf = 512 - 24;  // a leaf fills at most a 512-byte slot
};
static_assert(sizeof(TextLeaf) == 24);

// A tuple leaf (kTupleLeaf): up to kMaxLeaf values after the header.
struct TupleLeaf {
  HeapObject header;
  std::uint32_t count;
  std::uint32_t reserved;

  const Value* values() const noexcept { return reinterpret_cast<const Value*>(this + 1); }
  Value* values() noexcept { return reinterpret_cast<Value*>(this + 1); }
  CountLen len() const noexcept { return {count}; }

  static constexpr std::size_t bytesFor(std::size_t n) noexcept {
    return sizeof(TupleLeaf) + n * sizeof(Value);
  }
  static constexpr std::size_t kMaxLeaf = (512 - 16) / sizeof(Value);  // 62 values in a 512-byte slot
};
static_assert(sizeof(TupleLeaf) == 16);

// HeapObject::flags of a kTupleNode that is a deque root rather than a tree node.
inline constexpr std::uint8_t kTupleDequeFlag = 1;

// A tuple root with buffers at both ends (kTupleNode, flags kTupleDequeFlag):
// the values are front ++ middle ++ back. `front` and `back` are leaves (or
// null when empty) that pushes and pops copy; `middle` is a balanced tree
// (or null) that they touch only when a buffer fills up or runs dry. A deque
// only ever appears as a root: it is never a child of a TupleNode.
struct TupleDeque {
  HeapObject header;
  std::uint32_t reserved;
  std::uint32_t reserved2;
  std::uint64_t count;  // all values
  TupleLeaf* front;
  HeapObject* middle;
  TupleLeaf* back;
};

inline bool isTupleDeque(const HeapObject* h) noexcept {
  return h->kind == ObjectKind::kTupleNode && (h->flags & kTupleDequeFlag) != 0;
}

// What breaks the invariant above in a string or tuple root ("" if
// nothing): test support, O(N).
std::string validateString(const HeapObject* root);
std::string validateTuple(const HeapObject* root);

// Calls visit(HeapObject*) for every reference held by a rope or tuple node.
template <class Visit>
void forEachRopeNodeReference(const HeapObject* h, Visit&& visit) {
  switch (h->kind) {
    case ObjectKind::kRopeNode: {
      auto* n = reinterpret_cast<const TextNode*>(h);
      for (std::uint16_t i = 0; i < n->count; ++i) visit(n->children()[i]);
      break;
    }
    case ObjectKind::kTupleNode: {
      if (h->flags & kTupleDequeFlag) {
        auto* d = reinterpret_cast<const TupleDeque*>(h);
        if (d->front) visit(&d->front->header);
        if (d->middle) visit(d->middle);
        if (d->back) visit(&d->back->header);
      } else {
        auto* n = reinterpret_cast<const TupleNode*>(h);
        for (std::uint16_t i = 0; i < n->count; ++i) visit(n->children()[i]);
      }
      break;
    }
    case ObjectKind::kTupleLeaf: {
      auto* l = reinterpret_cast<const TupleLeaf*>(h);
      for (std::uint32_t i = 0; i < l->count; ++i)
        if (l->values()[i].isReference()) visit(l->values()[i].asReferenceUnchecked());
      break;
    }
    default:
      break;
  }
}

}  // namespace proto::internal
