// Tuples (proto/rope.h): random operation sequences against a std::vector
// model, deque ends, errors, and values that keep objects alive.
#include <gtest/gtest.h>
#include <proto/rope.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "rope.h"
#include "support/test_runtime.h"

namespace {

using proto::testing::gcStress;
using proto::testing::quietOptions;

namespace tuples = proto::tuples;
using proto::Local;
using proto::Tuple;
using proto::Value;

const proto::internal::HeapObject* heap(const Tuple* t) {
  return reinterpret_cast<const proto::internal::HeapObject*>(t);
}

std::vector<Value> ints(std::int32_t from, std::int32_t to) {
  std::vector<Value> v;
  for (std::int32_t i = from; i < to; ++i) v.push_back(Value::integer(i));
  return v;
}

class TupleTest : public ::testing::Test {
 protected:
  proto::Runtime rt{quietOptions()};
  proto::AttachScope scope{rt};
  proto::Thread& t = scope.thread();

  void expectSame(const Tuple* tuple, const std::vector<Value>& model) {
    ASSERT_EQ(proto::internal::validateTuple(heap(tuple)), "");
    ASSERT_EQ(tuples::size(tuple), model.size());
    ASSERT_EQ(tuples::toVector(tuple), model);
    if (!model.empty()) {
      ASSERT_EQ(tuples::at(tuple, 0), model.front());
      ASSERT_EQ(tuples::at(tuple, model.size() - 1), model.back());
      ASSERT_EQ(tuples::at(tuple, model.size() / 2), model[model.size() / 2]);
    }
  }
};

TEST_F(TupleTest, SmallTupleIsOneLeaf) {
  proto::HandleScope hs(t);
  auto tup = tuples::fromValues(t, {Value::integer(1), Value::nil(), Value::number(2.5)});
  EXPECT_EQ(heap(tup)->kind, proto::internal::ObjectKind::kTupleLeaf);
  EXPECT_EQ(tuples::size(tup), 3u);
  EXPECT_EQ(tuples::at(tup, 2), Value::number(2.5));
}

TEST_F(TupleTest, RandomOperationsMatchAVectorModel) {
  std::mt19937_64 rng(424242);
  std::vector<Value> model = ints(0, 500);
  std::int32_t next = 500;
  proto::Persistent<Tuple> cur;
  {
    proto::HandleScope hs(t);
    cur = proto::Persistent<Tuple>(t, tuples::fromValues(t, model).get());
  }
  const int steps = gcStress() ? 400 : 6000;
  for (int step = 0; step < steps; ++step) {
    proto::HandleScope hs(t);
    const Tuple* tup = cur.get();
    std::size_t n = model.size();
    Local<Tuple> out;
    unsigned op = static_cast<unsigned>(rng() % 10);
    if (op <= 1) {  // runs of pushes at one end, so buffers fill and spill
      bool back = op == 0;
      const Tuple* x = tup;
      int runs = static_cast<int>(rng() % 100);
      for (int i = 0; i < runs; ++i) {
        Value v = Value::integer(next++);
        out = back ? tuples::pushBack(t, x, v) : tuples::pushFront(t, x, v);
        x = out;
        if (back)
          model.push_back(v);
        else
          model.insert(model.begin(), v);
      }
    } else if (op <= 3) {  // runs of pops, so buffers run dry
      bool back = op == 2;
      const Tuple* x = tup;
      int runs = static_cast<int>(std::min<std::size_t>(n, rng() % 90));
      for (int i = 0; i < runs; ++i) {
        out = back ? tuples::popBack(t, x) : tuples::popFront(t, x);
        x = out;
        if (back)
          model.pop_back();
        else
          model.erase(model.begin());
      }
    } else if (op <= 5) {  // concat with a fresh tuple, or with itself
      std::vector<Value> more =
          ints(next, next + static_cast<std::int32_t>(rng() % (rng() % 4 ? 100 : 3000)));
      next += static_cast<std::int32_t>(more.size());
      bool self = rng() % 8 == 0 && n < 20000;
      if (self) {
        out = tuples::concat(t, tup, tup);
        std::vector<Value> copy = model;
        model.insert(model.end(), copy.begin(), copy.end());
      } else if (rng() % 2) {
        out = tuples::concat(t, tup, tuples::fromValues(t, more));
        model.insert(model.end(), more.begin(), more.end());
      } else {
        out = tuples::concat(t, tuples::fromValues(t, more), tup);
        model.insert(model.begin(), more.begin(), more.end());
      }
    } else if (op <= 7) {  // slice
      std::size_t a = n ? rng() % (n + 1) : 0, b = n ? rng() % (n + 1) : 0;
      if (a > b) std::swap(a, b);
      if (n < 3000) b = std::max(b, std::min(n, a + n / 2));
      out = tuples::slice(t, tup, a, b);
      model = std::vector<Value>(model.begin() + static_cast<std::ptrdiff_t>(a),
                                 model.begin() + static_cast<std::ptrdiff_t>(b));
    } else {  // reads
      for (int i = 0; i < 20 && n; ++i) {
        std::size_t k = rng() % n;
        ASSERT_EQ(tuples::at(tup, k), model[k]) << "step " << step << " index " << k;
      }
    }
    if (out) {
      ASSERT_NO_FATAL_FAILURE(expectSame(out, model)) << "step " << step << " op " << op;
      cur = proto::Persistent<Tuple>(t, out.get());
    }
    if (step % 500 == 499) rt.collect();
  }
  rt.verifyHeap();
  ASSERT_NO_FATAL_FAILURE(expectSame(cur.get(), model));
}

TEST_F(TupleTest, PushesAtBothEndsBuildADequeThatStaysValid) {
  proto::HandleScope hs(t);
  const Tuple* tup = tuples::fromValues(t, {});
  std::vector<Value> model;
  const std::int32_t n =
      gcStress() ? 1500 : 5000;  // every version stays rooted: stress mode verifies them all
  for (std::int32_t i = 0; i < n; ++i) {
    tup = i % 3 ? tuples::pushBack(t, tup, Value::integer(i)) : tuples::pushFront(t, tup, Value::integer(i));
    if (i % 3)
      model.push_back(Value::integer(i));
    else
      model.insert(model.begin(), Value::integer(i));
  }
  EXPECT_TRUE(proto::internal::isTupleDeque(heap(tup)));
  ASSERT_NO_FATAL_FAILURE(expectSame(tup, model));
  while (tuples::size(tup) > 0) {
    tup = tuples::size(tup) % 2 ? tuples::popBack(t, tup) : tuples::popFront(t, tup);
    if (model.size() % 2)
      model.pop_back();
    else
      model.erase(model.begin());
  }
  ASSERT_NO_FATAL_FAILURE(expectSame(tup, model));
}

TEST_F(TupleTest, OutOfRangeErrorsNameTheNumbers) {
  proto::HandleScope hs(t);
  auto tup = tuples::fromValues(t, ints(0, 4));
  try {
    tuples::at(tup, 4);
    FAIL();
  } catch (const proto::Error& e) {
    EXPECT_EQ(e.code(), proto::ErrorCode::kOutOfRange);
    EXPECT_NE(std::string(e.what()).find("index 4"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("of 4 values"), std::string::npos) << e.what();
  }
  try {
    tuples::slice(t, tup, 3, 9);
    FAIL();
  } catch (const proto::Error& e) {
    EXPECT_EQ(e.code(), proto::ErrorCode::kOutOfRange);
    EXPECT_NE(std::string(e.what()).find("[3, 9)"), std::string::npos) << e.what();
  }
  auto empty = tuples::fromValues(t, {});
  EXPECT_THROW(tuples::popBack(t, empty), proto::Error);
  EXPECT_THROW(tuples::popFront(t, empty), proto::Error);
}

TEST_F(TupleTest, UnstorableValuesAreRejected) {
  proto::HandleScope hs(t);
  try {
    tuples::fromValues(t, {Value::integer(1), Value::missing()});
    FAIL();
  } catch (const proto::Error& e) {
    EXPECT_EQ(e.code(), proto::ErrorCode::kInvalidArgument);
  }
  auto tup = tuples::fromValues(t, {});
  EXPECT_THROW(tuples::pushBack(t, tup, Value::missing()), proto::Error);
  EXPECT_THROW(tuples::at(nullptr, 0), proto::Error);
  EXPECT_THROW(tuples::fromValue(Value::nil()), proto::Error);
}

TEST_F(TupleTest, ObjectsHeldOnlyByATupleSurviveCollection) {
  proto::Symbol id = rt.symbol("id");
  proto::Persistent<Tuple> keep;
  {
    proto::HandleScope hs(t);
    std::vector<Value> values;
    for (std::int32_t i = 0; i < 3000; ++i)
      values.push_back(t.newObject(nullptr, {{id, Value::integer(i)}}).value());
    const Tuple* tup = tuples::fromValues(t, values);
    for (std::int32_t i = 0; i < 200; ++i) {
      auto o = t.newObject(nullptr, {{id, Value::integer(3000 + i)}});
      tup = tuples::pushBack(t, tup, o.value());
    }
    keep = proto::Persistent<Tuple>(t, tup);
  }
  rt.collect();
  rt.collect();
  rt.verifyHeap();
  proto::HandleScope hs(t);
  std::int32_t expected = 0;
  tuples::forEach(keep.get(), [&](Value v) {
    EXPECT_EQ(t.get(proto::toObject(v), id), Value::integer(expected));
    ++expected;
  });
  EXPECT_EQ(expected, 3200);
}

TEST_F(TupleTest, TuplesNestAndHoldStrings) {
  proto::HandleScope hs(t);
  auto inner = tuples::fromValues(t, ints(0, 3));
  auto outer = tuples::fromValues(t, {tuples::toValue(inner), Value::boolean(true)});
  const Tuple* back = tuples::fromValue(tuples::at(outer, 0));
  EXPECT_EQ(back, inner.get());
  EXPECT_TRUE(tuples::isTuple(tuples::at(outer, 0)));
  EXPECT_FALSE(tuples::isTuple(tuples::at(outer, 1)));
}

TEST(TupleCollectorTest, TuplesBuiltWhileTheCollectorRunsStayIntact) {
  proto::Runtime rt;  // background collector: cycles start and end during the loop
  proto::AttachScope scope(rt);
  proto::Thread& t = scope.thread();
  proto::Symbol id = rt.symbol("id");
  proto::Persistent<Tuple> keep;
  {
    proto::HandleScope hs(t);
    keep = proto::Persistent<Tuple>(t, tuples::fromValues(t, {}).get());
  }
  const std::int32_t n = gcStress() ? 3000 : 60000;
  for (std::int32_t i = 0; i < n;) {
    proto::HandleScope hs(t);
    const Tuple* tup = keep.get();
    for (int k = 0; k < 500; ++k, ++i) {
      auto o = t.newObject(nullptr, {{id, Value::integer(i)}});
      tup = i % 2 ? tuples::pushBack(t, tup, o.value()) : tuples::pushFront(t, tup, o.value());
      // Garbage between the pushes, so the pacer runs cycles.
      tuples::fromValues(t, ints(0, 40));
    }
    keep = proto::Persistent<Tuple>(t, tup);
  }
  rt.collect();
  rt.verifyHeap();
  proto::HandleScope hs(t);
  const Tuple* tup = keep.get();
  ASSERT_EQ(tuples::size(tup), static_cast<std::size_t>(n));
  EXPECT_EQ(proto::internal::validateTuple(heap(tup)), "");
  // Odd ids were pushed at the back in order, even ones at the front in reverse.
  std::vector<Value> seen = tuples::toVector(tup);
  for (std::size_t k = 0; k < seen.size(); ++k) {
    std::int32_t expected = k < static_cast<std::size_t>(n / 2)
                                ? n - 2 - 2 * static_cast<std::int32_t>(k)
                                : 2 * static_cast<std::int32_t>(k - n / 2) + 1;
    ASSERT_EQ(t.get(proto::toObject(seen[k]), id), Value::integer(expected)) << k;
  }
}

}  // namespace
