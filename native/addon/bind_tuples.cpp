// bind_tuples.cpp — tuples.*: immutable tuples of values (balanced trees).
// Indices count values; anything past the end is a RangeError (OutOfRange).
#include <cstdint>
#include <string>
#include <vector>

#include "bindings.h"
#include "convert.h"
#include "errors.h"
#include "handles.h"

namespace proto_addon {
namespace {

const proto::Tuple* tupleArg(const Napi::Value& v, const char* what) {
  return handleArg<proto::Tuple>(v, what);
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
  InsideRuntime inside(e);
  proto::HandleScope scope(inside.thread());
  return makeHandle(e, info.Env(), inside.thread(), proto::tuples::fromValues(inside.thread(), values).get());
}

Napi::Value Concat(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 2, "tuples.concat");
  const proto::Tuple* a = tupleArg(info[0], "the first tuple");
  const proto::Tuple* b = tupleArg(info[1], "the second tuple");
  InsideRuntime inside(e);
  proto::HandleScope scope(inside.thread());
  return makeHandle(e, info.Env(), inside.thread(), proto::tuples::concat(inside.thread(), a, b).get());
}

Napi::Value Slice(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 3, "tuples.slice");
  const proto::Tuple* t = tupleArg(info[0], "the tuple");
  std::uint64_t begin = indexArg(info[1], "slice begin", kMaxSafeInteger);
  std::uint64_t end = indexArg(info[2], "slice end", kMaxSafeInteger);
  InsideRuntime inside(e);
  proto::HandleScope scope(inside.thread());
  return makeHandle(e, info.Env(), inside.thread(),
                    proto::tuples::slice(inside.thread(), t, begin, end).get());
}

Napi::Value Push(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 2, "tuples.push");
  const proto::Tuple* t = tupleArg(info[0], "the tuple");
  proto::Value v = valueArg(e, info[1], "the pushed value");
  InsideRuntime inside(e);
  proto::HandleScope scope(inside.thread());
  return makeHandle(e, info.Env(), inside.thread(), proto::tuples::pushBack(inside.thread(), t, v).get());
}

Napi::Value Size(Environment&, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "tuples.size");
  return Napi::Number::New(info.Env(),
                           static_cast<double>(proto::tuples::size(tupleArg(info[0], "the tuple"))));
}

Napi::Value At(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 2, "tuples.at");
  const proto::Tuple* t = tupleArg(info[0], "the tuple");
  std::uint64_t index = indexArg(info[1], "tuple index", kMaxSafeInteger);
  InsideRuntime inside(e);
  return jsValue(e, info.Env(), inside.thread(), proto::tuples::at(t, index));
}

Napi::Value Values(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "tuples.values");
  const proto::Tuple* t = tupleArg(info[0], "the tuple");
  InsideRuntime inside(e);
  std::vector<proto::Value> values = proto::tuples::toVector(t);
  Napi::Array out = Napi::Array::New(info.Env(), values.size());
  for (std::uint32_t i = 0; i < values.size(); ++i)
    out.Set(i, jsValue(e, info.Env(), inside.thread(), values[i]));
  return out;
}

}  // namespace

void defineTuples(Group& tuples) {
  tuples.add<Create>("create")
      .add<Concat>("concat")
      .add<Slice>("slice")
      .add<Push>("push")
      .add<Size>("size")
      .add<At>("at")
      .add<Values>("values");
}

}  // namespace proto_addon
