// rope_tree.h — the balanced-tree algorithms shared by strings and tuples
// (join, slice, small insert, bulk build, descent), written once over a
// Traits class that knows the leaf format. rope.h states the invariant they
// keep; this file keeps it.
//
// Balancing is a B-tree's: all leaves at one depth, nodes between half full
// and full. join(a, b) walks down the taller tree's edge to the shorter
// tree's height, merges the two nodes that meet there if either is less than
// half full, and splits whatever overflows on the way back up — O(|ha - hb|
// + 1) new nodes. slice() descends to the two cut points, shares every child
// between them and re-joins the cut edges — O(log N) new nodes. Every node is
// immutable, so versions share all untouched subtrees.
//
// Rooting: an operation may allocate many nodes before it returns one root;
// the allocations between can run a collection. Builder::publish therefore
// pushes every new node on the thread's handle stack (the caller's
// HandleScope drops them), and, while the collector marks, shades its
// children as the write-barrier rule in gc.h requires of black allocation.
#pragma once

#include <proto/error.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "rope.h"
#include "thread_state.h"
#include "trace.h"

namespace proto::internal {

// Allocation context of one rope or tuple operation.
class Builder {
 public:
  explicit Builder(ThreadState& thread) noexcept : thread_(thread) {}
  void* allocate(std::size_t bytes, ObjectKind kind) { return thread_.allocate(bytes, kind); }
  // Call once `h` is fully written: roots it for the rest of the operation.
  void publish(HeapObject* h) {
    if (thread_.allocateBlack) forEachReference(h, [&](HeapObject* child) { thread_.shade(child); });
    thread_.pushHandle(h);
  }
  ThreadState& thread() noexcept { return thread_; }

 private:
  ThreadState& thread_;
};

// The most levels a tree can have: with half-full nodes of >= 15 children
// and leaves of >= 16 units, 2^48 bytes need fewer than 16.
inline constexpr std::size_t kMaxTreeHeight = 24;

template <class Traits>
class Tree {
 public:
  using Len = typename Traits::Len;
  using Elem = typename Traits::Elem;
  using Leaf = typename Traits::Leaf;
  using Node = TreeNode<Len>;
  static constexpr std::size_t kMaxChildren = Node::kMaxChildren;
  static constexpr std::size_t kMinChildren = kMaxChildren / 2;
  static constexpr std::size_t kMaxLeaf = Leaf::kMaxLeaf;
  // Chopping aims a little below kMaxLeaf so that moving a cut to a character
  // boundary (at most Traits::kBoundarySlack units back) never overfills.
  static constexpr std::size_t kChopTarget = kMaxLeaf - 2 * Traits::kBoundarySlack;
  static constexpr std::size_t kMinLeaf = kChopTarget / 2 - 2 * Traits::kBoundarySlack;

  // A short list of siblings with their lengths.
  struct Kids {
    static constexpr std::size_t kCapacity = 2 * kMaxChildren + 4;
    HeapObject* node[kCapacity];
    Len len[kCapacity];
    std::size_t n = 0;
    void push(HeapObject* h) {
      node[n] = h;
      len[n] = lenOf(h);
      ++n;
    }
    void push(HeapObject* h, const Len& l) {
      node[n] = h;
      len[n] = l;
      ++n;
    }
  };

  // ---- inspection ------------------------------------------------------------

  static bool isLeaf(const HeapObject* h) noexcept { return h->kind == Traits::kLeafKind; }
  static const Leaf* leaf(const HeapObject* h) noexcept { return reinterpret_cast<const Leaf*>(h); }
  static const Node* node(const HeapObject* h) noexcept { return reinterpret_cast<const Node*>(h); }
  static std::size_t height(const HeapObject* h) noexcept { return isLeaf(h) ? 0 : node(h)->height; }
  static Len lenOf(const HeapObject* h) noexcept { return isLeaf(h) ? leaf(h)->len() : node(h)->total; }
  static std::uint64_t size(const HeapObject* h) noexcept { return lenOf(h).primary(); }
  // Units (leaf) or children (node): what the half-full rule counts.
  static std::size_t fill(const HeapObject* h) noexcept {
    return isLeaf(h) ? Traits::leafSize(leaf(h)) : node(h)->count;
  }
  static std::size_t minFill(const HeapObject* h) noexcept { return isLeaf(h) ? kMinLeaf : kMinChildren; }

  // The leaf holding primary unit `pos` (< size(h)) and the lengths of
  // everything before it.
  static const Leaf* leafAt(const HeapObject* h, std::uint64_t pos, Len& before) noexcept {
    while (!isLeaf(h)) {
      const Node* n = node(h);
      std::size_t i = 0;
      for (; i + 1 < n->count; ++i) {
        std::uint64_t l = n->lens()[i].primary();
        if (pos < l) break;
        pos -= l;
        before += n->lens()[i];
      }
      h = n->children()[i];
    }
    return leaf(h);
  }

  // Like leafAt, but by any unit: `field` picks it out of a Len.
  template <class Field>
  static const Leaf* leafBy(const HeapObject* h, std::uint64_t pos, Field field, Len& before) noexcept {
    while (!isLeaf(h)) {
      const Node* n = node(h);
      std::size_t i = 0;
      for (; i + 1 < n->count; ++i) {
        std::uint64_t l = field(n->lens()[i]);
        if (pos < l) break;
        pos -= l;
        before += n->lens()[i];
      }
      h = n->children()[i];
    }
    return leaf(h);
  }

  // What breaks rope.h's invariant in the tree under h ("" if nothing):
  // test support, O(N).
  static std::string validate(const HeapObject* h, bool isRoot = true) {
    if (isLeaf(h)) {
      std::size_t n = Traits::leafSize(leaf(h));
      if (n > kMaxLeaf) return "a leaf holds " + std::to_string(n) + " units";
      if (!isRoot && n < kMinLeaf) return "a non-root leaf holds only " + std::to_string(n) + " units";
      return Traits::validateLeaf(leaf(h));
    }
    if (h->kind != Traits::kNodeKind) return "a child of unexpected kind " + std::to_string(int(h->kind));
    const Node* n = node(h);
    if (n->count > kMaxChildren || n->count < (isRoot ? 2 : kMinChildren))
      return "a node at height " + std::to_string(n->height) + " has " + std::to_string(n->count) +
             " children";
    Len total{};
    for (std::size_t i = 0; i < n->count; ++i) {
      const HeapObject* c = n->children()[i];
      if (height(c) + 1 != n->height) return "children at uneven heights";
      Len l = lenOf(c);
      if (std::memcmp(&l, &n->lens()[i], sizeof(Len)) != 0) return "a cached child length is wrong";
      std::string e = validate(c, false);
      if (!e.empty()) return e;
      total += l;
    }
    if (std::memcmp(&total, &n->total, sizeof(Len)) != 0) return "a cached total is wrong";
    return "";
  }

  // ---- construction ------------------------------------------------------------

  // Where the k-th of `pieces` near-equal parts of n units ends.
  static constexpr std::size_t share(std::size_t n, std::size_t pieces, std::size_t k) noexcept {
    return n / pieces * k + std::min(k, n % pieces);
  }

  explicit Tree(Builder& b) noexcept : b_(b) {}

  HeapObject* makeLeaf(const Elem* data, std::size_t n) { return Traits::makeLeaf(b_, data, n); }
  HeapObject* empty() { return makeLeaf(nullptr, 0); }

  HeapObject* makeNode(HeapObject* const* kids, const Len* lens, std::size_t n, std::size_t h) {
    auto* node = static_cast<Node*>(b_.allocate(Node::bytesFor(n), Traits::kNodeKind));
    node->height = static_cast<std::uint16_t>(h);
    node->count = static_cast<std::uint16_t>(n);
    node->reserved = 0;
    Len total{};
    for (std::size_t i = 0; i < n; ++i) {
      node->children()[i] = kids[i];
      node->lens()[i] = lens[i];
      total += lens[i];
    }
    node->total = total;
    b_.publish(&node->header);
    return &node->header;
  }

  // Cuts `n` units into leaves of near-equal size (each >= kMinLeaf unless
  // n itself is smaller) and appends them to `out`.
  void chop(const Elem* data, std::size_t n, Kids& out) {
    if (n <= kMaxLeaf) {
      out.push(makeLeaf(data, n));
      return;
    }
    std::size_t pieces = (n + kChopTarget - 1) / kChopTarget;
    std::size_t start = 0;
    for (std::size_t k = 1; k <= pieces; ++k) {
      std::size_t end = k == pieces ? n : Traits::boundaryAtOrBefore(data, share(n, pieces, k));
      out.push(makeLeaf(data + start, end - start));
      start = end;
    }
  }

  // Groups `kids` (all of height h) into nodes of height h + 1, each at
  // least half full, appending them to `out`.
  void group(const Kids& kids, std::size_t h, Kids& out) {
    std::size_t pieces = (kids.n + kMaxChildren - 1) / kMaxChildren;
    std::size_t start = 0;
    for (std::size_t k = 1; k <= pieces; ++k) {
      std::size_t end = share(kids.n, pieces, k);
      out.push(makeNode(kids.node + start, kids.len + start, end - start, h + 1));
      start = end;
    }
  }

  // A tree over `n` units, built bottom-up in O(n).
  HeapObject* build(const Elem* data, std::size_t n) {
    if (n <= kMaxLeaf) return makeLeaf(data, n);
    std::vector<HeapObject*> level;
    std::size_t pieces = (n + kChopTarget - 1) / kChopTarget;
    level.reserve(pieces);
    std::size_t start = 0;
    for (std::size_t k = 1; k <= pieces; ++k) {
      std::size_t end = k == pieces ? n : Traits::boundaryAtOrBefore(data, share(n, pieces, k));
      level.push_back(makeLeaf(data + start, end - start));
      start = end;
    }
    return buildFrom(level, 0);
  }

  // A tree over `level` (siblings of height h, each at least half full),
  // in order.
  HeapObject* buildFrom(std::vector<HeapObject*>& level, std::size_t h) {
    if (level.empty()) return empty();
    std::vector<Len> lens;
    while (level.size() > 1) {
      std::size_t pieces = (level.size() + kMaxChildren - 1) / kMaxChildren;
      lens.resize(level.size());
      for (std::size_t i = 0; i < level.size(); ++i) lens[i] = lenOf(level[i]);
      std::vector<HeapObject*> up;
      up.reserve(pieces);
      std::size_t start = 0;
      for (std::size_t k = 1; k <= pieces; ++k) {
        std::size_t end = share(level.size(), pieces, k);
        up.push_back(makeNode(level.data() + start, lens.data() + start, end - start, h + 1));
        start = end;
      }
      level.swap(up);
      ++h;
    }
    return level[0];
  }

  // ---- join ----------------------------------------------------------------------

  // Two trees of equal height side by side: returned unchanged when both are
  // at least half full, otherwise merged into one node or re-split into
  // two or three that are.
  void mergeSameHeight(HeapObject* a, HeapObject* b, Kids& out) {
    if (fill(a) >= minFill(a) && fill(b) >= minFill(b)) {
      out.push(a);
      out.push(b);
      return;
    }
    if (isLeaf(a)) {
      std::size_t na = Traits::leafSize(leaf(a)), nb = Traits::leafSize(leaf(b));
      if (na == 0) return out.push(b);
      if (nb == 0) return out.push(a);
      Elem buf[2 * kMaxLeaf];
      std::copy_n(Traits::leafData(leaf(a)), na, buf);
      std::copy_n(Traits::leafData(leaf(b)), nb, buf + na);
      return chop(buf, na + nb, out);
    }
    Kids all;
    appendChildren(node(a), 0, node(a)->count, all);
    appendChildren(node(b), 0, node(b)->count, all);
    if (all.n <= kMaxChildren)
      out.push(makeNode(all.node, all.len, all.n, height(a)));
    else
      group(all, height(a) - 1, out);
  }

  static void appendChildren(const Node* n, std::size_t from, std::size_t to, Kids& out) {
    for (std::size_t i = from; i < to; ++i) out.push(n->children()[i], n->lens()[i]);
  }

  // `b` (height hb < height(a)) joined at a's right edge: one node of a's
  // height, or two when a's node overflowed.
  void insertRight(const Node* a, HeapObject* b, std::size_t hb, Kids& out) {
    Kids kids;
    appendChildren(a, 0, a->count - 1u, kids);
    HeapObject* last = a->children()[a->count - 1u];
    if (a->height == hb + 1)
      mergeSameHeight(last, b, kids);
    else
      insertRight(node(last), b, hb, kids);
    finishLevel(kids, a->height, out);
  }

  void insertLeft(HeapObject* a, std::size_t ha, const Node* b, Kids& out) {
    Kids edge;
    HeapObject* first = b->children()[0];
    if (b->height == ha + 1)
      mergeSameHeight(a, first, edge);
    else
      insertLeft(a, ha, node(first), edge);
    Kids kids;
    for (std::size_t i = 0; i < edge.n; ++i) kids.push(edge.node[i], edge.len[i]);
    appendChildren(b, 1, b->count, kids);
    finishLevel(kids, b->height, out);
  }

  // Children for one node of height h: one node if they fit, else several.
  void finishLevel(const Kids& kids, std::size_t h, Kids& out) {
    if (kids.n <= kMaxChildren)
      out.push(makeNode(kids.node, kids.len, kids.n, h));
    else
      group(kids, h - 1, out);
  }

  // A root over a list of siblings of height h (at least one).
  HeapObject* rootOf(Kids& kids, std::size_t h) {
    while (kids.n > 1) {
      Kids up;
      finishLevel(kids, h + 1, up);
      std::copy_n(up.node, up.n, kids.node);  // only the used entries: Kids is large
      std::copy_n(up.len, up.n, kids.len);
      kids.n = up.n;
      ++h;
    }
    return kids.node[0];
  }

  // a ++ b.
  HeapObject* join(HeapObject* a, HeapObject* b) {
    if (!a || size(a) == 0) return b ? b : empty();
    if (!b || size(b) == 0) return a;
    std::size_t ha = height(a), hb = height(b);
    Kids out;
    if (ha == hb)
      mergeSameHeight(a, b, out);
    else if (ha > hb)
      insertRight(node(a), b, hb, out);
    else
      insertLeft(a, ha, node(b), out);
    return rootOf(out, std::max(ha, hb));
  }

  // ---- slice ---------------------------------------------------------------------

  // Units [lo, hi) of h, lo <= hi <= size(h). Children wholly inside the
  // range are shared; only the two cut paths are copied.
  HeapObject* slice(HeapObject* h, std::uint64_t lo, std::uint64_t hi) {
    if (lo == 0 && hi == size(h)) return h;
    if (lo >= hi) return empty();
    if (isLeaf(h)) return makeLeaf(Traits::leafData(leaf(h)) + lo, static_cast<std::size_t>(hi - lo));
    if (lo == 0) return prefix(h, hi);
    if (hi == size(h)) return suffix(h, lo);
    const Node* n = node(h);
    std::size_t j0 = 0;
    std::uint64_t off0 = 0;
    while (off0 + n->lens()[j0].primary() <= lo) off0 += n->lens()[j0++].primary();
    std::size_t j1 = j0;
    std::uint64_t off1 = off0;
    while (off1 + n->lens()[j1].primary() < hi) off1 += n->lens()[j1++].primary();
    if (j0 == j1) return slice(n->children()[j0], lo - off0, hi - off0);
    bool whole0 = lo == off0, whole1 = hi == off1 + n->lens()[j1].primary();
    HeapObject* left = whole0 ? nullptr : suffix(n->children()[j0], lo - off0);
    HeapObject* right = whole1 ? nullptr : prefix(n->children()[j1], hi - off1);
    std::size_t from = whole0 ? j0 : j0 + 1, to = whole1 ? j1 + 1 : j1;  // shared children
    if (to - from < 2) {
      HeapObject* r = to > from ? n->children()[from] : nullptr;
      if (left) r = r ? join(left, r) : left;
      if (right) r = r ? join(r, right) : right;
      return r;
    }
    Kids k;
    if (left)
      leftEdge(left, n->children()[from], k);
    else
      k.push(n->children()[from], n->lens()[from]);
    appendChildren(n, from + 1, to - 1, k);
    if (right)
      rightEdge(n->children()[to - 1], right, k);
    else
      k.push(n->children()[to - 1], n->lens()[to - 1]);
    return rootOf(k, n->height - 1u);
  }

  // Units [lo, size) of h, 0 < lo < size(h)... or lo == 0 for all of h.
  HeapObject* suffix(HeapObject* h, std::uint64_t lo) {
    if (lo == 0) return h;
    if (isLeaf(h)) {
      std::size_t n = Traits::leafSize(leaf(h));
      return makeLeaf(Traits::leafData(leaf(h)) + lo, n - static_cast<std::size_t>(lo));
    }
    const Node* n = node(h);
    std::size_t j = 0;
    std::uint64_t off = 0;
    while (off + n->lens()[j].primary() <= lo) off += n->lens()[j++].primary();
    HeapObject* c = n->children()[j];
    std::size_t rest = j + 1;
    if (rest == n->count) return suffix(c, lo - off);
    Kids k;
    if (isLeaf(c)) {
      // The cut leaf's tail goes straight into its neighbour when it is too short alone.
      const Leaf* l = leaf(c);
      std::size_t from = static_cast<std::size_t>(lo - off), m = Traits::leafSize(l) - from;
      if (m >= kMinLeaf) {
        k.push(makeLeaf(Traits::leafData(l) + from, m));
      } else {
        const Leaf* next = leaf(n->children()[rest++]);
        std::size_t nn = Traits::leafSize(next);
        Elem buf[2 * kMaxLeaf];
        std::copy_n(Traits::leafData(l) + from, m, buf);
        std::copy_n(Traits::leafData(next), nn, buf + m);
        chop(buf, m + nn, k);
      }
    } else {
      leftEdge(suffix(c, lo - off), n->children()[rest++], k);
    }
    appendChildren(n, rest, n->count, k);
    return k.n == 1 ? k.node[0] : rootOf(k, n->height - 1u);
  }

  // Units [0, hi) of h, 0 < hi <= size(h).
  HeapObject* prefix(HeapObject* h, std::uint64_t hi) {
    if (hi == size(h)) return h;
    if (isLeaf(h)) return makeLeaf(Traits::leafData(leaf(h)), static_cast<std::size_t>(hi));
    const Node* n = node(h);
    std::size_t j = 0;
    std::uint64_t off = 0;
    while (off + n->lens()[j].primary() < hi) off += n->lens()[j++].primary();
    HeapObject* c = n->children()[j];
    if (j == 0) return prefix(c, hi);
    Kids k;
    if (isLeaf(c)) {
      std::size_t m = static_cast<std::size_t>(hi - off);
      const Leaf* l = leaf(c);
      if (m >= kMinLeaf) {
        appendChildren(n, 0, j, k);
        k.push(makeLeaf(Traits::leafData(l), m));
      } else {
        appendChildren(n, 0, j - 1, k);
        const Leaf* prev = leaf(n->children()[j - 1]);
        std::size_t np = Traits::leafSize(prev);
        Elem buf[2 * kMaxLeaf];
        std::copy_n(Traits::leafData(prev), np, buf);
        std::copy_n(Traits::leafData(l), m, buf + np);
        chop(buf, np + m, k);
      }
    } else {
      appendChildren(n, 0, j - 1, k);
      rightEdge(n->children()[j - 1], prefix(c, hi - off), k);
    }
    return k.n == 1 ? k.node[0] : rootOf(k, n->height - 1u);
  }

  // `sub` (a tree no taller than `first`) joined in front of `first`: the
  // nodes of first's height that result.
  void leftEdge(HeapObject* sub, HeapObject* first, Kids& out) {
    std::size_t hs = height(sub);
    if (hs == height(first))
      mergeSameHeight(sub, first, out);
    else
      insertLeft(sub, hs, node(first), out);
  }

  // `sub` (a tree no taller than `last`) joined after `last`.
  void rightEdge(HeapObject* last, HeapObject* sub, Kids& out) {
    std::size_t hs = height(sub);
    if (hs == height(last))
      mergeSameHeight(last, sub, out);
    else
      insertRight(node(last), sub, hs, out);
  }

  // ---- small insert ------------------------------------------------------------------

  // h with `n` units (<= kMaxLeaf) inserted at unit `pos`, by copying only
  // the path to the leaf that receives them.
  HeapObject* insertSmall(HeapObject* h, std::uint64_t pos, const Elem* data, std::size_t n) {
    Kids out;
    insertSmallAt(h, pos, data, n, out);
    return rootOf(out, height(h));
  }

  void insertSmallAt(HeapObject* h, std::uint64_t pos, const Elem* data, std::size_t n, Kids& out) {
    if (isLeaf(h)) {
      const Leaf* l = leaf(h);
      std::size_t size = Traits::leafSize(l);
      Elem buf[2 * kMaxLeaf];
      const Elem* src = Traits::leafData(l);
      std::copy_n(src, pos, buf);
      std::copy_n(data, n, buf + pos);
      std::copy_n(src + pos, size - pos, buf + pos + n);
      return chop(buf, size + n, out);
    }
    const Node* nd = node(h);
    std::size_t j = 0;
    // Prefer the end of a child over the start of the next one.
    while (j + 1 < nd->count && pos > nd->lens()[j].primary()) pos -= nd->lens()[j++].primary();
    Kids kids;
    appendChildren(nd, 0, j, kids);
    insertSmallAt(nd->children()[j], pos, data, n, kids);
    appendChildren(nd, j + 1, nd->count, kids);
    finishLevel(kids, nd->height, out);
  }

 private:
  Builder& b_;
};

// Runs `make(Builder&)` for an operation of `thread` and hands back the root
// it returns as a Local; the operation's intermediate nodes are unrooted
// again on the way out (they are garbage unless the root reaches them).
template <class T, class Make>
Local<T> makeLocal(Thread& thread, Make&& make) {
  ThreadState& state = thread.state();
  HeapObject* root;
  {
    HandleScope scope(thread);
    Builder builder(state);
    root = make(builder);
  }
  return LocalAccess::fromSlot<T>(state.pushHandle(root));
}

}  // namespace proto::internal
