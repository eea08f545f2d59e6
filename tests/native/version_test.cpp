#include <gtest/gtest.h>
#include <proto/version.h>

TEST(Version, GreetingIsHelloProto) { EXPECT_EQ(proto::greeting(), "Hello, Proto!"); }

TEST(Version, VersionStringMatchesConstants) {
  EXPECT_EQ(proto::version(), std::to_string(proto::kVersionMajor) + "." +
                                  std::to_string(proto::kVersionMinor) + "." +
                                  std::to_string(proto::kVersionPatch));
}
