// convert.h — JS arguments to C++ values, checked: each helper names the
// argument and says what was expected and what came (a TypeError or
// RangeError through errors.h). Arguments are read before a binding enters
// the runtime, so no user code (a getter, a Proxy) runs inside it.
#pragma once

#include <napi.h>
#include <proto/runtime.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

namespace proto_addon {

// The largest whole number a double holds exactly (2^53 - 1).
inline constexpr double kMaxSafeInteger = 9007199254740991.0;

// "a number", "an array", "null", ... for messages.
const char* typeName(const Napi::Value& v);

// A number as JavaScript prints it (Number.prototype.toString): 1, -1.5, 1e+21, NaN.
std::string formatNumber(double d);

// The UTF-16 index of the first lone surrogate of `text`, if it has one.
std::optional<std::size_t> loneSurrogateAt(const std::u16string& text);

// TypeError unless the call has at least `n` arguments.
void expectArgs(const Napi::CallbackInfo& info, std::size_t n, const char* fn);

// A JS string as UTF-8; a lone surrogate is a TypeError naming `what` and its
// UTF-16 index (Napi's Utf8Value would make "\uD800" and "\uDC00" one name).
std::string textArg(const Napi::Value& v, const std::string& what);

double numberArg(const Napi::Value& v, const std::string& what);

// A whole number in [0, max].
std::uint64_t indexArg(const Napi::Value& v, const std::string& what, double max);

// Slice bounds [begin, end) from info[at] and info[at + 1].
struct Range {
  std::uint64_t begin, end;
};
Range rangeArgs(const Napi::CallbackInfo& info, std::size_t at);

// A symbol id (a whole number in [1, 2^32 - 1]); whether it was interned is
// the runtime's check (UnknownSymbol).
proto::Symbol symbolArg(const Napi::Value& v, const std::string& what);

// The data of a Float64Array of at least `slots` numbers.
double* float64Arg(const Napi::Value& v, std::size_t slots, const char* fn);

// A plain JS object of numeric fields, for records read back by JS.
Napi::Object numbersObject(Napi::Env env, std::initializer_list<std::pair<const char*, double>> fields);

// The element type a column type name ("f64", "u8", ...) names.
std::optional<proto::NumericType> columnTypeFromName(const std::string& name);

}  // namespace proto_addon
