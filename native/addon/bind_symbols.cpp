// bind_symbols.cpp — symbols.*: interned names and their ids.
#include <string>
#include <string_view>

#include "bindings.h"
#include "convert.h"
#include "errors.h"

namespace proto_addon {
namespace {

// intern(name: string): number — the interned id of `name`.
Napi::Value Intern(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "symbols.intern");
  if (!info[0].IsString()) typeError(std::string("a name must be a string, got ") + typeName(info[0]));
  std::string name = textArg(info[0], "symbols.intern(name): name");
  if (name.empty()) typeError("a name must not be empty");
  return Napi::Number::New(info.Env(), e.runtime().symbol(name).id);
}

// name(id: number): string
Napi::Value Name(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "symbols.name");
  std::string_view name = e.runtime().symbolName(symbolArg(info[0], "symbol id"));
  return Napi::String::New(info.Env(), name.data(), name.size());
}

}  // namespace

void defineSymbols(Group& symbols) { symbols.add<Intern, Name>({"intern", "name"}); }

}  // namespace proto_addon
