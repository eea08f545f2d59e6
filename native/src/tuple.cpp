// tuple.cpp — tuples (proto/rope.h, proto::tuples): the value leaf format,
// the deque root that makes pushes and pops at both ends cheap, and the
// tuple operations over the shared tree algorithms of rope_tree.h.
//
// Invariant 15 (deque roots; docs/architecture.md): a TupleDeque is only ever a root. Its front and
// back are leaves of 1..kMaxLeaf values or null, its middle a balanced tree
// or null, and it holds more than kMaxLeaf values (fewer become one leaf).
// Every tree operation first takes a deque apart into those three pieces.
#include <proto/rope.h>

#include <string>
#include <vector>

#include "rope.h"
#include "rope_tree.h"
#include "runtime_state.h"

namespace proto {

using internal::Builder;
using internal::CountLen;
using internal::HeapObject;
using internal::ObjectKind;
using internal::TupleDeque;
using internal::TupleLeaf;
using internal::TupleNode;

namespace {

struct ValueTraits {
  using Len = CountLen;
  using Elem = Value;
  using Leaf = TupleLeaf;
  static constexpr ObjectKind kLeafKind = ObjectKind::kTupleLeaf;
  static constexpr ObjectKind kNodeKind = ObjectKind::kTupleNode;
  static constexpr std::size_t kBoundarySlack = 0;

  static std::size_t leafSize(const TupleLeaf* l) noexcept { return l->count; }
  static const Value* leafData(const TupleLeaf* l) noexcept { return l->values(); }
  static std::size_t boundaryAtOrBefore(const Value*, std::size_t i) noexcept { return i; }
  static std::string validateLeaf(const TupleLeaf* l) {
    for (std::uint32_t i = 0; i < l->count; ++i)
      if (l->values()[i].isMissing() || l->values()[i].isCell()) return "a leaf holds an unstorable value";
    return "";
  }
  static HeapObject* makeLeaf(Builder& b, const Value* data, std::size_t n) {
    auto* l = static_cast<TupleLeaf*>(b.allocate(TupleLeaf::bytesFor(n), ObjectKind::kTupleLeaf));
    l->count = static_cast<std::uint32_t>(n);
    l->reserved = 0;
    for (std::size_t i = 0; i < n; ++i) l->values()[i] = data[i];
    b.publish(&l->header);
    return &l->header;
  }
};

using Values = internal::Tree<ValueTraits>;
constexpr std::size_t kMaxLeaf = TupleLeaf::kMaxLeaf;

bool isTupleKind(const HeapObject* h) noexcept {
  return h->kind == ObjectKind::kTupleLeaf || h->kind == ObjectKind::kTupleNode;
}

HeapObject* check(const Tuple* t, const char* what) {
  if (!t) throw Error(ErrorCode::kInvalidArgument, std::string(what) + " is null");
  auto* h = const_cast<HeapObject*>(reinterpret_cast<const HeapObject*>(t));
  if (!isTupleKind(h)) throw Error(ErrorCode::kWrongKind, std::string(what) + " is not a tuple");
  return h;
}

void checkStorable(Thread& thread, Value v) {
  if (v.isMissing() || v.isCell())
    throw Error(ErrorCode::kInvalidArgument, "a missing marker or cell address cannot be stored in a tuple");
  if (v.isReference() && !thread.state().runtime.heap.isObjectAddress(v.asReferenceUnchecked()))
    throw Error(ErrorCode::kInvalidArgument,
                "a tuple value refers to something that is not a live object of this runtime's heap");
}

const TupleDeque* deque(const HeapObject* h) noexcept { return reinterpret_cast<const TupleDeque*>(h); }

std::uint64_t sizeOf(const HeapObject* h) noexcept {
  return internal::isTupleDeque(h) ? deque(h)->count : Values::size(h);
}

// A root taken apart: front ++ middle ++ back, each possibly null.
struct Pieces {
  const TupleLeaf* front = nullptr;
  HeapObject* middle = nullptr;
  const TupleLeaf* back = nullptr;
};

Pieces piecesOf(HeapObject* h) noexcept {
  if (!internal::isTupleDeque(h)) return {nullptr, Values::size(h) ? h : nullptr, nullptr};
  const TupleDeque* d = deque(h);
  return {d->front, d->middle, d->back};
}

std::uint64_t sizeOf(const TupleLeaf* l) noexcept { return l ? l->count : 0; }
std::uint64_t sizeOfTree(const HeapObject* h) noexcept { return h ? Values::size(h) : 0; }

void appendAll(const HeapObject* h, std::vector<Value>& out) {
  if (!h) return;
  if (Values::isLeaf(h)) {
    const TupleLeaf* l = Values::leaf(h);
    out.insert(out.end(), l->values(), l->values() + l->count);
    return;
  }
  const TupleNode* n = Values::node(h);
  for (std::uint16_t i = 0; i < n->count; ++i) appendAll(n->children()[i], out);
}

// The root for front ++ middle ++ back: one leaf when they fit, the middle
// alone when there are no buffers, else a deque.
HeapObject* makeRoot(Builder& b, const TupleLeaf* front, HeapObject* middle, const TupleLeaf* back) {
  if (front && front->count == 0) front = nullptr;
  if (back && back->count == 0) back = nullptr;
  if (middle && Values::size(middle) == 0) middle = nullptr;
  if (!front && !back) return middle ? middle : ValueTraits::makeLeaf(b, nullptr, 0);
  std::uint64_t total = sizeOf(front) + sizeOfTree(middle) + sizeOf(back);
  if (total <= kMaxLeaf) {
    std::vector<Value> all;
    all.reserve(total);
    appendAll(front ? &front->header : nullptr, all);
    appendAll(middle, all);
    appendAll(back ? &back->header : nullptr, all);
    return ValueTraits::makeLeaf(b, all.data(), all.size());
  }
  auto* d = static_cast<TupleDeque*>(b.allocate(sizeof(TupleDeque), ObjectKind::kTupleNode));
  d->header.flags = internal::kTupleDequeFlag;
  d->reserved = 0;
  d->reserved2 = 0;
  d->count = total;
  d->front = const_cast<TupleLeaf*>(front);
  d->middle = middle;
  d->back = const_cast<TupleLeaf*>(back);
  b.publish(&d->header);
  return &d->header;
}

// A root as one balanced tree (a deque's pieces joined).
HeapObject* flatten(Values& tree, HeapObject* h) {
  if (!internal::isTupleDeque(h)) return h;
  Pieces p = piecesOf(h);
  HeapObject* r = p.front ? const_cast<HeapObject*>(&p.front->header) : nullptr;
  if (p.middle) r = tree.join(r, p.middle);
  if (p.back) r = tree.join(r, const_cast<HeapObject*>(&p.back->header));
  return r ? r : tree.empty();
}

const TupleLeaf* asLeaf(HeapObject* h) noexcept { return Values::leaf(h); }

std::string outOfRange(std::size_t index, std::uint64_t size) {
  return "index " + std::to_string(index) + " is past the end of a tuple of " + std::to_string(size) +
         " values";
}

}  // namespace

std::string internal::validateTuple(const HeapObject* root) {
  if (!isTupleKind(root)) return "not a tuple";
  if (!internal::isTupleDeque(root)) return Values::validate(root);
  const TupleDeque* d = deque(root);
  std::uint64_t total = sizeOf(d->front) + sizeOfTree(d->middle) + sizeOf(d->back);
  if (total != d->count) return "a deque's cached count is wrong";
  if (total <= kMaxLeaf) return "a deque small enough to be a leaf";
  if (!d->front && !d->back) return "a deque without buffers";
  for (const TupleLeaf* l : {d->front, d->back})
    if (l && (l->count == 0 || l->count > kMaxLeaf)) return "a deque buffer of " + std::to_string(l->count);
  if (d->middle) {
    if (internal::isTupleDeque(d->middle)) return "a deque inside a deque";
    return Values::validate(d->middle);
  }
  return "";
}

namespace tuples {

Local<Tuple> fromValues(Thread& thread, std::span<const Value> values) {
  for (Value v : values) checkStorable(thread, v);
  return internal::makeLocal<Tuple>(thread, [&](Builder& b) {
    Values tree(b);
    return tree.build(values.data(), values.size());
  });
}

Local<Tuple> fromValues(Thread& thread, std::initializer_list<Value> values) {
  return fromValues(thread, std::span<const Value>(values.begin(), values.size()));
}

Local<Tuple> concat(Thread& thread, const Tuple* a, const Tuple* b) {
  HeapObject* ha = check(a, "a");
  HeapObject* hb = check(b, "b");
  return internal::makeLocal<Tuple>(thread, [&](Builder& builder) {
    if (sizeOf(ha) == 0) return hb;
    if (sizeOf(hb) == 0) return ha;
    Values tree(builder);
    HeapObject* fa = flatten(tree, ha);
    HeapObject* fb = flatten(tree, hb);
    return tree.join(fa, fb);
  });
}

Local<Tuple> slice(Thread& thread, const Tuple* t, std::size_t begin, std::size_t end) {
  HeapObject* h = check(t, "tuple");
  std::uint64_t n = sizeOf(h);
  if (begin > end || end > n)
    throw Error(ErrorCode::kOutOfRange, "range [" + std::to_string(begin) + ", " + std::to_string(end) +
                                            ") is not within a tuple of " + std::to_string(n) + " values");
  return internal::makeLocal<Tuple>(thread, [&](Builder& builder) {
    Values tree(builder);
    if (!internal::isTupleDeque(h)) return tree.slice(h, begin, end);
    Pieces p = piecesOf(h);
    HeapObject* parts[3] = {p.front ? const_cast<HeapObject*>(&p.front->header) : nullptr, p.middle,
                            p.back ? const_cast<HeapObject*>(&p.back->header) : nullptr};
    HeapObject* r = nullptr;
    std::uint64_t off = 0;
    for (HeapObject* part : parts) {
      if (!part) continue;
      std::uint64_t size = Values::size(part);
      std::uint64_t lo = std::max<std::uint64_t>(begin, off), hi = std::min<std::uint64_t>(end, off + size);
      if (lo < hi) r = tree.join(r, tree.slice(part, lo - off, hi - off));
      off += size;
    }
    return r ? r : tree.empty();
  });
}

// Pushes and pops keep a buffer leaf at each end and copy only that leaf
// (<= 62 values) and the deque root. A full buffer moves half of itself into
// the middle tree (one O(log N) join), an empty one takes the middle's edge
// leaf (one O(log N) slice); after either, >= 30 more operations at that end
// stay inside the buffer.
Local<Tuple> pushBack(Thread& thread, const Tuple* t, Value value) {
  HeapObject* h = check(t, "tuple");
  checkStorable(thread, value);
  return internal::makeLocal<Tuple>(thread, [&](Builder& b) {
    Value buf[kMaxLeaf + 1];
    if (Values::isLeaf(h) && asLeaf(h)->count < kMaxLeaf) {
      const TupleLeaf* l = asLeaf(h);
      std::copy_n(l->values(), l->count, buf);
      buf[l->count] = value;
      return ValueTraits::makeLeaf(b, buf, l->count + 1u);
    }
    Values tree(b);
    Pieces p = piecesOf(h);
    std::size_t keep = 0;
    std::size_t n = p.back ? p.back->count : 0;
    if (n == kMaxLeaf) {
      keep = kMaxLeaf / 2;
      p.middle = tree.join(p.middle, tree.makeLeaf(p.back->values(), keep));
    }
    if (p.back) std::copy(p.back->values() + keep, p.back->values() + n, buf);
    buf[n - keep] = value;
    HeapObject* back = tree.makeLeaf(buf, n - keep + 1);
    return makeRoot(b, p.front, p.middle, asLeaf(back));
  });
}

Local<Tuple> pushFront(Thread& thread, const Tuple* t, Value value) {
  HeapObject* h = check(t, "tuple");
  checkStorable(thread, value);
  return internal::makeLocal<Tuple>(thread, [&](Builder& b) {
    Value buf[kMaxLeaf + 1];
    buf[0] = value;
    if (Values::isLeaf(h) && asLeaf(h)->count < kMaxLeaf) {
      const TupleLeaf* l = asLeaf(h);
      std::copy_n(l->values(), l->count, buf + 1);
      return ValueTraits::makeLeaf(b, buf, l->count + 1u);
    }
    Values tree(b);
    Pieces p = piecesOf(h);
    std::size_t n = p.front ? p.front->count : 0, keep = n;
    if (n == kMaxLeaf) {
      keep = kMaxLeaf / 2;
      HeapObject* moved = tree.makeLeaf(p.front->values() + keep, n - keep);
      p.middle = p.middle ? tree.join(moved, p.middle) : moved;
    }
    if (p.front) std::copy_n(p.front->values(), keep, buf + 1);
    HeapObject* front = tree.makeLeaf(buf, keep + 1);
    return makeRoot(b, asLeaf(front), p.middle, p.back);
  });
}

Local<Tuple> popBack(Thread& thread, const Tuple* t) {
  HeapObject* h = check(t, "tuple");
  if (sizeOf(h) == 0) throw Error(ErrorCode::kOutOfRange, "popBack on an empty tuple");
  return internal::makeLocal<Tuple>(thread, [&](Builder& b) {
    Values tree(b);
    if (Values::isLeaf(h)) return tree.makeLeaf(asLeaf(h)->values(), asLeaf(h)->count - 1u);
    Pieces p = piecesOf(h);
    if (p.back) {
      p.back = asLeaf(tree.makeLeaf(p.back->values(), p.back->count - 1u));
    } else if (p.middle) {
      const HeapObject* last = p.middle;
      while (!Values::isLeaf(last)) {
        const TupleNode* n = Values::node(last);
        last = n->children()[n->count - 1u];
      }
      const TupleLeaf* l = Values::leaf(last);
      p.middle = tree.slice(p.middle, 0, Values::size(p.middle) - l->count);
      p.back = asLeaf(tree.makeLeaf(l->values(), l->count - 1u));
    } else {
      p.front = asLeaf(tree.makeLeaf(p.front->values(), p.front->count - 1u));
    }
    return makeRoot(b, p.front, p.middle, p.back);
  });
}

Local<Tuple> popFront(Thread& thread, const Tuple* t) {
  HeapObject* h = check(t, "tuple");
  if (sizeOf(h) == 0) throw Error(ErrorCode::kOutOfRange, "popFront on an empty tuple");
  return internal::makeLocal<Tuple>(thread, [&](Builder& b) {
    Values tree(b);
    if (Values::isLeaf(h)) return tree.makeLeaf(asLeaf(h)->values() + 1, asLeaf(h)->count - 1u);
    Pieces p = piecesOf(h);
    if (p.front) {
      p.front = asLeaf(tree.makeLeaf(p.front->values() + 1, p.front->count - 1u));
    } else if (p.middle) {
      const HeapObject* first = p.middle;
      while (!Values::isLeaf(first)) first = Values::node(first)->children()[0];
      const TupleLeaf* l = Values::leaf(first);
      p.middle = tree.slice(p.middle, l->count, Values::size(p.middle));
      p.front = asLeaf(tree.makeLeaf(l->values() + 1, l->count - 1u));
    } else {
      p.back = asLeaf(tree.makeLeaf(p.back->values() + 1, p.back->count - 1u));
    }
    return makeRoot(b, p.front, p.middle, p.back);
  });
}

std::size_t size(const Tuple* t) { return sizeOf(check(t, "tuple")); }

Value at(const Tuple* t, std::size_t index) {
  HeapObject* h = check(t, "tuple");
  std::uint64_t n = sizeOf(h);
  if (index >= n) throw Error(ErrorCode::kOutOfRange, outOfRange(index, n));
  Pieces p = piecesOf(h);
  std::uint64_t i = index;
  if (p.front) {
    if (i < p.front->count) return p.front->values()[i];
    i -= p.front->count;
  }
  if (p.middle) {
    std::uint64_t m = Values::size(p.middle);
    if (i < m) {
      CountLen before{};
      const TupleLeaf* l = Values::leafAt(p.middle, i, before);
      return l->values()[i - before.count];
    }
    i -= m;
  }
  return p.back->values()[i];
}

std::vector<Value> toVector(const Tuple* t) {
  std::vector<Value> out;
  out.reserve(size(t));
  ChunkCursor cursor(t);
  std::span<const Value> chunk;
  while (cursor.next(chunk)) out.insert(out.end(), chunk.begin(), chunk.end());
  return out;
}

ChunkCursor::ChunkCursor(const Tuple* t) {
  HeapObject* h = check(t, "tuple");
  Pieces p = piecesOf(h);
  if (p.back) parts_[partCount_++] = &p.back->header;
  if (p.middle) parts_[partCount_++] = p.middle;
  if (p.front) parts_[partCount_++] = &p.front->header;
}

bool ChunkCursor::next(std::span<const Value>& chunk) noexcept {
  for (;;) {
    while (depth_ > 0) {
      internal::CursorFrame& f = stack_[depth_ - 1];
      if (Values::isLeaf(f.node)) {
        --depth_;
        const TupleLeaf* l = Values::leaf(f.node);
        if (l->count == 0) continue;
        chunk = std::span<const Value>(l->values(), l->count);
        return true;
      }
      const TupleNode* n = Values::node(f.node);
      if (f.next == n->count) {
        --depth_;
        continue;
      }
      const HeapObject* c = n->children()[f.next++];
      if (Values::isLeaf(c)) {
        chunk = std::span<const Value>(Values::leaf(c)->values(), Values::leaf(c)->count);
        return true;
      }
      stack_[depth_++] = {c, 0};
    }
    if (partCount_ == 0) {
      chunk = {};
      return false;
    }
    stack_[0] = {parts_[--partCount_], 0};
    depth_ = 1;
  }
}

bool isTuple(Value value) noexcept {
  return value.isReference() && isTupleKind(value.asReferenceUnchecked());
}

const Tuple* fromValue(Value value) {
  if (!isTuple(value))
    throw Error(ErrorCode::kWrongKind, std::string("expected a tuple, got ") +
                                           (value.isReference() ? "a reference to another kind of object"
                                                                : valueKindName(value.kind())));
  return reinterpret_cast<const Tuple*>(value.asReferenceUnchecked());
}

}  // namespace tuples

}  // namespace proto
