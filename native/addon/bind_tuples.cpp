// bind_tuples.cpp — tuples.*: immutable tuples of values (balanced trees).
// Indices count values; anything past the end is a RangeError (OutOfRange).
#include <cstdint>
#include <string>
#include <vector>

#include "bindings.h"

namespace proto_addon {
namespace {

Napi::Value Push(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 2, "tuples.push");
  const proto::Tuple* t = handleArg<proto::Tuple>(info[0], "the tuple");
  proto::Value v = valueArg(e, info[1], "the pushed value");
  return made(e, info, [&](proto::Thread& th) { return proto::tuples::pushBack(th, t, v); });
}

Napi::Value Size(Environment&, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "tuples.size");
  return Napi::Number::New(
      info.Env(), static_cast<double>(proto::tuples::size(handleArg<proto::Tuple>(info[0], "the tuple"))));
}

Napi::Value At(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 2, "tuples.at");
  const proto::Tuple* t = handleArg<proto::Tuple>(info[0], "the tuple");
  std::uint64_t index = indexArg(info[1], "tuple index", kMaxSafeInteger);
  InsideRuntime inside(e);
  return jsValue(e, info.Env(), inside.thread(), proto::tuples::at(t, index));
}

Napi::Value Values(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "tuples.values");
  const proto::Tuple* t = handleArg<proto::Tuple>(info[0], "the tuple");
  InsideRuntime inside(e);
  std::vector<proto::Value> values = proto::tuples::toVector(t);
  Napi::Array out = Napi::Array::New(info.Env(), values.size());
  for (std::uint32_t i = 0; i < values.size(); ++i)
    out.Set(i, jsValue(e, info.Env(), inside.thread(), values[i]));
  return out;
}

// create(values: array): handle
Napi::Value Create(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "tuples.create");
  if (!info[0].IsArray())
    typeError(std::string("tuples.create() expects an array, got ") + typeName(info[0]));
  Napi::Array items = info[0].As<Napi::Array>();
  std::vector<proto::Value> values;
  values.reserve(items.Length());
  for (std::uint32_t i = 0; i < items.Length(); ++i)
    values.push_back(valueArg(e, items.Get(i), "tuple element " + std::to_string(i)));
  return made(e, info, [&](proto::Thread& th) { return proto::tuples::fromValues(th, values); });
}

}  // namespace

void defineTuples(Group& tuples) {
  tuples.add<Create, ConcatOf<proto::Tuple>, SliceOf<proto::Tuple>, Push, Size, At, Values>(
      {"create", "concat", "slice", "push", "size", "at", "values"});
}

}  // namespace proto_addon
