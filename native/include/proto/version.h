// proto/version.h — the library's identity: version numbers and the greeting
// the hello example and the addon smoke test print.
#pragma once

#include <string_view>

namespace proto {

inline constexpr int kVersionMajor = 0;
inline constexpr int kVersionMinor = 1;
inline constexpr int kVersionPatch = 0;

// "0.1.0"
std::string_view version() noexcept;

// "Hello, Proto!" — built from the runtime's interned symbols, so it proves the
// library links and runs, not only that a header compiles.
std::string_view greeting();

}  // namespace proto
