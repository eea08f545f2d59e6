// proto/internal/assert.h — PROTO_ASSERT(cond, "message"): the runtime's
// checks of its own invariants, with a message saying which rule broke.
//
// On in debug builds and wherever PROTO_ENABLE_ASSERTS is defined (the
// sanitizer and stress builds define it); off, and free, in Release. Checks
// cheap enough for every build are plain `if`s that throw proto::Error
// instead; PROTO_ASSERT is for those on hot paths (an inline lookup, a cell
// store) and for states only a bug in the runtime can reach.
#pragma once

namespace proto::internal {
[[noreturn]] void assertFailed(const char* condition, const char* message, const char* file,
                               int line) noexcept;
}  // namespace proto::internal

#if !defined(NDEBUG) || defined(PROTO_ENABLE_ASSERTS)
#define PROTO_ASSERTS_ON 1
#define PROTO_ASSERT(cond, message) \
  ((cond) ? static_cast<void>(0) : ::proto::internal::assertFailed(#cond, message, __FILE__, __LINE__))
#else
#define PROTO_ASSERTS_ON 0
#define PROTO_ASSERT(cond, message) static_cast<void>(0)
#endif
