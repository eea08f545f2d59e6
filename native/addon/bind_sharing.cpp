// bind_sharing.cpp — share tokens: how environments (the main thread, workers)
// hand each other objects. A token keeps its object alive until unshared.
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "bindings.h"
#include "convert.h"
#include "errors.h"
#include "handles.h"

namespace proto_addon {
namespace {

std::uint64_t tokenArg(const Napi::Value& v) { return indexArg(v, "share token", kMaxSafeInteger); }

// share(object): number — a token any environment of this process can open.
Napi::Value Share(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "objects.share");
  const proto::Object* object = objectArg(info[0], "object");
  InsideRuntime inside(e);
  auto root = std::make_shared<proto::Persistent<proto::Object>>(inside.thread(), object);
  return Napi::Number::New(info.Env(), static_cast<double>(e.process().share(std::move(root))));
}

// createShared(parent, names: Float64Array, values: Float64Array, count): number —
// a new immutable object whose `count` own attributes are numbers (names[i] is
// a symbol id, values[i] its number), held by a share token and by nothing in
// JS: no wrapper, no JS object, no JS string. The engine bridge makes each
// entity's object this way, so spawning allocates nothing on V8's heap.
Napi::Value CreateShared(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 4, "objects.createShared");
  const proto::Object* parent = info[0].IsNull() ? nullptr : objectArg(info[0], "parent");
  const std::uint64_t count = indexArg(info[3], "attribute count", 4096);
  const char* fn = "objects.createShared(parent, names, values, count)";
  const double* names = float64Arg(info[1], count, fn);
  const double* values = float64Arg(info[2], count, fn);
  proto::Attribute attrs[64];
  std::vector<proto::Attribute> many;
  proto::Attribute* out = attrs;
  if (count > 64) {
    many.resize(count);
    out = many.data();
  }
  for (std::uint64_t i = 0; i < count; ++i) {
    const double id = names[i];
    if (!(id >= 1 && id <= 4294967295.0 && id == std::floor(id)))
      rangeError("objects.createShared(): names[" + std::to_string(i) + "] is not a symbol id, got " +
                 formatNumber(id));
    const proto::Symbol name{static_cast<std::uint32_t>(id)};
    (void)e.runtime().symbolName(name);  // UnknownSymbol (TypeError) for an id never interned
    out[i] = proto::Attribute{name, proto::Value::number(values[i]), false};
  }
  InsideRuntime inside(e);
  proto::HandleScope scope(inside.thread());
  proto::Local<proto::Object> object =
      inside.thread().newObject(parent, std::span<const proto::Attribute>(out, count));
  auto root = std::make_shared<proto::Persistent<proto::Object>>(inside.thread(), object.get());
  return Napi::Number::New(info.Env(), static_cast<double>(e.process().share(std::move(root))));
}

// open(token): handle — the shared object, in this environment.
Napi::Value Open(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "objects.open");
  std::optional<SharedEntry> entry = sharedArg(e, info[0]);
  auto* root = std::get_if<SharedObject>(&*entry);
  if (!root) typeError("share token " + info[0].ToString().Utf8Value() + " names a column, not an object");
  InsideRuntime inside(e);
  return makeHandle(e, info.Env(), inside.thread(), (*root)->get());
}

// unshare(token): boolean — drops the token's root; false if it was unknown.
Napi::Value Unshare(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "objects.unshare");
  std::uint64_t token = tokenArg(info[0]);
  return Napi::Boolean::New(info.Env(), e.process().unshare(token));
}

}  // namespace

std::optional<SharedEntry> sharedArg(Environment& e, const Napi::Value& v) {
  std::uint64_t token = tokenArg(v);
  std::optional<SharedEntry> entry = e.process().lookup(token);
  if (!entry)
    rangeError("share token " + std::to_string(token) + " is unknown (never issued, or unshared already)");
  return entry;
}

void defineSharing(Group& objects) {
  objects.add<Share, CreateShared, Open, Unshare>({"share", "createShared", "open", "unshare"});
}

}  // namespace proto_addon
