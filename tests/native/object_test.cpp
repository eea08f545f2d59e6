// Prototype objects and attribute lookup, through the public API.
#include <gtest/gtest.h>
#include <proto/runtime.h>

#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

#include "support/test_runtime.h"

namespace {

using proto::testing::quietOptions;

class ObjectTest : public ::testing::Test {
 protected:
  proto::Runtime rt{quietOptions()};
  proto::AttachScope scope{rt};
  proto::Thread& t = scope.thread();
  proto::Symbol speed = rt.symbol("speed");
  proto::Symbol radius = rt.symbol("radius");
  proto::Symbol health = rt.symbol("health");
};

TEST_F(ObjectTest, OwnAttributeIsFound) {
  proto::HandleScope hs(t);
  auto o = t.newObject(nullptr, {{speed, proto::Value::number(3.5)}});
  EXPECT_EQ(t.get(o, speed), proto::Value::number(3.5));
}

TEST_F(ObjectTest, InheritedAttributeIsFoundThroughManyLevels) {
  proto::HandleScope hs(t);
  auto root = t.newObject(nullptr, {{speed, proto::Value::integer(7)}});
  const proto::Object* o = root;
  for (int i = 0; i < 40; ++i) o = t.newObject(o, {});
  EXPECT_EQ(t.get(o, speed), proto::Value::integer(7));
  EXPECT_EQ(t.find(o, speed).where, proto::Lookup::Where::kInherited);
}

TEST_F(ObjectTest, ChildOverridesParent) {
  proto::HandleScope hs(t);
  auto base = t.newObject(nullptr, {{speed, proto::Value::number(1)}, {radius, proto::Value::number(2)}});
  auto child = t.newObject(base, {{speed, proto::Value::number(5)}});
  EXPECT_EQ(t.get(child, speed), proto::Value::number(5));
  EXPECT_EQ(t.get(child, radius), proto::Value::number(2));
  EXPECT_EQ(t.get(base, speed), proto::Value::number(1));
}

TEST_F(ObjectTest, MissingIsDistinctFromNil) {
  proto::HandleScope hs(t);
  auto o = t.newObject(nullptr, {{speed, proto::Value::nil()}});
  EXPECT_TRUE(t.get(o, speed).isNil());
  EXPECT_TRUE(t.get(o, radius).isMissing());
  EXPECT_EQ(t.find(o, radius).where, proto::Lookup::Where::kMissing);
}

TEST_F(ObjectTest, WithReturnsANewObjectAndLeavesTheOriginal) {
  proto::HandleScope hs(t);
  auto base = t.newObject(nullptr, {{speed, proto::Value::number(1)}});
  auto o = t.newObject(base, {{radius, proto::Value::number(2)}});
  auto o2 = t.with(o, radius, proto::Value::number(9));
  auto o3 = t.with(o, health, proto::Value::integer(100));
  EXPECT_EQ(t.get(o, radius), proto::Value::number(2));
  EXPECT_EQ(t.get(o2, radius), proto::Value::number(9));
  EXPECT_EQ(t.get(o3, health), proto::Value::integer(100));
  EXPECT_EQ(t.get(o3, speed), proto::Value::number(1));
  EXPECT_EQ(t.parent(o2), t.parent(o));
}

TEST_F(ObjectTest, MutableAttributeWritesGoToItsCell) {
  proto::HandleScope hs(t);
  auto proto_ = t.newObject(nullptr, {{health, proto::Value::integer(10), true}});
  auto child = t.newObject(proto_, {});
  EXPECT_EQ(t.get(child, health), proto::Value::integer(10));  // cached: the slot is the cell
  t.set(child, health, proto::Value::integer(3));
  EXPECT_EQ(t.get(child, health), proto::Value::integer(3));
  EXPECT_EQ(t.get(proto_, health), proto::Value::integer(3));
  EXPECT_TRUE(t.find(child, health).isMutable);
}

TEST_F(ObjectTest, WithGivesMutableAttributesAFreshCell) {
  proto::HandleScope hs(t);
  auto a = t.newObject(nullptr, {{health, proto::Value::integer(10), true}});
  auto b = t.with(a, speed, proto::Value::number(1));
  t.set(b, health, proto::Value::integer(1));
  EXPECT_EQ(t.get(a, health), proto::Value::integer(10));
  EXPECT_EQ(t.get(b, health), proto::Value::integer(1));
}

TEST_F(ObjectTest, WritingAnImmutableAttributeIsAnError) {
  proto::HandleScope hs(t);
  auto o = t.newObject(nullptr, {{speed, proto::Value::number(1)}});
  try {
    t.set(o, speed, proto::Value::number(2));
    FAIL() << "set on an immutable attribute succeeded";
  } catch (const proto::Error& e) {
    EXPECT_EQ(e.code(), proto::ErrorCode::kNotMutable);
    EXPECT_NE(std::string(e.what()).find("speed"), std::string::npos);
  }
  EXPECT_THROW(t.set(o, radius, proto::Value::number(2)), proto::Error);
}

TEST_F(ObjectTest, BadInputGivesClearErrors) {
  proto::HandleScope hs(t);
  auto o = t.newObject(nullptr, {{speed, proto::Value::number(1)}});
  auto code = [](auto&& f) {
    try {
      f();
    } catch (const proto::Error& e) {
      return e.code();
    }
    return proto::ErrorCode::kMissing;  // not thrown: fails below with a readable code
  };
  EXPECT_EQ(code([&] { t.get(nullptr, speed); }), proto::ErrorCode::kInvalidArgument);
  EXPECT_EQ(code([&] { t.get(o, proto::Symbol{999999}); }), proto::ErrorCode::kUnknownSymbol);
  EXPECT_EQ(code([&] {
              t.newObject(nullptr, {{speed, proto::Value::number(1)}, {speed, proto::Value::number(2)}});
            }),
            proto::ErrorCode::kInvalidArgument);
  EXPECT_EQ(code([&] {
              t.newObject(nullptr, {{speed, proto::Value::missing()}});
            }),
            proto::ErrorCode::kInvalidArgument);
  EXPECT_EQ(code([&] { proto::toNumber(proto::Value::boolean(true)); }), proto::ErrorCode::kWrongKind);
  EXPECT_EQ(code([&] { proto::toObject(proto::Value::number(1)); }), proto::ErrorCode::kWrongKind);
  EXPECT_EQ(code([&] { (void)rt.symbolName(proto::Symbol{424242}); }), proto::ErrorCode::kUnknownSymbol);
}

TEST_F(ObjectTest, ManyAttributesUseTheSortedSearch) {
  proto::HandleScope hs(t);
  std::vector<proto::Attribute> attrs;
  std::vector<proto::Symbol> names;
  for (int i = 0; i < 50; ++i) {
    names.push_back(rt.symbol("a" + std::to_string(49 - i)));
    attrs.push_back({names.back(), proto::Value::integer(i)});
  }
  auto o = t.newObject(nullptr, attrs);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(t.get(o, names[i]), proto::Value::integer(i));
  EXPECT_EQ(t.ownAttributeCount(o), 50u);
}

TEST(Values, NumbersIntsAndSpecialsRoundTrip) {
  EXPECT_EQ(proto::Value::number(2.5).asNumberUnchecked(), 2.5);
  EXPECT_TRUE(proto::Value::number(std::nan("")).isNumber());
  EXPECT_EQ(proto::Value::integer(-5).asIntUnchecked(), -5);
  EXPECT_EQ(proto::toNumber(proto::Value::integer(-5)), -5.0);
  EXPECT_TRUE(proto::Value::boolean(false).isBool());
  EXPECT_FALSE(proto::Value::boolean(false).asBoolUnchecked());
  EXPECT_FALSE(proto::Value::nil().isMissing());
  EXPECT_EQ(proto::Value::number(-0.0).kind(), proto::ValueKind::kNumber);
  EXPECT_EQ(proto::Value::symbol(proto::Symbol{3}).asSymbolUnchecked().id, 3u);
}

TEST(Symbols, InterningIsStableAndThreadSafe) {
  proto::Runtime rt(quietOptions());
  std::vector<std::thread> threads;
  std::vector<std::vector<proto::Symbol>> got(4);
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      for (int k = 0; k < 500; ++k) got[i].push_back(rt.symbol("s" + std::to_string(k)));
    });
  for (auto& th : threads) th.join();
  for (int i = 1; i < 4; ++i) EXPECT_EQ(got[i], got[0]);
  EXPECT_EQ(rt.symbolName(got[0][17]), "s17");
}

TEST(Threads, UsingTheApiWithoutAttachingIsAnError) {
  try {
    proto::Thread::current();
    FAIL() << "no error without attaching";
  } catch (const proto::Error& e) {
    EXPECT_EQ(e.code(), proto::ErrorCode::kNotAttached);
  }
}

TEST(Threads, AttachingTwiceOnOneThreadIsAnError) {
  proto::Runtime rt(quietOptions());
  proto::AttachScope a(rt);
  EXPECT_EQ(&proto::Thread::current(), &a.thread());
  try {
    proto::AttachScope b(rt);
    FAIL() << "nested attach succeeded";
  } catch (const proto::Error& e) {
    EXPECT_EQ(e.code(), proto::ErrorCode::kAlreadyAttached);
  }
}

TEST(Threads, ManyThreadsReadSharedPrototypes) {
  proto::Runtime rt;
  proto::Symbol speed = rt.symbol("speed"), mine = rt.symbol("mine");
  proto::Persistent<proto::Object> shared;
  {
    proto::AttachScope s(rt);
    proto::HandleScope hs(s.thread());
    const proto::Object* o = s.thread().newObject(nullptr, {{speed, proto::Value::number(4)}});
    for (int i = 0; i < 10; ++i) o = s.thread().newObject(o, {});
    shared = proto::Persistent<proto::Object>(s.thread(), o);
  }
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      proto::AttachScope s(rt);
      proto::Thread& th = s.thread();
      for (int round = 0; round < 200; ++round) {
        proto::HandleScope hs(th);
        auto own = th.newObject(shared.get(), {{mine, proto::Value::integer(i)}});
        for (int k = 0; k < 50; ++k) {
          if (th.get(own, speed) != proto::Value::number(4)) wrong.fetch_add(1);
          if (th.get(own, mine) != proto::Value::integer(i)) wrong.fetch_add(1);
        }
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  shared.reset();
}

}  // namespace
