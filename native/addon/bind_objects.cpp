// bind_objects.cpp — objects.*: making immutable objects, reading and writing
// their attributes (objects are immutable; a mutable attribute is a cell).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bindings.h"
#include "convert.h"
#include "errors.h"
#include "handles.h"

namespace proto_addon {
namespace {

// create(parent: handle | null, names: number[], values: unknown[], mutable: boolean[]): handle
Napi::Value Create(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 4, "objects.create");
  const proto::Object* parent = info[0].IsNull() ? nullptr : objectArg(info[0], "parent");
  if (!info[1].IsArray() || !info[2].IsArray() || !info[3].IsArray())
    typeError("objects.create() expects arrays of names, values and mutable flags");
  Napi::Array names = info[1].As<Napi::Array>(), values = info[2].As<Napi::Array>(),
              flags = info[3].As<Napi::Array>();
  std::uint32_t n = names.Length();
  if (values.Length() != n || flags.Length() != n)
    rangeError("objects.create(): names, values and mutable flags must have the same length");
  // Handles read here stay rooted by this call's V8 handle scope, so the
  // objects they name stay alive even if a getter empties the arrays.
  std::vector<proto::Attribute> attrs;
  attrs.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    proto::Symbol name = symbolArg(names.Get(i), "attribute name id");
    std::string label = "attribute '" + std::string(e.runtime().symbolName(name)) + "'";
    Napi::Value flag = flags.Get(i);
    if (!flag.IsBoolean()) typeError("the mutable flag of " + label + " must be a boolean");
    attrs.push_back(
        proto::Attribute{name, valueArg(e, values.Get(i), label), flag.As<Napi::Boolean>().Value()});
  }
  return made(e, info, [&](proto::Thread& t) { return t.newObject(parent, attrs); });
}

// get(object, name id): value | undefined (missing)
Napi::Value Get(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 2, "objects.get");
  const proto::Object* object = objectArg(info[0], "object");
  proto::Symbol name = symbolArg(info[1], "name id");
  InsideRuntime inside(e);
  return jsValue(e, info.Env(), inside.thread(), inside.thread().get(object, name));
}

// getMany(object, name ids: number[]): (value | undefined)[] — one call to
// resolve every parameter of an entity.
Napi::Value GetMany(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 2, "objects.getMany");
  const proto::Object* object = objectArg(info[0], "object");
  if (!info[1].IsArray())
    typeError(std::string("objects.getMany() expects an array of name ids, got ") + typeName(info[1]));
  Napi::Array names = info[1].As<Napi::Array>();
  std::vector<proto::Symbol> symbols;
  symbols.reserve(names.Length());
  for (std::uint32_t i = 0; i < names.Length(); ++i) symbols.push_back(symbolArg(names.Get(i), "name id"));
  Napi::Array out = Napi::Array::New(info.Env(), symbols.size());
  InsideRuntime inside(e);
  for (std::uint32_t i = 0; i < symbols.size(); ++i)
    out.Set(i, jsValue(e, info.Env(), inside.thread(), inside.thread().get(object, symbols[i])));
  return out;
}

// find(object, name id): [where (0 missing, 1 own, 2 inherited), mutable, value]
Napi::Value Find(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 2, "objects.find");
  const proto::Object* object = objectArg(info[0], "object");
  proto::Symbol name = symbolArg(info[1], "name id");
  InsideRuntime inside(e);
  proto::Lookup r = inside.thread().find(object, name);
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env, 3);
  out.Set(0u, Napi::Number::New(env, static_cast<int>(r.where)));
  out.Set(1u, Napi::Boolean::New(env, r.isMutable));
  out.Set(2u, jsValue(e, env, inside.thread(), r.value));
  return out;
}

// The arguments of set() and with(): (object, name id, value).
struct Write {
  const proto::Object* object;
  proto::Symbol name;
  proto::Value value;
};
Write writeArgs(Environment& e, const Napi::CallbackInfo& info, const char* fn) {
  expectArgs(info, 3, fn);
  return Write{objectArg(info[0], "object"), symbolArg(info[1], "name id"),
               valueArg(e, info[2], "the value")};
}

// set(object, name id, value): writes a mutable attribute's cell.
Napi::Value Set(Environment& e, const Napi::CallbackInfo& info) {
  const Write w = writeArgs(e, info, "objects.set");
  InsideRuntime inside(e);
  inside.thread().set(w.object, w.name, w.value);
  return info.Env().Undefined();
}

// with(object, name id, value): handle — a copy with one attribute replaced/added.
Napi::Value With(Environment& e, const Napi::CallbackInfo& info) {
  const Write w = writeArgs(e, info, "objects.with");
  return made(e, info, [&](proto::Thread& t) { return t.with(w.object, w.name, w.value); });
}

// parent(object): handle | null
Napi::Value Parent(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "objects.parent");
  const proto::Object* object = objectArg(info[0], "object");
  InsideRuntime inside(e);
  const proto::Object* parent = inside.thread().parent(object);
  return parent ? makeHandle(e, info.Env(), inside.thread(), parent) : info.Env().Null();
}

// ownNames(object): string[]
Napi::Value OwnNames(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "objects.ownNames");
  const proto::Object* object = objectArg(info[0], "object");
  InsideRuntime inside(e);
  std::vector<proto::Symbol> names = inside.thread().ownAttributeNames(object);
  Napi::Array out = Napi::Array::New(info.Env(), names.size());
  for (std::uint32_t i = 0; i < names.size(); ++i) {
    std::string_view n = e.runtime().symbolName(names[i]);
    out.Set(i, Napi::String::New(info.Env(), n.data(), n.size()));
  }
  return out;
}

// same(a, b): boolean — the same Proto object.
Napi::Value Same(Environment&, const Napi::CallbackInfo& info) {
  expectArgs(info, 2, "objects.same");
  return Napi::Boolean::New(info.Env(), objectArg(info[0], "a") == objectArg(info[1], "b"));
}

}  // namespace

void defineObjects(Group& objects) {
  objects.add<Create, Get, GetMany, Find, Set, With, Parent, OwnNames, Same>(
      {"create", "get", "getMany", "find", "set", "with", "parent", "ownNames", "same"});
}

}  // namespace proto_addon
