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

  // Room for the units of two leaves, left uninitialised: a Value's
  // constructor would otherwise write all of it on every call.
  struct LeafBuffer {
    union {
      Elem data[2 * kMaxLeaf];
    };
    LeafBuffer() noexcept {}
  };

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
      LeafBuffer buf;
      std::copy_n(Traits::leafData(leaf(a)), na, buf.data);
      std::copy_n(Traits::leafData(leaf(b)), nb, buf.data + na);
      return chop(buf.data, na + nb, out);
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
  //
  // Each cut path is built bottom-up exactly once. suffixInto / prefixInto do
  // not return a node but a forest: the siblings of one height that make up
  // the cut piece, each at least half full unless it is alone. The level
  // above turns them into nodes together with the neighbour they may have to
  // borrow from (attachBefore / attachAfter), so no node is built only to be
  // copied again by a join.

  // Whether a forest from suffixInto / prefixInto can be children of one
  // inner node as it is: every piece at least half full (always true when
  // there are several).
  static bool sound(const Kids& forest) noexcept {
    return forest.n > 1 || fill(forest.node[0]) >= minFill(forest.node[0]);
  }

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
    Kids left, right;
    std::size_t hl = 0, hr = 0;
    if (!whole0) hl = suffixInto(n->children()[j0], lo - off0, left);
    if (!whole1) hr = prefixInto(n->children()[j1], hi - off1, right);
    std::size_t from = whole0 ? j0 : j0 + 1, to = whole1 ? j1 + 1 : j1;  // shared children
    if (from == to) {  // two adjacent cut children and nothing between them
      if (hl == hr && sound(left) && sound(right)) {
        std::copy_n(right.node, right.n, left.node + left.n);
        std::copy_n(right.len, right.n, left.len + left.n);
        left.n += right.n;
        return rootOf(left, hl);
      }
      return join(rootOf(left, hl), rootOf(right, hr));
    }
    Kids k;
    std::size_t i = from;
    if (!whole0) attachBefore(left, hl, n->children()[i++], k);
    if (whole1) {
      appendChildren(n, i, to, k);
    } else {
      HeapObject* prev;
      if (i < to) {
        appendChildren(n, i, to - 1, k);
        prev = n->children()[to - 1];
      } else {
        prev = k.node[--k.n];  // one shared child, borrowed by both cuts: rebuilt once more
      }
      attachAfter(prev, right, hr, k);
    }
    return rootOf(k, n->height - 1u);
  }

  // Units [lo, size) of h, 0 <= lo < size(h).
  HeapObject* suffix(HeapObject* h, std::uint64_t lo) {
    if (lo == 0) return h;
    Kids k;
    std::size_t hk = suffixInto(h, lo, k);
    return rootOf(k, hk);
  }

  // Units [0, hi) of h, 0 < hi <= size(h).
  HeapObject* prefix(HeapObject* h, std::uint64_t hi) {
    if (hi == size(h)) return h;
    Kids k;
    std::size_t hk = prefixInto(h, hi, k);
    return rootOf(k, hk);
  }

  // Units [lo, size) of h (0 < lo < size(h)) as a forest appended to the
  // empty `out`; returns the forest's height.
  std::size_t suffixInto(HeapObject* h, std::uint64_t lo, Kids& out) {
    if (isLeaf(h)) {
      std::size_t n = Traits::leafSize(leaf(h));
      out.push(makeLeaf(Traits::leafData(leaf(h)) + lo, n - static_cast<std::size_t>(lo)));
      return 0;
    }
    const Node* n = node(h);
    std::size_t j = 0;
    std::uint64_t off = 0;
    while (off + n->lens()[j].primary() <= lo) off += n->lens()[j++].primary();
    if (off == lo) {  // the cut falls between two children: all of them shared
      appendChildren(n, j, n->count, out);
      return n->height - 1u;
    }
    HeapObject* c = n->children()[j];
    std::size_t rest = j + 1;
    if (rest == n->count) return suffixInto(c, lo - off, out);
    // The parent's cached lengths decide what to read, and the neighbour is
    // fetched while the cut child is read: both are usually cold.
    __builtin_prefetch(n->children()[rest]);
    if (n->height == 1) {
      // The cut leaf's tail goes straight into its neighbour when it is too short alone.
      const Leaf* l = leaf(c);
      std::size_t from = static_cast<std::size_t>(lo - off);
      std::size_t m = static_cast<std::size_t>(n->lens()[j].primary()) - from;
      if (m >= kMinLeaf) {
        out.push(makeLeaf(Traits::leafData(l) + from, m));
      } else {
        std::size_t nn = static_cast<std::size_t>(n->lens()[rest].primary());
        const Leaf* next = leaf(n->children()[rest++]);
        LeafBuffer buf;
        std::copy_n(Traits::leafData(l) + from, m, buf.data);
        std::copy_n(Traits::leafData(next), nn, buf.data + m);
        chop(buf.data, m + nn, out);
      }
    } else {
      Kids sub;
      std::size_t hs = suffixInto(c, lo - off, sub);
      attachBefore(sub, hs, n->children()[rest++], out);
    }
    appendChildren(n, rest, n->count, out);
    return n->height - 1u;
  }

  // Units [0, hi) of h (0 < hi < size(h)) as a forest appended to the empty
  // `out`; returns the forest's height.
  std::size_t prefixInto(HeapObject* h, std::uint64_t hi, Kids& out) {
    if (isLeaf(h)) {
      out.push(makeLeaf(Traits::leafData(leaf(h)), static_cast<std::size_t>(hi)));
      return 0;
    }
    const Node* n = node(h);
    std::size_t j = 0;
    std::uint64_t off = 0;
    while (off + n->lens()[j].primary() < hi) off += n->lens()[j++].primary();
    if (off + n->lens()[j].primary() == hi) {  // the cut falls between two children
      appendChildren(n, 0, j + 1, out);
      return n->height - 1u;
    }
    HeapObject* c = n->children()[j];
    if (j == 0) return prefixInto(c, hi, out);
    __builtin_prefetch(n->children()[j - 1]);  // the neighbour, as in suffixInto
    if (n->height == 1) {
      std::size_t m = static_cast<std::size_t>(hi - off);
      const Leaf* l = leaf(c);
      if (m >= kMinLeaf) {
        appendChildren(n, 0, j, out);
        out.push(makeLeaf(Traits::leafData(l), m));
      } else {
        appendChildren(n, 0, j - 1, out);
        const Leaf* prev = leaf(n->children()[j - 1]);
        std::size_t np = static_cast<std::size_t>(n->lens()[j - 1].primary());
        LeafBuffer buf;
        std::copy_n(Traits::leafData(prev), np, buf.data);
        std::copy_n(Traits::leafData(l), m, buf.data + np);
        chop(buf.data, np + m, out);
      }
    } else {
      appendChildren(n, 0, j - 1, out);
      Kids sub;
      std::size_t hs = prefixInto(c, hi - off, sub);
      attachAfter(n->children()[j - 1], sub, hs, out);
    }
    return n->height - 1u;
  }

  // The forest `sub` (height hs < height(next)) followed by the tree `next`,
  // as nodes of next's height appended to `out`. Usually one level: the
  // forest becomes a node of its own when it is half full, or takes next's
  // children in with it when it is not.
  void attachBefore(Kids& sub, std::size_t hs, HeapObject* next, Kids& out) {
    std::size_t hn = height(next);
    if (hs + 1 != hn || !sound(sub)) return leftEdge(rootOf(sub, hs), next, out);
    if (sub.n >= kMinChildren) {
      finishLevel(sub, hn, out);
      out.push(next, lenOf(next));
      return;
    }
    appendChildren(node(next), 0, node(next)->count, sub);
    finishLevel(sub, hn, out);
  }

  // The tree `prev` followed by the forest `sub` (height hs < height(prev)).
  void attachAfter(HeapObject* prev, Kids& sub, std::size_t hs, Kids& out) {
    std::size_t hp = height(prev);
    if (hs + 1 != hp || !sound(sub)) return rightEdge(prev, rootOf(sub, hs), out);
    if (sub.n >= kMinChildren) {
      out.push(prev, lenOf(prev));
      finishLevel(sub, hp, out);
      return;
    }
    Kids all;
    appendChildren(node(prev), 0, node(prev)->count, all);
    std::copy_n(sub.node, sub.n, all.node + all.n);
    std::copy_n(sub.len, sub.n, all.len + all.n);
    all.n += sub.n;
    finishLevel(all, hp, out);
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
      LeafBuffer buf;
      const Elem* src = Traits::leafData(l);
      std::copy_n(src, pos, buf.data);
      std::copy_n(data, n, buf.data + pos);
      std::copy_n(src + pos, size - pos, buf.data + pos + n);
      return chop(buf.data, size + n, out);
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
