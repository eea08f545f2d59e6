// rope_fuzz.cpp — libFuzzer target over the string operations of
// proto/rope.h. The input is a program: byte strings that go through
// fromUtf8 (checked against an independent reference decoder) and a list of
// operations run on both the rope and a std::u32string model, compared after
// every step. Build and run: `npm run fuzz:rope` (scripts/fuzz-rope.mjs).
#include <proto/rope.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "rope.h"
#include "text_model.h"  // tests/native/support: the reference model shared with the tests

namespace {

namespace strings = proto::strings;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "rope_fuzz: %s\n", what);
  std::abort();
}

// Reads the fuzz input as a stream of small integers and byte strings.
class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  bool done() const { return p_ == end_; }
  std::uint8_t byte() { return p_ < end_ ? *p_++ : 0; }
  std::size_t number(std::size_t limit) {  // in [0, limit]
    std::size_t v = byte();
    v = (v << 8) | byte();
    return limit ? v % (limit + 1) : 0;
  }
  std::string bytes() {
    std::size_t n = byte() % 64;
    if (n == 63) n = 1000 + byte() * 8;  // now and then one that spans leaves
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += static_cast<char>(p_ < end_ ? *p_++ : 'z');
    return s;
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

// A reference decoder written from the definition (code point ranges and
// shortest forms) rather than from the byte table rope.cpp uses.
std::optional<std::u32string> referenceDecode(const std::string& s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return std::nullopt;
    char32_t cp = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    for (std::size_t k = 1; k < n; ++k) {
      auto c = static_cast<unsigned char>(s[i + k]);
      if ((c >> 6) != 2) return std::nullopt;
      cp = (cp << 6) | (c & 0x3F);
    }
    static const char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    out += cp;
    i += n;
  }
  return out;
}

using proto::testing::utf8;

std::size_t utf16Units(const std::u32string& s) {
  std::size_t n = 0;
  for (char32_t c : s) n += c >= 0x10000 ? 2 : 1;
  return n;
}

void check(const proto::String* s, const std::u32string& model) {
  if (!proto::internal::validateString(reinterpret_cast<const proto::internal::HeapObject*>(s)).empty())
    fail("tree invariant broken");
  if (strings::length(s) != model.size()) fail("code point length differs");
  if (strings::utf16Length(s) != utf16Units(model)) fail("UTF-16 length differs");
  if (strings::toStdString(s) != utf8(model)) fail("contents differ");
}

struct World {
  proto::Runtime runtime{[] {
    proto::RuntimeOptions o;
    o.backgroundCollector = false;
    return o;
  }()};
  proto::AttachScope scope{runtime};
  std::size_t inputs = 0;
};

World& world() {
  static World* w = new World;  // lives for the process; the fuzzer never returns
  return *w;
}

// A string from the input, through the validator; the model if it is valid.
proto::Local<proto::String> fromInput(proto::Thread& t, Reader& in, std::u32string& model) {
  std::string bytes = in.bytes();
  std::optional<std::u32string> expected = referenceDecode(bytes);
  try {
    auto s = strings::fromUtf8(t, bytes);
    if (!expected) fail("fromUtf8 accepted what the reference rejects");
    model = *expected;
    return s;
  } catch (const proto::Error& e) {
    if (e.code() != proto::ErrorCode::kInvalidUtf8) fail("fromUtf8 threw something other than kInvalidUtf8");
    if (expected) fail("fromUtf8 rejected what the reference accepts");
  }
  auto s = strings::fromUtf8(t, bytes, proto::InvalidText::kReplace);
  std::optional<std::u32string> repaired = referenceDecode(strings::toStdString(s));
  if (!repaired) fail("replacement produced invalid UTF-8");
  model = *repaired;
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& w = world();
  proto::Thread& t = w.scope.thread();
  Reader in(data, size);
  {
    proto::HandleScope hs(t);
    std::u32string model;
    const proto::String* s = fromInput(t, in, model);
    check(s, model);
    for (int step = 0; step < 64 && !in.done(); ++step) {
      std::size_t n = model.size();
      switch (in.byte() % 9) {
        case 0: {
          std::u32string m;
          auto other = fromInput(t, in, m);
          bool front = in.byte() & 1;
          s = front ? strings::concat(t, other, s) : strings::concat(t, s, other);
          model = front ? m + model : model + m;
          break;
        }
        case 1: {
          std::size_t a = in.number(n), b = in.number(n);
          if (a > b) std::swap(a, b);
          s = strings::slice(t, s, a, b);
          model = model.substr(a, b - a);
          break;
        }
        case 2: {
          std::size_t at = in.number(n);
          std::u32string m;
          auto text = fromInput(t, in, m);
          s = strings::insert(t, s, at, text);
          model.insert(at, m);
          break;
        }
        case 3: {
          std::size_t a = in.number(n), b = in.number(n);
          if (a > b) std::swap(a, b);
          s = strings::erase(t, s, a, b);
          model.erase(a, b - a);
          break;
        }
        case 4: {
          std::size_t i = in.number(n);
          try {
            if (strings::codePointAt(s, i) != model.at(i)) fail("codePointAt differs");
          } catch (const proto::Error& e) {
            if (e.code() != proto::ErrorCode::kOutOfRange || i < n) fail("codePointAt threw wrongly");
          }
          break;
        }
        case 5: {
          std::size_t a = in.number(n), len = in.byte() % 8, from = in.number(n);
          std::u32string needle = model.substr(a, len);
          auto found = strings::find(s, strings::fromUtf8(t, utf8(needle)), from);
          std::size_t expected = model.find(needle, from);
          if (found.value_or(std::u32string::npos) != expected) fail("find differs");
          break;
        }
        case 6: {
          auto copy = strings::fromUtf8(t, utf8(model));
          if (!strings::equals(s, copy) || strings::hash(s) != strings::hash(copy))
            fail("equal strings differ");
          std::u32string m;
          auto other = fromInput(t, in, m);
          int c = strings::compare(s, other);
          int expected = model < m ? -1 : model == m ? 0 : 1;
          if (c != expected) fail("compare differs");
          break;
        }
        case 7: {
          std::u16string u = strings::toUtf16(s);
          auto back = strings::fromUtf16(t, u);
          if (!strings::equals(back, s)) fail("UTF-16 round trip differs");
          std::size_t i = in.number(u.size());
          std::size_t cp = strings::codePointIndexOfUtf16(s, i);
          if (strings::utf16IndexOfCodePoint(s, cp) > i) fail("UTF-16 index conversion is not monotonic");
          break;
        }
        case 8: {
          try {
            strings::slice(t, s, n + 1 + in.byte(), n + 2 + in.byte());
            fail("slice past the end did not throw");
          } catch (const proto::Error& e) {
            if (e.code() != proto::ErrorCode::kOutOfRange) fail("slice past the end threw the wrong code");
          }
          break;
        }
      }
      check(s, model);
    }
  }
  if (++w.inputs % 256 == 0) w.runtime.collect();
  return 0;
}
