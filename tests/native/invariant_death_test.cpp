// invariant_death_test.cpp — the numbered invariants of docs/architecture.md
// that a caller can break, checked by PROTO_ASSERT: breaking one aborts the
// process with a message naming it (in builds with the asserts on: debug and
// sanitizer builds; in Release these tests skip).
#include <gtest/gtest.h>
#include <proto/runtime.h>

#include <thread>

#include "support/test_runtime.h"
#include "thread_state.h"

namespace {

// In the test body itself: GTEST_SKIP() returns from the function it is in.
#define SKIP_WITHOUT_ASSERTS() \
  if (!PROTO_ASSERTS_ON) GTEST_SKIP() << "PROTO_ASSERT is off in this build (Release)"

TEST(MarkChunk, SaysItIsFullExactlyAtItsCapacity) {
  proto::internal::MarkChunk chunk;
  auto* anything = reinterpret_cast<proto::internal::HeapObject*>(&chunk);
  for (std::size_t i = 1; i < proto::internal::MarkChunk::kCapacity; ++i) EXPECT_FALSE(chunk.push(anything));
  EXPECT_TRUE(chunk.push(anything));
  EXPECT_EQ(chunk.count, proto::internal::MarkChunk::kCapacity);
}

TEST(InvariantDeathTest, AFullMarkChunkTakesNoMore) {
  SKIP_WITHOUT_ASSERTS();
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        proto::internal::MarkChunk chunk;
        auto* anything = reinterpret_cast<proto::internal::HeapObject*>(&chunk);
        for (std::size_t i = 0; i <= proto::internal::MarkChunk::kCapacity; ++i) chunk.push(anything);
      },
      "a full mark chunk was pushed to");
}

TEST(InvariantDeathTest, AHandleScopeEndedOnAnotherOsThreadAborts) {
  SKIP_WITHOUT_ASSERTS();
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        proto::Runtime rt(proto::testing::quietOptions());
        proto::AttachScope scope(rt);
        auto* handles = new proto::HandleScope(scope.thread());
        std::thread([&] { delete handles; }).join();
      },
      "a HandleScope ended on another OS thread \\(invariant 12\\)");
}

TEST(InvariantDeathTest, AnAttachScopeEndedOnAnotherOsThreadAborts) {
  SKIP_WITHOUT_ASSERTS();
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        proto::Runtime rt(proto::testing::quietOptions());
        auto* scope = new proto::AttachScope(rt);
        std::thread([&] { delete scope; }).join();
      },
      "an AttachScope ended on another OS thread \\(invariant 12\\)");
}

TEST(InvariantDeathTest, AnUnmanagedScopeEndedOnAnotherOsThreadAborts) {
  SKIP_WITHOUT_ASSERTS();
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        proto::Runtime rt(proto::testing::quietOptions());
        proto::AttachScope scope(rt);
        auto* outside = new proto::UnmanagedScope(scope.thread());
        std::thread([&] { delete outside; }).join();
      },
      "an UnmanagedScope ended on another OS thread \\(invariant 12\\)");
}

TEST(InvariantDeathTest, HandleScopesEndedOutOfOrderNameTheirInvariant) {
  SKIP_WITHOUT_ASSERTS();
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        proto::Runtime rt(proto::testing::quietOptions());
        proto::AttachScope scope(rt);
        auto* outer = new proto::HandleScope(scope.thread());
        scope.thread().newObject(nullptr, {});
        auto* inner = new proto::HandleScope(scope.thread());
        scope.thread().newObject(nullptr, {});
        delete outer;
        delete inner;
      },
      "reverse order they began \\(invariant 16\\)");
}

}  // namespace
