// proto/rope.h — immutable strings (UTF-8 ropes) and tuples (value ropes).
//
// Both are balanced trees of heap nodes (docs/ropes.md has the design):
// concat, slice, insert and erase are O(log N) and share every untouched
// subtree with their inputs, small ones are a single compact leaf, and any
// thread may read one another thread made. A `const String*` or
// `const Tuple*` is valid while something roots it: a Local, a Persistent,
// a cell, or a tuple or object that is itself reachable.
//
// Operations that make a new string or tuple take the attached Thread and
// return a Local in its innermost HandleScope; reads need no thread.
//
// Errors (proto::Error): ill-formed UTF-8 gives kInvalidUtf8 with the byte
// offset, lone UTF-16 surrogates kInvalidArgument with the unit index
// (unless InvalidText::kReplace asks for U+FFFD instead), indices past the
// end kOutOfRange with the index and the length, null arguments
// kInvalidArgument, a non-string value where a string is required kWrongKind.
#pragma once

#include <proto/runtime.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace proto {

// An immutable Unicode string. Opaque: use it through proto::strings.
class String;
// An immutable sequence of values. Opaque: use it through proto::tuples.
class Tuple;

// What to do with ill-formed input text.
enum class InvalidText : std::uint8_t {
  kThrow,    // throw proto::Error saying where
  kReplace,  // replace each maximal ill-formed subsequence by U+FFFD (as WHATWG decoders do)
};

namespace internal {
// Enough stack for a walk from a root to a leaf (see rope_tree.h).
inline constexpr std::size_t kCursorDepth = 24;
struct CursorFrame {
  const HeapObject* node;
  std::uint32_t next;
};
}  // namespace internal

namespace strings {

// Lengths of a string in the units callers index by. All three are cached in
// every node, so each is O(1) on the whole string.
struct Lengths {
  std::size_t bytes = 0;       // UTF-8
  std::size_t codePoints = 0;  // what every index below counts
  std::size_t utf16 = 0;       // JS string length
};

// ---- making strings -----------------------------------------------------------
Local<String> fromUtf8(Thread& thread, std::string_view utf8, InvalidText invalid = InvalidText::kThrow);
Local<String> fromUtf16(Thread& thread, std::u16string_view utf16, InvalidText invalid = InvalidText::kThrow);
// a ++ b. O(log N).
Local<String> concat(Thread& thread, const String* a, const String* b);
// Code points [begin, end). O(log N). kOutOfRange unless begin <= end <= length.
Local<String> slice(Thread& thread, const String* s, std::size_t begin, std::size_t end);
// `text` inserted before code point `at` (at == length appends). O(log N).
Local<String> insert(Thread& thread, const String* s, std::size_t at, const String* text);
// s without code points [begin, end). O(log N).
Local<String> erase(Thread& thread, const String* s, std::size_t begin, std::size_t end);
// The one-code-point string at `index`. kOutOfRange past the end.
Local<String> charAt(Thread& thread, const String* s, std::size_t index);

// ---- reading ---------------------------------------------------------------------
Lengths lengths(const String* s);
std::size_t length(const String* s);  // code points
std::size_t byteLength(const String* s);
std::size_t utf16Length(const String* s);
// The code point at `index`. O(log N). kOutOfRange past the end.
char32_t codePointAt(const String* s, std::size_t index);
// The code point index where UTF-16 unit `index` falls (the index of the
// pair for either half of a surrogate pair). index == utf16Length gives length.
std::size_t codePointIndexOfUtf16(const String* s, std::size_t index);
// The UTF-16 index where code point `index` starts.
std::size_t utf16IndexOfCodePoint(const String* s, std::size_t index);
// <0, 0, >0 as a orders before, equal to or after b (by code point, which
// is UTF-8 byte order).
int compare(const String* a, const String* b);
bool equals(const String* a, const String* b);
// A 64-bit hash of the contents: equal strings hash equally whatever their
// tree shapes. Stable within a process; not a cryptographic hash.
std::uint64_t hash(const String* s);
// Code point index of the first occurrence of `needle` at or after code
// point `from`; nullopt if none. An empty needle is found at `from`.
std::optional<std::size_t> find(const String* s, const String* needle, std::size_t from = 0);
std::string toStdString(const String* s);
std::u16string toUtf16(const String* s);

// Walks a string's UTF-8 in chunks (its leaves, each whole code points), in
// order. Holds no lock and allocates nothing; the string must stay rooted.
class ChunkCursor {
 public:
  explicit ChunkCursor(const String* s);
  // The next chunk, or false at the end.
  bool next(std::string_view& chunk) noexcept;

 private:
  internal::CursorFrame stack_[internal::kCursorDepth];
  std::size_t depth_ = 0;
};

// Calls f(std::string_view) for each chunk in order. If f returns bool,
// false stops the walk.
template <class F>
void forEachChunk(const String* s, F&& f) {
  ChunkCursor cursor(s);
  std::string_view chunk;
  while (cursor.next(chunk)) {
    if constexpr (std::is_same_v<std::invoke_result_t<F&, std::string_view>, bool>) {
      if (!f(chunk)) return;
    } else {
      f(chunk);
    }
  }
}

// ---- values -------------------------------------------------------------------------
inline Value toValue(const String* s) noexcept {
  return Value::reference(reinterpret_cast<const internal::HeapObject*>(s));
}
bool isString(Value value) noexcept;
// kWrongKind unless `value` refers to a string.
const String* fromValue(Value value);

}  // namespace strings

namespace tuples {

// ---- making tuples ---------------------------------------------------------------
// Values must be storable: not Value::missing() and not a cell address.
Local<Tuple> fromValues(Thread& thread, std::span<const Value> values);
Local<Tuple> fromValues(Thread& thread, std::initializer_list<Value> values);
// a ++ b. O(log N).
Local<Tuple> concat(Thread& thread, const Tuple* a, const Tuple* b);
// Values [begin, end). O(log N). kOutOfRange unless begin <= end <= size.
Local<Tuple> slice(Thread& thread, const Tuple* t, std::size_t begin, std::size_t end);
// Pushes and pops copy a small buffer at that end and touch the tree only
// once per ~31 operations at one end, so each costs amortized O(1) (plus an
// O(log N) / 31 share; docs/ropes.md). Popping an empty tuple is kOutOfRange.
Local<Tuple> pushBack(Thread& thread, const Tuple* t, Value value);
Local<Tuple> pushFront(Thread& thread, const Tuple* t, Value value);
Local<Tuple> popBack(Thread& thread, const Tuple* t);
Local<Tuple> popFront(Thread& thread, const Tuple* t);

// ---- reading --------------------------------------------------------------------------
std::size_t size(const Tuple* t);
// The value at `index`. O(log N). kOutOfRange past the end.
Value at(const Tuple* t, std::size_t index);
std::vector<Value> toVector(const Tuple* t);

// Walks a tuple's values in chunks (spans of consecutive values), in order.
class ChunkCursor {
 public:
  explicit ChunkCursor(const Tuple* t);
  bool next(std::span<const Value>& chunk) noexcept;

 private:
  internal::CursorFrame stack_[internal::kCursorDepth];
  std::size_t depth_ = 0;
  const internal::HeapObject* parts_[3] = {};  // the roots still to walk, last first
  std::size_t partCount_ = 0;
};

// Calls f(Value) for each value in order. If f returns bool, false stops.
template <class F>
void forEach(const Tuple* t, F&& f) {
  ChunkCursor cursor(t);
  std::span<const Value> chunk;
  while (cursor.next(chunk)) {
    for (Value v : chunk) {
      if constexpr (std::is_same_v<std::invoke_result_t<F&, Value>, bool>) {
        if (!f(v)) return;
      } else {
        f(v);
      }
    }
  }
}

// ---- values -------------------------------------------------------------------------------
inline Value toValue(const Tuple* t) noexcept {
  return Value::reference(reinterpret_cast<const internal::HeapObject*>(t));
}
bool isTuple(Value value) noexcept;
// kWrongKind unless `value` refers to a tuple.
const Tuple* fromValue(Value value);

}  // namespace tuples

}  // namespace proto
