// bindings.h — the groups of exports, one per noun; each bind_*.cpp file fills
// its group and module.cpp puts them on the module. The TS side of every
// group is NativeAddon in scripting/native.ts: keep both in step.
#pragma once

#include <optional>
#include <string>

#include "convert.h"
#include "environment.h"
#include "handles.h"

namespace proto_addon {

// A new heap value made inside the runtime by `make(thread)` (a Local), as a handle.
template <class Make>
Napi::Value made(Environment& e, const Napi::CallbackInfo& info, Make make) {
  InsideRuntime inside(e);
  proto::HandleScope scope(inside.thread());
  return makeHandle(e, info.Env(), inside.thread(), make(inside.thread()).get());
}

// concat(a, b) and slice(x, begin, end) (code points or values [begin, end)):
// one binding for strings and tuples, by RefTraits<T>.
template <class T>
Napi::Value ConcatOf(Environment& e, const Napi::CallbackInfo& info) {
  const std::string noun = RefTraits<T>::noun;
  expectArgs(info, 2, (noun + "s.concat").c_str());
  const T* a = handleArg<T>(info[0], "the first " + noun);
  const T* b = handleArg<T>(info[1], "the second " + noun);
  return made(e, info, [&](proto::Thread& t) { return RefTraits<T>::concat(t, a, b); });
}
template <class T>
Napi::Value SliceOf(Environment& e, const Napi::CallbackInfo& info) {
  const std::string noun = RefTraits<T>::noun;
  expectArgs(info, 3, (noun + "s.slice").c_str());
  const T* x = handleArg<T>(info[0], "the " + noun);
  const Range r = rangeArgs(info, 1);
  return made(e, info, [&](proto::Thread& t) { return RefTraits<T>::slice(t, x, r.begin, r.end); });
}

// The entry a share token names (RangeError for an unknown token): bind_sharing.cpp.
std::optional<SharedEntry> sharedArg(Environment& e, const Napi::Value& v);

void defineModule(Group& top);       // bind_runtime.cpp: greeting, version, noop, buildInfo, configure
void defineSymbols(Group& symbols);  // bind_symbols.cpp
void defineObjects(Group& objects);  // bind_objects.cpp
void defineSharing(Group& objects);  // bind_sharing.cpp: share tokens (objects.share, open, ...)
void defineReads(Group& objects);    // bind_reads.cpp: the fast read path (objects.pin, read, readIo)
void defineCells(Group& cells);      // bind_cells.cpp: numeric columns
void defineStrings(Group& strings);  // bind_strings.cpp
void defineTuples(Group& tuples);    // bind_tuples.cpp
void defineFrames(Group& frames);    // bind_frames.cpp
void defineMemory(Group& memory);    // bind_memory.cpp: collector, stats, V8 accounting
void defineTemps(Group& temps);      // bind_temps.cpp

}  // namespace proto_addon
