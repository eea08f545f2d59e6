// rope.cpp — strings (proto/rope.h, proto::strings): UTF-8 validation and
// transcoding, the text leaf format, and the string operations over the
// shared tree algorithms of rope_tree.h.
//
// Invariant 14 (text leaves; docs/architecture.md): every leaf holds whole, well-formed UTF-8
// sequences, so a byte offset that starts a leaf or comes from a code point
// index is always a character boundary, and chunks can be decoded alone.
// Input is validated once on the way in; nothing after that can break it.
#include "rope.h"

#include <proto/rope.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "rope_tree.h"

namespace proto {

using internal::Builder;
using internal::HeapObject;
using internal::ObjectKind;
using internal::TextLeaf;
using internal::TextLen;
using internal::TextNode;

namespace {

// ---- UTF-8 -----------------------------------------------------------------------

bool isContinuation(unsigned char c) noexcept { return (c & 0xC0) == 0x80; }

// Length (1..4) of the well-formed UTF-8 sequence at p[0..n), or 0 when it is
// ill-formed; then `bad` is the length of its maximal ill-formed prefix
// (what one U+FFFD replaces) and `why` says what is wrong.
int sequenceLength(const unsigned char* p, std::size_t n, std::size_t& bad, const char*& why) noexcept {
  unsigned char b0 = p[0];
  if (b0 < 0x80) return 1;
  int need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong 3-byte forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    if (b0 == 0xF0) lo = 0x90;  // no overlong 4-byte forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
  } else {
    bad = 1;
    why = isContinuation(b0) ? "a continuation byte with no lead byte" : "a byte that never occurs in UTF-8";
    return 0;
  }
  for (int i = 1; i <= need; ++i) {
    if (static_cast<std::size_t>(i) >= n) {
      bad = static_cast<std::size_t>(i);
      why = "a sequence cut short by the end of the input";
      return 0;
    }
    unsigned char c = p[i];
    if (c < lo || c > hi) {
      bad = static_cast<std::size_t>(i);
      why = i == 1 && isContinuation(c) ? "an overlong, surrogate or out-of-range sequence"
                                        : "a sequence cut short by a byte that is not a continuation";
      return 0;
    }
    lo = 0x80;
    hi = 0xBF;
  }
  return need + 1;
}

std::string hexByte(unsigned char c) {
  const char* digits = "0123456789ABCDEF";
  return std::string("0x") + digits[c >> 4] + digits[c & 15];
}

// Offset of the first ill-formed byte, or n when all of p[0..n) is UTF-8.
std::size_t firstInvalid(const unsigned char* p, std::size_t n, std::size_t& bad, const char*& why) noexcept {
  std::size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    int len = sequenceLength(p + i, n - i, bad, why);
    if (len == 0) return i;
    i += static_cast<std::size_t>(len);
  }
  return n;
}

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// Decodes the well-formed sequence at p; returns its length.
int decode(const unsigned char* p, char32_t& cp) noexcept {
  unsigned char b0 = p[0];
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  if (b0 < 0xE0) {
    cp = (char32_t(b0 & 0x1F) << 6) | (p[1] & 0x3F);
    return 2;
  }
  if (b0 < 0xF0) {
    cp = (char32_t(b0 & 0x0F) << 12) | (char32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    return 3;
  }
  cp = (char32_t(b0 & 0x07) << 18) | (char32_t(p[1] & 0x3F) << 12) | (char32_t(p[2] & 0x3F) << 6) |
       (p[3] & 0x3F);
  return 4;
}

constexpr std::uint64_t kHighBits = 0x8080808080808080ull;

// Bit 7 of each continuation byte (10xxxxxx) of the word w, nothing else.
constexpr std::uint64_t continuationMarks(std::uint64_t w) noexcept { return w & ~(w << 1) & kHighBits; }

// How many bytes of w are not continuation bytes (code points start there).
// Counts the marks with a multiply (no popcnt instruction without -mpopcnt).
constexpr std::uint64_t leadsIn(std::uint64_t w) noexcept {
  return 8 - (((continuationMarks(w) >> 7) * 0x0101010101010101ull) >> 56);
}

std::uint64_t loadWord(const char* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

// Offset of the k-th (0-based) code point in d[0..n), which holds `cps`
// code points, cps > k. Counts lead bytes eight at a time from whichever end
// is nearer, then finishes byte by byte.
std::size_t nthCodePoint(const char* d, std::size_t n, std::uint64_t cps, std::uint64_t k) noexcept {
  if (k >= cps / 2) {
    std::uint64_t r = cps - k;  // the r-th lead byte from the end, r >= 1
    std::size_t i = n;
    for (; i >= 8; i -= 8) {
      std::uint64_t leads = leadsIn(loadWord(d + i - 8));
      if (r <= leads) break;
      r -= leads;
    }
    for (;;) {
      --i;
      if (!isContinuation(static_cast<unsigned char>(d[i])) && --r == 0) return i;
    }
  }
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t leads = leadsIn(loadWord(d + i));
    if (k < leads) break;
    k -= leads;
  }
  for (;; ++i) {
    if (!isContinuation(static_cast<unsigned char>(d[i]))) {
      if (k == 0) return i;
      --k;
    }
  }
}

// The sum of the eight byte lanes of w.
constexpr std::size_t sumLanes(std::uint64_t w) noexcept {
  w = (w & 0x00FF00FF00FF00FFull) + ((w >> 8) & 0x00FF00FF00FF00FFull);
  return static_cast<std::size_t>((w * 0x0001000100010001ull) >> 48);
}

// Continuation bytes and lead bytes of 4-byte sequences in d[0..n), eight
// bytes at a time: each word adds its marks to per-lane tallies, which are
// summed every 255 words before a lane can overflow.
void countBytes(const char* d, std::size_t n, std::size_t& continuation, std::size_t& fourByte) noexcept {
  std::size_t i = 0;
  continuation = fourByte = 0;
  while (n - i >= 8) {
    std::size_t words = std::min<std::size_t>((n - i) / 8, 255);
    std::uint64_t c = 0, f = 0;
    for (std::size_t k = 0; k < words; ++k, i += 8) {
      std::uint64_t w = loadWord(d + i);
      c += continuationMarks(w) >> 7;
      f += (w & (w << 1) & (w << 2) & (w << 3) & kHighBits) >> 7;  // 11110xxx
    }
    continuation += sumLanes(c);
    fourByte += sumLanes(f);
  }
  for (; i < n; ++i) {
    auto c = static_cast<unsigned char>(d[i]);
    continuation += (c & 0xC0) == 0x80;
    fourByte += c >= 0xF0;
  }
}

int sequenceLengthOfLead(unsigned char b0) noexcept {
  return b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
}

// ---- the leaf format --------------------------------------------------------------

struct TextTraits {
  using Len = TextLen;
  using Elem = char;
  using Leaf = TextLeaf;
  static constexpr ObjectKind kLeafKind = ObjectKind::kRopeLeaf;
  static constexpr ObjectKind kNodeKind = ObjectKind::kRopeNode;
  static constexpr std::size_t kBoundarySlack = 3;  // a cut moves back over at most 3 continuation bytes

  static std::size_t leafSize(const TextLeaf* l) noexcept { return l->bytes; }
  static const char* leafData(const TextLeaf* l) noexcept { return l->data(); }
  static std::size_t boundaryAtOrBefore(const char* d, std::size_t i) noexcept {
    while (i > 0 && isContinuation(static_cast<unsigned char>(d[i]))) --i;
    return i;
  }
  static std::string validateLeaf(const TextLeaf* l) {
    std::size_t bad = 0;
    const char* why = "";
    auto* p = reinterpret_cast<const unsigned char*>(l->data());
    if (firstInvalid(p, l->bytes, bad, why) != l->bytes) return std::string("a leaf holds ") + why;
    std::size_t cps = 0, units = 0;
    for (std::uint32_t i = 0; i < l->bytes; i += static_cast<std::uint32_t>(sequenceLengthOfLead(p[i]))) {
      ++cps;
      units += p[i] >= 0xF0 ? 2 : 1;
    }
    if (cps != l->codePoints || units != l->utf16) return "a leaf's cached counts are wrong";
    return "";
  }
  static HeapObject* makeLeaf(Builder& b, const char* data, std::size_t n) {
    auto* l = static_cast<TextLeaf*>(b.allocate(TextLeaf::bytesFor(n), ObjectKind::kRopeLeaf));
    std::size_t continuation, fourByte;
    countBytes(data, n, continuation, fourByte);
    if (n) std::memcpy(l->data(), data, n);
    l->bytes = static_cast<std::uint32_t>(n);
    l->codePoints = static_cast<std::uint32_t>(n - continuation);
    l->utf16 = static_cast<std::uint32_t>(n - continuation + fourByte);  // 4-byte sequences are pairs
    l->reserved = 0;
    b.publish(&l->header);
    return &l->header;
  }
};

using Text = internal::Tree<TextTraits>;
static_assert(Text::kMinLeaf >= 200, "text leaves must stay big enough for fast iteration");

const HeapObject* root(const String* s) noexcept { return reinterpret_cast<const HeapObject*>(s); }

bool isTextKind(const HeapObject* h) noexcept {
  return h->kind == ObjectKind::kRopeLeaf || h->kind == ObjectKind::kRopeNode;
}

const HeapObject* check(const String* s, const char* what) {
  if (!s) throw Error(ErrorCode::kInvalidArgument, std::string(what) + " is null");
  const HeapObject* h = root(s);
  if (!isTextKind(h)) throw Error(ErrorCode::kWrongKind, std::string(what) + " is not a string");
  return h;
}

void checkIndex(std::size_t index, std::size_t length, const char* what) {
  if (index > length)
    throw Error(ErrorCode::kOutOfRange, std::string(what) + " " + std::to_string(index) +
                                            " is past the end of a string of " + std::to_string(length) +
                                            " code points");
}

void checkRange(std::size_t begin, std::size_t end, std::size_t length) {
  if (begin > end || end > length)
    throw Error(ErrorCode::kOutOfRange, "range [" + std::to_string(begin) + ", " + std::to_string(end) +
                                            ") is not within a string of " + std::to_string(length) +
                                            " code points");
}

// Byte offset of the code point at `cp` (<= the string's code points).
std::uint64_t byteOffsetOf(const HeapObject* h, std::uint64_t cp) noexcept {
  TextLen total = Text::lenOf(h);
  if (cp == total.codePoints) return total.bytes;
  if (total.bytes == total.codePoints) return cp;  // all ASCII
  TextLen before{};
  const TextLeaf* l = Text::leafBy(
      h, cp, [](const TextLen& x) { return x.codePoints; }, before);
  std::uint64_t k = cp - before.codePoints;
  if (l->bytes == l->codePoints) return before.bytes + k;
  return before.bytes + nthCodePoint(l->data(), l->bytes, l->codePoints, k);
}

// The leaf holding code point `cp` (< length) and its byte offset there.
const TextLeaf* leafOfCodePoint(const HeapObject* h, std::uint64_t cp, std::size_t& offset) noexcept {
  TextLen before{};
  const TextLeaf* l = Text::leafBy(
      h, cp, [](const TextLen& x) { return x.codePoints; }, before);
  std::uint64_t k = cp - before.codePoints;
  offset = l->bytes == l->codePoints ? k : nthCodePoint(l->data(), l->bytes, l->codePoints, k);
  return l;
}

// Code point index of byte offset `b` (a character boundary).
std::uint64_t codePointOfByte(const HeapObject* h, std::uint64_t b) noexcept {
  TextLen total = Text::lenOf(h);
  if (b == total.bytes) return total.codePoints;
  if (total.bytes == total.codePoints) return b;
  TextLen before{};
  const TextLeaf* l = Text::leafAt(h, b, before);
  std::uint64_t cp = before.codePoints;
  const char* d = l->data();
  for (std::uint64_t i = 0; i < b - before.bytes; ++i)
    cp += !isContinuation(static_cast<unsigned char>(d[i]));
  return cp;
}

HeapObject* buildText(Builder& b, std::string_view bytes) {
  Text tree(b);
  return tree.build(bytes.data(), bytes.size());
}

// A streaming 64-bit hash: 8-byte words folded with a multiply, so any
// chunking of the same bytes gives the same result.
class Hasher {
 public:
  void add(const char* p, std::size_t n) noexcept {
    total_ += n;
    while (n && pending_) {
      takeByte(static_cast<unsigned char>(*p++));
      --n;
    }
    for (; n >= 8; p += 8, n -= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      word(w);
    }
    while (n--) takeByte(static_cast<unsigned char>(*p++));
  }
  std::uint64_t finish() noexcept {
    if (pending_) word(carry_);
    std::uint64_t x = h_ ^ total_;
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ull;
    x ^= x >> 33;
    return x;
  }

 private:
  // Bytes between words gather little-endian, as memcpy reads a whole word.
  void takeByte(unsigned char c) noexcept {
    carry_ |= std::uint64_t{c} << (8 * pending_);
    if (++pending_ == 8) {
      word(carry_);
      carry_ = 0;
      pending_ = 0;
    }
  }
  void word(std::uint64_t w) noexcept {
    h_ = (h_ ^ w) * 0x9E3779B97F4A7C15ull;
    h_ ^= h_ >> 29;
  }
  std::uint64_t h_ = 0x243F6A8885A308D3ull;
  std::uint64_t total_ = 0;
  std::uint64_t carry_ = 0;
  unsigned pending_ = 0;  // bytes in carry_
};

}  // namespace

std::string internal::validateString(const HeapObject* root) {
  if (!isTextKind(root)) return "not a string";
  return Text::validate(root);
}

namespace strings {

// ---- making strings ----------------------------------------------------------------

Local<String> fromUtf8(Thread& thread, std::string_view utf8, InvalidText invalid) {
  auto* p = reinterpret_cast<const unsigned char*>(utf8.data());
  std::size_t bad = 0;
  const char* why = "";
  std::size_t at = firstInvalid(p, utf8.size(), bad, why);
  if (at == utf8.size())
    return internal::makeLocal<String>(thread, [&](Builder& b) { return buildText(b, utf8); });
  if (invalid == InvalidText::kThrow)
    throw Error(ErrorCode::kInvalidUtf8, "invalid UTF-8 at byte offset " + std::to_string(at) + " (byte " +
                                             hexByte(p[at]) + "): " + why);
  std::string fixed(utf8.substr(0, at));
  std::size_t i = at;
  while (i < utf8.size()) {
    std::size_t next = firstInvalid(p + i, utf8.size() - i, bad, why);
    fixed.append(utf8.substr(i, next));
    i += next;
    if (i < utf8.size()) {
      fixed += kReplacement;
      i += bad;
    }
  }
  return internal::makeLocal<String>(thread, [&](Builder& b) { return buildText(b, fixed); });
}

Local<String> fromUtf16(Thread& thread, std::u16string_view utf16, InvalidText invalid) {
  std::string out;
  out.reserve(utf16.size());
  for (std::size_t i = 0; i < utf16.size(); ++i) {
    char32_t u = utf16[i];
    if (u >= 0xD800 && u <= 0xDFFF) {
      bool pair = u <= 0xDBFF && i + 1 < utf16.size() && utf16[i + 1] >= 0xDC00 && utf16[i + 1] <= 0xDFFF;
      if (pair) {
        u = 0x10000 + ((u - 0xD800) << 10) + (utf16[i + 1] - 0xDC00);
        ++i;
      } else if (invalid == InvalidText::kThrow) {
        throw Error(ErrorCode::kInvalidArgument, "invalid UTF-16 at unit " + std::to_string(i) +
                                                     ": lone surrogate " +
                                                     hexByte(static_cast<unsigned char>(u >> 8)) +
                                                     hexByte(static_cast<unsigned char>(u)).substr(2));
      } else {
        u = 0xFFFD;
      }
    }
    appendUtf8(out, u);
  }
  return internal::makeLocal<String>(thread, [&](Builder& b) { return buildText(b, out); });
}

Local<String> concat(Thread& thread, const String* a, const String* b) {
  const HeapObject* ha = check(a, "a");
  const HeapObject* hb = check(b, "b");
  return internal::makeLocal<String>(thread, [&](Builder& builder) {
    Text tree(builder);
    return tree.join(const_cast<HeapObject*>(ha), const_cast<HeapObject*>(hb));
  });
}

Local<String> slice(Thread& thread, const String* s, std::size_t begin, std::size_t end) {
  const HeapObject* h = check(s, "string");
  checkRange(begin, end, Text::lenOf(h).codePoints);
  std::uint64_t b0 = byteOffsetOf(h, begin), b1 = byteOffsetOf(h, end);
  return internal::makeLocal<String>(thread, [&](Builder& builder) {
    Text tree(builder);
    return tree.slice(const_cast<HeapObject*>(h), b0, b1);
  });
}

Local<String> insert(Thread& thread, const String* s, std::size_t at, const String* text) {
  const HeapObject* h = check(s, "string");
  const HeapObject* t = check(text, "text");
  checkIndex(at, Text::lenOf(h).codePoints, "insertion index");
  std::uint64_t pos = byteOffsetOf(h, at);
  return internal::makeLocal<String>(thread, [&](Builder& builder) {
    Text tree(builder);
    HeapObject* hs = const_cast<HeapObject*>(h);
    if (Text::isLeaf(t)) {
      const TextLeaf* l = Text::leaf(t);
      return tree.insertSmall(hs, pos, l->data(), l->bytes);
    }
    HeapObject* left = tree.slice(hs, 0, pos);
    HeapObject* right = tree.slice(hs, pos, Text::size(h));
    return tree.join(tree.join(left, const_cast<HeapObject*>(t)), right);
  });
}

Local<String> erase(Thread& thread, const String* s, std::size_t begin, std::size_t end) {
  const HeapObject* h = check(s, "string");
  checkRange(begin, end, Text::lenOf(h).codePoints);
  std::uint64_t b0 = byteOffsetOf(h, begin), b1 = byteOffsetOf(h, end);
  return internal::makeLocal<String>(thread, [&](Builder& builder) {
    Text tree(builder);
    HeapObject* hs = const_cast<HeapObject*>(h);
    HeapObject* left = tree.slice(hs, 0, b0);
    HeapObject* right = tree.slice(hs, b1, Text::size(h));
    return tree.join(left, right);
  });
}

// The first byte of code point `index` of `s`; kOutOfRange past the end.
static const char* codePointAddress(const String* s, std::size_t index) {
  const HeapObject* h = check(s, "string");
  std::size_t length = Text::lenOf(h).codePoints;
  if (index >= length)
    throw Error(ErrorCode::kOutOfRange, "index " + std::to_string(index) +
                                            " is past the end of a string of " + std::to_string(length) +
                                            " code points");
  std::size_t offset;
  const TextLeaf* l = leafOfCodePoint(h, index, offset);
  return l->data() + offset;
}

Local<String> charAt(Thread& thread, const String* s, std::size_t index) {
  const char* p = codePointAddress(s, index);
  std::size_t n = static_cast<std::size_t>(sequenceLengthOfLead(static_cast<unsigned char>(*p)));
  return internal::makeLocal<String>(thread, [&](Builder& b) { return TextTraits::makeLeaf(b, p, n); });
}

// ---- reading ---------------------------------------------------------------------------

Lengths lengths(const String* s) {
  TextLen l = Text::lenOf(check(s, "string"));
  // TextLen counts in 64 bits; a string fits the address space, so each count
  // fits size_t (32 bits on wasm32).
  return {static_cast<std::size_t>(l.bytes), static_cast<std::size_t>(l.codePoints),
          static_cast<std::size_t>(l.utf16)};
}
std::size_t length(const String* s) { return Text::lenOf(check(s, "string")).codePoints; }
std::size_t byteLength(const String* s) { return Text::lenOf(check(s, "string")).bytes; }
std::size_t utf16Length(const String* s) { return Text::lenOf(check(s, "string")).utf16; }

char32_t codePointAt(const String* s, std::size_t index) {
  char32_t cp;
  decode(reinterpret_cast<const unsigned char*>(codePointAddress(s, index)), cp);
  return cp;
}

std::size_t codePointIndexOfUtf16(const String* s, std::size_t index) {
  const HeapObject* h = check(s, "string");
  TextLen total = Text::lenOf(h);
  if (index > total.utf16)
    throw Error(ErrorCode::kOutOfRange, "UTF-16 index " + std::to_string(index) +
                                            " is past the end of a string of " + std::to_string(total.utf16) +
                                            " UTF-16 units");
  if (index == total.utf16) return total.codePoints;
  if (total.utf16 == total.codePoints) return index;
  TextLen before{};
  const TextLeaf* l = Text::leafBy(
      h, index, [](const TextLen& x) { return x.utf16; }, before);
  std::uint64_t k = index - before.utf16, cp = before.codePoints;
  auto* d = reinterpret_cast<const unsigned char*>(l->data());
  for (std::size_t i = 0;;) {
    int n = sequenceLengthOfLead(d[i]);
    std::uint64_t units = n == 4 ? 2 : 1;
    if (k < units) return cp;
    k -= units;
    ++cp;
    i += static_cast<std::size_t>(n);
  }
}

std::size_t utf16IndexOfCodePoint(const String* s, std::size_t index) {
  const HeapObject* h = check(s, "string");
  TextLen total = Text::lenOf(h);
  checkIndex(index, total.codePoints, "index");
  if (index == total.codePoints) return total.utf16;
  if (total.utf16 == total.codePoints) return index;
  TextLen before{};
  const TextLeaf* l = Text::leafBy(
      h, index, [](const TextLen& x) { return x.codePoints; }, before);
  std::uint64_t k = index - before.codePoints, units = before.utf16;
  auto* d = reinterpret_cast<const unsigned char*>(l->data());
  for (std::size_t i = 0; k > 0; --k) {
    int n = sequenceLengthOfLead(d[i]);
    units += n == 4 ? 2 : 1;
    i += static_cast<std::size_t>(n);
  }
  return units;
}

int compare(const String* a, const String* b) {
  check(a, "a");
  check(b, "b");
  if (a == b) return 0;
  ChunkCursor ca(a), cb(b);
  std::string_view x, y;
  bool moreA = true, moreB = true;
  for (;;) {
    while (x.empty() && moreA) moreA = ca.next(x);
    while (y.empty() && moreB) moreB = cb.next(y);
    if (x.empty() || y.empty()) return x.empty() ? (y.empty() ? 0 : -1) : 1;
    std::size_t k = std::min(x.size(), y.size());
    int c = std::memcmp(x.data(), y.data(), k);
    if (c != 0) return c < 0 ? -1 : 1;
    x.remove_prefix(k);
    y.remove_prefix(k);
  }
}

bool equals(const String* a, const String* b) {
  TextLen la = Text::lenOf(check(a, "a")), lb = Text::lenOf(check(b, "b"));
  return la.bytes == lb.bytes && la.codePoints == lb.codePoints && compare(a, b) == 0;
}

std::uint64_t hash(const String* s) {
  check(s, "string");
  Hasher h;
  forEachChunk(s, [&](std::string_view c) { h.add(c.data(), c.size()); });
  return h.finish();
}

std::optional<std::size_t> find(const String* s, const String* needle, std::size_t from) {
  const HeapObject* h = check(s, "string");
  check(needle, "needle");
  std::size_t length = Text::lenOf(h).codePoints;
  if (from > length) return std::nullopt;
  std::string pattern = toStdString(needle);
  if (pattern.empty()) return from;
  std::uint64_t start = byteOffsetOf(h, from);
  if (Text::size(h) - start < pattern.size()) return std::nullopt;
  // Knuth-Morris-Pratt over the chunks: O(N + M), no backing up across leaves.
  std::vector<std::size_t> fail(pattern.size(), 0);
  for (std::size_t i = 1, k = 0; i < pattern.size(); ++i) {
    while (k && pattern[i] != pattern[k]) k = fail[k - 1];
    if (pattern[i] == pattern[k]) ++k;
    fail[i] = k;
  }
  std::uint64_t pos = 0;
  std::size_t matched = 0;
  std::optional<std::uint64_t> found;
  forEachChunk(s, [&](std::string_view c) {
    std::size_t i = 0;
    if (pos + c.size() <= start) {
      pos += c.size();
      return true;
    }
    if (pos < start) i = static_cast<std::size_t>(start - pos);
    for (; i < c.size(); ++i) {
      while (matched && c[i] != pattern[matched]) matched = fail[matched - 1];
      if (c[i] == pattern[matched] && ++matched == pattern.size()) {
        found = pos + i + 1 - pattern.size();
        return false;
      }
    }
    pos += c.size();
    return true;
  });
  if (!found) return std::nullopt;
  return codePointOfByte(h, *found);
}

std::string toStdString(const String* s) {
  std::string out;
  out.reserve(Text::lenOf(check(s, "string")).bytes);
  forEachChunk(s, [&](std::string_view c) { out.append(c); });
  return out;
}

std::u16string toUtf16(const String* s) {
  std::u16string out;
  out.reserve(Text::lenOf(check(s, "string")).utf16);
  forEachChunk(s, [&](std::string_view c) {
    auto* p = reinterpret_cast<const unsigned char*>(c.data());
    std::size_t n = c.size();
    for (std::size_t i = 0; i < n;) {
      if (p[i] < 0x80) {
        out += static_cast<char16_t>(p[i++]);
        continue;
      }
      char32_t cp;
      i += static_cast<std::size_t>(decode(p + i, cp));
      if (cp >= 0x10000) {
        out += static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10));
        out += static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF));
      } else {
        out += static_cast<char16_t>(cp);
      }
    }
  });
  return out;
}

// ---- iteration ---------------------------------------------------------------------------

ChunkCursor::ChunkCursor(const String* s) {
  stack_[0] = {check(s, "string"), 0};
  depth_ = 1;
}

bool ChunkCursor::next(std::string_view& chunk) noexcept {
  while (depth_ > 0) {
    internal::CursorFrame& f = stack_[depth_ - 1];
    if (Text::isLeaf(f.node)) {
      --depth_;
      const TextLeaf* l = Text::leaf(f.node);
      if (l->bytes == 0) continue;
      chunk = std::string_view(l->data(), l->bytes);
      return true;
    }
    const TextNode* n = Text::node(f.node);
    if (f.next == n->count) {
      --depth_;
      continue;
    }
    const HeapObject* c = n->children()[f.next++];
    if (Text::isLeaf(c)) {
      const TextLeaf* l = Text::leaf(c);
      chunk = std::string_view(l->data(), l->bytes);
      return true;  // only a root leaf can be empty
    }
    stack_[depth_++] = {c, 0};
  }
  chunk = {};
  return false;
}

// ---- values --------------------------------------------------------------------------------

bool isString(Value value) noexcept {
  return value.isReference() && isTextKind(value.asReferenceUnchecked());
}

const String* fromValue(Value value) {
  if (!isString(value))
    throw Error(ErrorCode::kWrongKind, std::string("expected a string, got ") +
                                           (value.isReference() ? "a reference to another kind of object"
                                                                : valueKindName(value.kind())));
  return reinterpret_cast<const String*>(value.asReferenceUnchecked());
}

}  // namespace strings

}  // namespace proto
