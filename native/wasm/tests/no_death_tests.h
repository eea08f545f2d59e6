// no_death_tests.h — force-included into the wasm build of the native tests.
// A death test forks (or re-executes) the process; wasm can do neither, and
// GoogleTest then leaves EXPECT_DEATH undefined. This defines it as
// GoogleTest's own "unsupported" form, which does not run the statement; the
// test runner filters those tests out by name (excludedTests in
// scripts/build-wasm.mjs: MisuseDeathTest.*, InvariantDeathTest.*) so that
// none of them counts as passed.
#pragma once

#include <gtest/gtest.h>

#if !GTEST_HAS_DEATH_TEST && !defined(EXPECT_DEATH)
#define EXPECT_DEATH(statement, regex) GTEST_UNSUPPORTED_DEATH_TEST(statement, regex, )
#endif
