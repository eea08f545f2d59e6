// bind_strings.cpp — strings.*: Proto strings (ropes). Indices count code
// points; anything past the end is a RangeError from the runtime (OutOfRange).
#include <cstdint>
#include <optional>
#include <string>

#include "bindings.h"

namespace proto_addon {
namespace {

// create(text: string): handle — a rope of `text` (lone surrogates: TypeError).
Napi::Value Create(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "strings.create");
  if (!info[0].IsString())
    typeError(std::string("strings.create() expects a string, got ") + typeName(info[0]));
  std::u16string text = info[0].As<Napi::String>().Utf16Value();
  if (std::optional<std::size_t> at = loneSurrogateAt(text))
    typeError("strings.create(text): text has a lone surrogate at index " + std::to_string(*at));
  return made(e, info, [&](proto::Thread& t) { return proto::strings::fromUtf16(t, text); });
}

// length(s): [codePoints, utf16, bytes]
Napi::Value Length(Environment&, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "strings.length");
  proto::strings::Lengths n = proto::strings::lengths(handleArg<proto::String>(info[0], "the string"));
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env, 3);
  out.Set(0u, static_cast<double>(n.codePoints));
  out.Set(1u, static_cast<double>(n.utf16));
  out.Set(2u, static_cast<double>(n.bytes));
  return out;
}

Napi::Value Text(Environment&, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "strings.text");
  return Napi::String::New(info.Env(),
                           proto::strings::toUtf16(handleArg<proto::String>(info[0], "the string")));
}

Napi::Value Equals(Environment&, const Napi::CallbackInfo& info) {
  expectArgs(info, 2, "strings.equals");
  return Napi::Boolean::New(info.Env(), proto::strings::equals(handleArg<proto::String>(info[0], "a"),
                                                               handleArg<proto::String>(info[1], "b")));
}

// find(s, needle, from): code point index or -1
Napi::Value Find(Environment&, const Napi::CallbackInfo& info) {
  expectArgs(info, 3, "strings.find");
  const proto::String* s = handleArg<proto::String>(info[0], "the string");
  const proto::String* needle = handleArg<proto::String>(info[1], "the needle");
  std::uint64_t from = indexArg(info[2], "find start", kMaxSafeInteger);
  std::optional<std::size_t> at = proto::strings::find(s, needle, from);
  return Napi::Number::New(info.Env(), at ? static_cast<double>(*at) : -1.0);
}

}  // namespace

void defineStrings(Group& strings) {
  strings.add<Create, ConcatOf<proto::String>, SliceOf<proto::String>, Length, Text, Equals, Find>(
      {"create", "concat", "slice", "length", "text", "equals", "find"});
}

}  // namespace proto_addon
