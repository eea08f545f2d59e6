// bindings.h — the groups of exports, one per noun; each bind_*.cpp file fills
// its group and module.cpp puts them on the module. The TS side of every
// group is NativeAddon in scripting/native.ts: keep both in step.
#pragma once

#include <optional>

#include "environment.h"

namespace proto_addon {

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
