// errors.cpp — the addon's error vocabulary (errors.h): from proto::Error and
// the bindings' own checks to a JS TypeError, RangeError or Error with a code.
#include "errors.h"

#include <cstddef>
#include <cstdint>
#include <utility>

namespace proto_addon {

void typeError(std::string message) {
  throw JsError{JsError::Kind::kType, std::move(message), proto::ErrorCode::kInvalidArgument};
}

void rangeError(std::string message) {
  throw JsError{JsError::Kind::kRange, std::move(message), proto::ErrorCode::kOutOfRange};
}

void runtimeError(proto::ErrorCode code, std::string message) {
  throw JsError{JsError::Kind::kError, std::move(message), code};
}

JsError fromProtoError(const proto::Error& e) {
  JsError::Kind kind = JsError::Kind::kError;
  switch (e.code()) {
    case proto::ErrorCode::kWrongKind:
    case proto::ErrorCode::kInvalidArgument:
    case proto::ErrorCode::kNotMutable:
    case proto::ErrorCode::kUnknownSymbol:
    case proto::ErrorCode::kInvalidUtf8:
      kind = JsError::Kind::kType;
      break;
    case proto::ErrorCode::kOutOfRange:
    case proto::ErrorCode::kMissing:
      kind = JsError::Kind::kRange;
      break;
    case proto::ErrorCode::kNotAttached:
    case proto::ErrorCode::kAlreadyAttached:
    case proto::ErrorCode::kOutOfMemory:
      break;
  }
  return JsError{kind, e.what(), e.code()};
}

JsError internalError(std::string message) {
  return JsError{JsError::Kind::kError, std::move(message), proto::ErrorCode::kInvalidArgument, true};
}

Napi::Array errorCodes(Napi::Env env) {
  const auto last = static_cast<std::uint32_t>(kLastErrorCode);
  Napi::Array out = Napi::Array::New(env, last + 2);
  for (std::uint32_t i = 0; i <= last; ++i)
    out.Set(i, Napi::String::New(env, proto::errorCodeName(static_cast<proto::ErrorCode>(i))));
  out.Set(last + 1, Napi::String::New(env, kInternalCode));
  out.Freeze();
  return out;
}

void raise(Napi::Env env, const JsError& e) {
  Napi::Error error = e.kind == JsError::Kind::kType    ? Napi::TypeError::New(env, e.message)
                      : e.kind == JsError::Kind::kRange ? Napi::RangeError::New(env, e.message)
                                                        : Napi::Error::New(env, e.message);
  const char* code = e.internal ? kInternalCode : proto::errorCodeName(e.code);
  error.Set("code", Napi::String::New(env, code));
  error.ThrowAsJavaScriptException();
}

std::string takePendingExceptionMessage(napi_env env) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) != napi_ok || !pending) return {};
  napi_value error = nullptr;
  if (napi_get_and_clear_last_exception(env, &error) != napi_ok || error == nullptr) return {};
  napi_valuetype type = napi_undefined;
  napi_value message = nullptr;
  if (napi_typeof(env, error, &type) != napi_ok || type != napi_object) return {};
  if (napi_get_named_property(env, error, "message", &message) != napi_ok) return {};
  if (napi_typeof(env, message, &type) != napi_ok || type != napi_string) return {};
  std::size_t length = 0;
  if (napi_get_value_string_utf8(env, message, nullptr, 0, &length) != napi_ok) return {};
  std::string text(length, '\0');
  if (napi_get_value_string_utf8(env, message, text.data(), length + 1, &length) != napi_ok) return {};
  text.resize(length);
  return text;
}

}  // namespace proto_addon
