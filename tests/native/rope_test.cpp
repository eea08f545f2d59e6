// Strings (proto/rope.h): random operation sequences against a model,
// UTF-8 and UTF-16 edge cases, errors, and the collector.
#include "rope.h"

#include <gtest/gtest.h>
#include <proto/rope.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "support/test_runtime.h"
#include "support/text_model.h"

namespace {

using proto::testing::gcStress;
using proto::testing::quietOptions;

namespace strings = proto::strings;
using proto::Local;
using proto::String;

using proto::testing::utf16;
using proto::testing::utf8;

// Mostly ASCII with every UTF-8 length mixed in.
std::u32string randomText(std::mt19937_64& rng, std::size_t n) {
  std::u32string s;
  for (std::size_t i = 0; i < n; ++i) {
    switch (rng() % 8) {
      case 0:
        s += static_cast<char32_t>(0x80 + rng() % 0x780);  // 2 bytes
        break;
      case 1:
        s += static_cast<char32_t>(0x800 + rng() % 0xD000);  // 3 bytes, below the surrogates
        break;
      case 2:
        s += static_cast<char32_t>(0x10000 + rng() % 0x100000);  // 4 bytes, a UTF-16 pair
        break;
      default:
        s += static_cast<char32_t>('a' + rng() % 4);  // a small alphabet so finds hit
    }
  }
  return s;
}

class StringTest : public ::testing::Test {
 protected:
  proto::Runtime rt{quietOptions()};
  proto::AttachScope scope{rt};
  proto::Thread& t = scope.thread();

  Local<String> str(const std::u32string& s) { return strings::fromUtf8(t, utf8(s)); }
  Local<String> str(std::string_view s) { return strings::fromUtf8(t, s); }

  void expectSame(const String* s, const std::u32string& model) {
    ASSERT_EQ(proto::internal::validateString(reinterpret_cast<const proto::internal::HeapObject*>(s)), "");
    ASSERT_EQ(strings::length(s), model.size());
    ASSERT_EQ(strings::byteLength(s), utf8(model).size());
    ASSERT_EQ(strings::utf16Length(s), utf16(model).size());
    ASSERT_EQ(strings::toStdString(s), utf8(model));
  }
};

TEST_F(StringTest, SmallStringIsOneLeaf) {
  proto::HandleScope hs(t);
  auto s = str("hello");
  auto* h = reinterpret_cast<const proto::internal::HeapObject*>(s.get());
  EXPECT_EQ(h->kind, proto::internal::ObjectKind::kRopeLeaf);
  EXPECT_EQ(strings::toStdString(s), "hello");
  EXPECT_EQ(strings::length(s), 5u);
}

TEST_F(StringTest, LengthsCountBytesCodePointsAndUtf16Units) {
  proto::HandleScope hs(t);
  auto s = str("a\u00e9\u20ac\U0001F600");  // 1 + 2 + 3 + 4 bytes
  auto l = strings::lengths(s);
  EXPECT_EQ(l.bytes, 10u);
  EXPECT_EQ(l.codePoints, 4u);
  EXPECT_EQ(l.utf16, 5u);
}

TEST_F(StringTest, RandomOperationsMatchAModel) {
  std::mt19937_64 rng(20261124);
  std::u32string model = randomText(rng, 3000);
  proto::Persistent<String> cur;
  {
    proto::HandleScope hs(t);
    cur = proto::Persistent<String>(t, str(model));
  }
  const int steps = gcStress() ? 300 : 4000;
  for (int step = 0; step < steps; ++step) {
    proto::HandleScope hs(t);
    const String* s = cur.get();
    std::size_t n = model.size();
    Local<String> next;
    switch (rng() % 7) {
      case 0: {  // append or prepend, sometimes something large
        std::u32string piece = randomText(rng, rng() % 4 == 0 ? rng() % 5000 : rng() % 40);
        bool front = rng() % 2;
        next = front ? strings::concat(t, str(piece), s) : strings::concat(t, s, str(piece));
        model = front ? piece + model : model + piece;
        break;
      }
      case 1: {  // slice
        std::size_t a = rng() % (n + 1), b = rng() % (n + 1);
        if (a > b) std::swap(a, b);
        if (n < 2000) b = std::max(b, std::min(n, a + n / 2));  // do not shrink to nothing
        next = strings::slice(t, s, a, b);
        model = model.substr(a, b - a);
        break;
      }
      case 2:
      case 3: {  // insert
        std::size_t at = rng() % (n + 1);
        std::u32string piece = randomText(rng, rng() % 8 == 0 ? rng() % 3000 : rng() % 20);
        next = strings::insert(t, s, at, str(piece));
        model.insert(at, piece);
        break;
      }
      case 4: {  // erase
        std::size_t a = rng() % (n + 1), b = std::min<std::size_t>(n, a + rng() % 300);
        next = strings::erase(t, s, a, b);
        model.erase(a, b - a);
        break;
      }
      case 5: {  // reads
        if (n) {
          std::size_t i = rng() % n;
          ASSERT_EQ(strings::codePointAt(s, i), model[i]);
          ASSERT_EQ(strings::toStdString(strings::charAt(t, s, i)), utf8(model.substr(i, 1)));
          std::size_t u = utf16(model.substr(0, i)).size();
          ASSERT_EQ(strings::utf16IndexOfCodePoint(s, i), u);
          ASSERT_EQ(strings::codePointIndexOfUtf16(s, u), i);
        }
        next = Local<String>();
        break;
      }
      case 6: {  // find something that is there, and something random
        std::size_t a = n ? rng() % n : 0, len = rng() % 6;
        std::u32string needle = model.substr(a, len);
        std::size_t from = n ? rng() % n : 0;
        auto found = strings::find(s, str(needle), from);
        std::size_t expected = model.find(needle, from);
        ASSERT_EQ(found.has_value(), expected != std::u32string::npos) << "step " << step;
        if (found) ASSERT_EQ(*found, expected);
        std::u32string other = randomText(rng, 3);
        found = strings::find(s, str(other));
        expected = model.find(other);
        ASSERT_EQ(found.value_or(std::u32string::npos), expected);
        break;
      }
    }
    if (next) {
      ASSERT_NO_FATAL_FAILURE(expectSame(next, model)) << "step " << step;
      cur = proto::Persistent<String>(t, next.get());
    }
    if (step % 500 == 499) rt.collect();
  }
  rt.verifyHeap();
  ASSERT_NO_FATAL_FAILURE(expectSame(cur.get(), model));
}

TEST_F(StringTest, DeepConcatenationChainsStayBalanced) {
  proto::HandleScope hs(t);
  auto piece = str(std::string(700, 'x'));
  const String* s = str("");
  const int n = gcStress() ? 1000 : 3000;  // every version stays rooted: stress mode verifies them all
  for (int i = 0; i < n; ++i) s = i % 2 ? strings::concat(t, s, piece) : strings::concat(t, piece, s);
  auto* h = reinterpret_cast<const proto::internal::HeapObject*>(s);
  EXPECT_EQ(proto::internal::validateString(h), "");
  // Up to 2.1 MB in leaves of >= ~490 bytes under nodes of >= 15 children.
  EXPECT_LE(reinterpret_cast<const proto::internal::TextNode*>(h)->height, 4);
  EXPECT_EQ(strings::byteLength(s), static_cast<std::size_t>(n) * 700u);
}

TEST_F(StringTest, ConcatOfSmallStringsMergesLeaves) {
  proto::HandleScope hs(t);
  const String* s = str("");
  for (int i = 0; i < 600; ++i) s = strings::concat(t, s, str("ab"));
  auto* h = reinterpret_cast<const proto::internal::HeapObject*>(s);
  EXPECT_EQ(h->kind, proto::internal::ObjectKind::kRopeNode);
  EXPECT_EQ(proto::internal::validateString(h), "");
  EXPECT_EQ(strings::toStdString(s), [] {
    std::string x;
    for (int i = 0; i < 600; ++i) x += "ab";
    return x;
  }());
}

TEST_F(StringTest, EqualStringsOfDifferentShapesAreEqualAndHashEqually) {
  proto::HandleScope hs(t);
  std::mt19937_64 rng(7);
  std::u32string text = randomText(rng, 20000);
  auto whole = str(text);
  const String* pieces = str("");
  for (std::size_t i = 0; i < text.size(); i += 37)
    pieces = strings::concat(t, pieces, str(text.substr(i, 37)));
  EXPECT_TRUE(strings::equals(whole, pieces));
  EXPECT_EQ(strings::compare(whole, pieces), 0);
  EXPECT_EQ(strings::hash(whole), strings::hash(pieces));
  auto shorter = strings::slice(t, whole, 0, text.size() - 1);
  EXPECT_FALSE(strings::equals(whole, shorter));
  EXPECT_NE(strings::hash(whole), strings::hash(shorter));
}

TEST_F(StringTest, CompareOrdersByCodePoint) {
  proto::HandleScope hs(t);
  EXPECT_LT(strings::compare(str("abc"), str("abd")), 0);
  EXPECT_GT(strings::compare(str("abc"), str("ab")), 0);
  EXPECT_LT(strings::compare(str(""), str("a")), 0);
  EXPECT_LT(strings::compare(str("\uFFFD"), str("\U00010000")), 0);  // UTF-16 order would differ
  EXPECT_EQ(strings::compare(str("same"), str("same")), 0);
}

TEST_F(StringTest, HashDiffersForDifferentShortStrings) {
  proto::HandleScope hs(t);
  EXPECT_NE(strings::hash(str("a")), strings::hash(str("b")));
  EXPECT_NE(strings::hash(str("")), strings::hash(str(std::string(1, '\0'))));
  EXPECT_NE(strings::hash(str("abcdefgh")), strings::hash(str(std::string_view("abcdefgh\0", 9))));
}

TEST_F(StringTest, FindWorksAcrossLeafBoundaries) {
  proto::HandleScope hs(t);
  std::string text(5000, 'a');
  text.replace(995, 10, "NEEDLE-\u20ac!");  // straddles the first leaf boundary
  auto s = str(text);
  auto found = strings::find(s, str("NEEDLE-\u20ac!"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, 995u);
  EXPECT_FALSE(strings::find(s, str("NEEDLE"), 996).has_value());
  EXPECT_EQ(strings::find(s, str(""), 17), 17u);
  EXPECT_FALSE(strings::find(s, str("b")).has_value());
}

TEST_F(StringTest, Utf16RoundTripsThroughSurrogatePairs) {
  proto::HandleScope hs(t);
  std::u16string js = u"x\U0001F600y\u00e9";
  auto s = strings::fromUtf16(t, js);
  EXPECT_EQ(strings::toStdString(s), "x\U0001F600y\u00e9");
  EXPECT_EQ(strings::toUtf16(s), js);
  EXPECT_EQ(strings::utf16Length(s), js.size());
  EXPECT_EQ(strings::codePointIndexOfUtf16(s, 2), 1u);  // the second half of the pair
  EXPECT_EQ(strings::codePointIndexOfUtf16(s, 3), 2u);
}

TEST_F(StringTest, LoneSurrogateIsAnErrorOrReplaced) {
  proto::HandleScope hs(t);
  std::u16string bad = u"ab";
  bad += static_cast<char16_t>(0xD800);
  bad += u"c";
  try {
    strings::fromUtf16(t, bad);
    FAIL() << "no error";
  } catch (const proto::Error& e) {
    EXPECT_EQ(e.code(), proto::ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("unit 2"), std::string::npos) << e.what();
  }
  auto s = strings::fromUtf16(t, bad, proto::InvalidText::kReplace);
  EXPECT_EQ(strings::toStdString(s), "ab\uFFFDc");
}

struct BadUtf8 {
  std::string bytes;
  std::size_t offset;
};

TEST_F(StringTest, InvalidUtf8IsRejectedWithItsByteOffset) {
  std::vector<BadUtf8> cases = {
      {"ab\x80", 2},                          // continuation without a lead
      {"\xC0\xAF", 0},                        // overlong 2-byte form
      {"xy\xE0\x80\xAF", 2},                  // overlong 3-byte form
      {"\xED\xA0\x80", 0},                    // an encoded surrogate
      {"abc\xF4\x90\x80\x80", 3},             // past U+10FFFF
      {"\xF5\x80\x80\x80", 0},                // a byte that never occurs
      {"hello\xE2\x82", 5},                   // cut short by the end
      {"hello\xE2(\xAC", 5},                  // cut short by a non-continuation
      {std::string(100, 'a') + "\xFF", 100},  // after the 8-byte ASCII fast path
  };
  for (const BadUtf8& c : cases) {
    proto::HandleScope hs(t);
    try {
      strings::fromUtf8(t, c.bytes);
      ADD_FAILURE() << "accepted invalid input at " << c.offset;
    } catch (const proto::Error& e) {
      EXPECT_EQ(e.code(), proto::ErrorCode::kInvalidUtf8);
      std::string expected = "byte offset " + std::to_string(c.offset) + " ";
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  }
}

TEST_F(StringTest, InvalidUtf8IsReplacedByMaximalSubparts) {
  proto::HandleScope hs(t);
  // WHATWG / Unicode "maximal subpart" practice: one U+FFFD per ill-formed prefix.
  auto s = strings::fromUtf8(t,
                             "a\xF0\x9F\x98"
                             "b\xC0\xAF"
                             "c\xED\xA0\x80",
                             proto::InvalidText::kReplace);
  EXPECT_EQ(strings::toStdString(s),
            "a\uFFFD"
            "b\uFFFD\uFFFD"
            "c\uFFFD\uFFFD\uFFFD");
}

TEST_F(StringTest, ValidEdgeCodePointsAreAccepted) {
  proto::HandleScope hs(t);
  std::string edge =
      "\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF";
  auto s = strings::fromUtf8(t, edge);
  EXPECT_EQ(strings::length(s), 9u);
  EXPECT_EQ(strings::codePointAt(s, 8), U'\U0010FFFF');
  EXPECT_EQ(strings::codePointAt(s, 4), U'\uD7FF');
}

TEST_F(StringTest, OutOfRangeIndicesNameTheNumbers) {
  proto::HandleScope hs(t);
  auto s = str("abc");
  auto expectRange = [](auto&& f, const char* text) {
    try {
      f();
      ADD_FAILURE() << "no error";
    } catch (const proto::Error& e) {
      EXPECT_EQ(e.code(), proto::ErrorCode::kOutOfRange);
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  };
  expectRange([&] { strings::slice(t, s, 2, 5); }, "[2, 5)");
  expectRange([&] { strings::slice(t, s, 2, 1); }, "[2, 1)");
  expectRange([&] { strings::erase(t, s, 0, 4); }, "of 3 code points");
  expectRange([&] { strings::insert(t, s, 4, s); }, "4");
  expectRange([&] { strings::codePointAt(s, 3); }, "index 3");
  expectRange([&] { strings::charAt(t, s, 9); }, "index 9");
  expectRange([&] { strings::codePointIndexOfUtf16(s, 4); }, "UTF-16 index 4");
}

TEST_F(StringTest, NullAndWrongKindsAreRejected) {
  proto::HandleScope hs(t);
  EXPECT_THROW(strings::concat(t, nullptr, str("a")), proto::Error);
  auto o = t.newObject(nullptr, {});
  EXPECT_FALSE(strings::isString(o.value()));
  try {
    strings::fromValue(proto::Value::integer(3));
    FAIL();
  } catch (const proto::Error& e) {
    EXPECT_EQ(e.code(), proto::ErrorCode::kWrongKind);
  }
  auto s = str("x");
  EXPECT_EQ(strings::fromValue(strings::toValue(s)), s.get());
}

TEST_F(StringTest, ChunkIterationCoversTheStringInOrder) {
  proto::HandleScope hs(t);
  std::string text;
  for (int i = 0; i < 100000; ++i) text += static_cast<char>('a' + i % 26);
  auto s = str(text);
  std::string seen;
  std::size_t chunks = 0;
  strings::forEachChunk(s, [&](std::string_view c) {
    seen.append(c);
    ++chunks;
  });
  EXPECT_EQ(seen, text);
  EXPECT_GT(chunks, 100u);
  std::size_t stopped = 0;
  strings::forEachChunk(s, [&](std::string_view) { return ++stopped < 3; });
  EXPECT_EQ(stopped, 3u);
}

TEST_F(StringTest, OldVersionsAreCollectedAndSharedStructureSurvives) {
  proto::Persistent<String> keep;
  std::string text(200000, 'q');
  {
    proto::HandleScope hs(t);
    auto big = str(text);
    auto edited = strings::insert(t, big, 100000, str("HERE"));
    keep = proto::Persistent<String>(t, edited.get());
  }
  rt.collect();
  rt.verifyHeap();
  text.insert(100000, "HERE");
  EXPECT_EQ(strings::toStdString(keep.get()), text);
}

TEST(StringMemoryTest, AMillionAppendsKeepMemoryProportionalToContent) {
  proto::Runtime rt(quietOptions());  // collections only where this test asks for them
  proto::AttachScope scope(rt);
  proto::Thread& t = scope.thread();
  const std::size_t appends = gcStress() ? 10000 : 1000000;  // a verified cycle per batch under stress
  proto::Cell current;
  {
    proto::HandleScope hs(t);
    current = t.newCell(strings::toValue(strings::fromUtf8(t, "")));
  }
  std::size_t peakLive = 0;
  for (std::size_t done = 0; done < appends;) {
    {
      proto::HandleScope hs(t);  // one batch: its garbage becomes unreachable when it ends
      const String* s = strings::fromValue(current.load());
      for (int i = 0; i < 1000 && done < appends; ++i, ++done) {
        char c = static_cast<char>('a' + done % 26);
        s = strings::concat(t, s, strings::fromUtf8(t, std::string_view(&c, 1)));
      }
      t.store(current, strings::toValue(s));
    }
    if (done % 20000 == 0) {
      rt.collect();
      peakLive = std::max(peakLive, rt.gcStats().liveBytes);
    }
  }
  const String* s = strings::fromValue(current.load());
  ASSERT_EQ(strings::byteLength(s), appends);
  EXPECT_EQ(proto::internal::validateString(reinterpret_cast<const proto::internal::HeapObject*>(s)), "");
  rt.collect();
  proto::GcStats stats = rt.gcStats();
  // Leaves are at least half full and inner nodes hold ~30 children, so the
  // live rope stays within ~2.5x of its content.
  EXPECT_LT(stats.liveBytes, appends * 5 / 2 + (64 << 10)) << "live " << stats.liveBytes;
  EXPECT_LT(peakLive, appends * 5 / 2 + (64 << 10)) << "peak live " << peakLive;
  // The heap holds the live rope plus at most one interval's garbage.
  EXPECT_LT(stats.heapBytes, appends * 3 + (256 << 20)) << "heap " << stats.heapBytes;
  EXPECT_GT(stats.allocatedBytes, appends * 100) << "the appends should have made garbage";
  std::printf("[ info ] %zu appends: %zu bytes allocated, live %zu, heap %zu\n", appends,
              stats.allocatedBytes, stats.liveBytes, stats.heapBytes);
  t.freeCell(current);
}

}  // namespace
