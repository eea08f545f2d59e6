// proto/error.h — the one exception type the runtime throws, and its codes.
//
// Error policy: every public entry point validates its input and throws
// proto::Error with a code and a sentence a user can act on. A thrown Error
// never leaves the runtime half-changed: the operation either happened or not.
#pragma once

#include <stdexcept>
#include <string>

namespace proto {

enum class ErrorCode {
  kWrongKind,        // a value of one kind was used where another is required
  kUnknownSymbol,    // a symbol id that this runtime never interned
  kNotAttached,      // the calling OS thread is not attached, or uses a Thread not its own,
                     // or is inside an UnmanagedScope
  kAlreadyAttached,  // the calling OS thread is attached already
  kInvalidArgument,  // anything else a caller got wrong (null object, bad option)
  kOutOfRange,       // an index or length outside what the value holds
  kNotMutable,       // a write to an attribute that was not declared mutable
  kMissing,          // a required attribute is not there
  kOutOfMemory,      // the heap hit its hard limit even after collecting
  kInvalidUtf8,      // bytes that are not well-formed UTF-8
};

const char* errorCodeName(ErrorCode code) noexcept;

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace proto
