// version.cpp — the library's identity (see proto/version.h).
#include "proto/version.h"

namespace proto {

std::string_view version() noexcept { return "0.1.0"; }

std::string_view greeting() { return "Hello, Proto!"; }

}  // namespace proto
