// convert.cpp — checked conversions of JS arguments (convert.h).
#include "convert.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "errors.h"

namespace proto_addon {

const char* typeName(const Napi::Value& v) {
  switch (v.Type()) {
    case napi_undefined:
      return "undefined";
    case napi_null:
      return "null";
    case napi_boolean:
      return "a boolean";
    case napi_number:
      return "a number";
    case napi_string:
      return "a string";
    case napi_symbol:
      return "a symbol";
    case napi_object:
      return v.IsArray() ? "an array" : "an object";
    case napi_function:
      return "a function";
    case napi_external:
      return "a foreign native handle";
    case napi_bigint:
      return "a bigint";
  }
  return "an unknown value";
}

// The digits are the shortest that round-trip (std::to_chars), placed by
// ECMA-262's Number::toString.
std::string formatNumber(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
  if (d == 0) return "0";  // and -0, as JS prints it
  char buffer[64];
  std::to_chars_result r = std::to_chars(buffer, buffer + sizeof buffer, d, std::chars_format::scientific);
  std::string scientific(buffer, r.ptr);  // "-d.ddde+XX"
  const bool negative = scientific.front() == '-';
  if (negative) scientific.erase(0, 1);
  const std::size_t e = scientific.find('e');
  std::string digits = scientific.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  const int k = static_cast<int>(digits.size());
  const int n = std::atoi(scientific.c_str() + e + 1) + 1;  // the decimal point's position
  std::string out;
  if (k <= n && n <= 21) {
    out = digits + std::string(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out = digits.substr(0, static_cast<std::size_t>(n)) + "." + digits.substr(static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out = "0." + std::string(static_cast<std::size_t>(-n), '0') + digits;
  } else {
    out = digits.substr(0, 1) + (k > 1 ? "." + digits.substr(1) : std::string()) + (n - 1 < 0 ? "e-" : "e+") +
          std::to_string(std::abs(n - 1));
  }
  return negative ? "-" + out : out;
}

std::optional<std::size_t> loneSurrogateAt(const std::u16string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char16_t c = text[i];
    if (c < 0xD800 || c > 0xDFFF) continue;
    if (c <= 0xDBFF && i + 1 < text.size() && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF) {
      ++i;  // a pair
      continue;
    }
    return i;
  }
  return std::nullopt;
}

void expectArgs(const Napi::CallbackInfo& info, std::size_t n, const char* fn) {
  if (info.Length() < n)
    typeError(std::string(fn) + "() expects " + std::to_string(n) + " argument(s), got " +
              std::to_string(info.Length()));
}

std::string textArg(const Napi::Value& v, const std::string& what) {
  if (std::optional<std::size_t> at = loneSurrogateAt(v.As<Napi::String>().Utf16Value()))
    typeError(what + " has a lone surrogate at index " + std::to_string(*at));
  return v.As<Napi::String>().Utf8Value();  // exact: only lone surrogates would become U+FFFD
}

double numberArg(const Napi::Value& v, const std::string& what) {
  if (!v.IsNumber()) typeError(what + " must be a number, got " + typeName(v));
  return v.As<Napi::Number>().DoubleValue();
}

Range rangeArgs(const Napi::CallbackInfo& info, std::size_t at) {
  return Range{indexArg(info[at], "slice begin", kMaxSafeInteger),
               indexArg(info[at + 1], "slice end", kMaxSafeInteger)};
}

std::uint64_t indexArg(const Napi::Value& v, const std::string& what, double max) {
  double d = numberArg(v, what);
  if (!std::isfinite(d) || d != std::floor(d))
    rangeError(what + " must be a whole number, got " + formatNumber(d));
  if (d < 0 || d > max)
    rangeError(what + " is out of range: expected a whole number in [0, " + formatNumber(max) + "], got " +
               formatNumber(d));
  return static_cast<std::uint64_t>(d);
}

proto::Symbol symbolArg(const Napi::Value& v, const std::string& what) {
  std::uint64_t id = indexArg(v, what, 4294967295.0);
  if (id == 0) rangeError(what + " is not a symbol id (0 is no symbol)");
  return proto::Symbol{static_cast<std::uint32_t>(id)};
}

double* float64Arg(const Napi::Value& v, std::size_t slots, const char* fn) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    typeError(std::string(fn) + ": expected out to be a Float64Array, got " + typeName(v));
  Napi::Float64Array out = v.As<Napi::Float64Array>();
  if (out.ElementLength() < slots)
    rangeError(std::string(fn) + ": expected out to hold at least " + std::to_string(slots) +
               " numbers, got " + std::to_string(out.ElementLength()));
  return out.Data();
}

Napi::Object numbersObject(Napi::Env env, std::initializer_list<std::pair<const char*, double>> fields) {
  Napi::Object o = Napi::Object::New(env);
  for (const auto& [name, value] : fields) o.Set(name, value);
  return o;
}

std::optional<proto::NumericType> columnTypeFromName(const std::string& name) {
  for (proto::NumericType type :
       {proto::NumericType::kF64, proto::NumericType::kF32, proto::NumericType::kI32,
        proto::NumericType::kU32, proto::NumericType::kU8})
    if (name == proto::numericTypeName(type)) return type;
  return std::nullopt;
}

}  // namespace proto_addon
