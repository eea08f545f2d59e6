// errors.h — the addon's one error vocabulary and how C++ errors become JS
// exceptions. The `code` of every JS error the addon throws is a name of
// proto::ErrorCode (proto::errorCodeName), or "Internal" for a bug in the addon
// itself. The addon exports the list (errorCodes); scripting/native.ts holds
// the same list (ERROR_CODES) and its loader checks that the two agree.
#pragma once

#include <napi.h>
#include <proto/error.h>

#include <string>

namespace proto_addon {

// The last proto::ErrorCode: the vocabulary is every code up to it, then "Internal".
inline constexpr proto::ErrorCode kLastErrorCode = proto::ErrorCode::kInvalidUtf8;
inline constexpr const char* kInternalCode = "Internal";

// A JS exception, thrown from C++ inside a binding and raised by guarded().
struct JsError {
  enum class Kind { kError, kType, kRange } kind;
  std::string message;
  proto::ErrorCode code;
  bool internal = false;  // the code is "Internal", whatever `code` says
};

// A caller's mistake: TypeError (InvalidArgument) or RangeError (OutOfRange).
[[noreturn]] void typeError(std::string message);
[[noreturn]] void rangeError(std::string message);
// An Error with `code` (NotAttached, OutOfMemory, ...).
[[noreturn]] void runtimeError(proto::ErrorCode code, std::string message);

JsError fromProtoError(const proto::Error& e);
JsError internalError(std::string message);

// The vocabulary as a JS array of names.
Napi::Array errorCodes(Napi::Env env);

// Throws `e` as a JS exception of the right class with its `code`.
void raise(Napi::Env env, const JsError& e);

// Clears a pending JS exception (so that ours can be thrown) and returns its message.
std::string takePendingExceptionMessage(napi_env env);

}  // namespace proto_addon
