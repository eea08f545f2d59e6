// module.cpp — registers proto.node: one Environment per Node environment
// (instance data) and the groups of exports (bindings.h).
#include "bindings.h"

namespace proto_addon {
namespace {

Napi::Object init(Napi::Env env, Napi::Object) {
  auto* e = new Environment(env);
  env.SetInstanceData(e);  // deleted when the environment is torn down
  Group top(env, *e);
  defineModule(top);
  top.put("errorCodes", errorCodes(env));
  auto group = [&](const char* name, void (*define)(Group&)) {
    Group g(env, *e);
    define(g);
    top.put(name, g.done());
  };
  group("symbols", defineSymbols);
  group("objects", [](Group& g) {
    defineObjects(g);
    defineSharing(g);
    defineReads(g);
  });
  group("cells", defineCells);
  group("strings", defineStrings);
  group("tuples", defineTuples);
  group("frames", defineFrames);
  group("memory", defineMemory);
  group("temps", defineTemps);
  return top.done();
}

}  // namespace
}  // namespace proto_addon

// Registration. The code is written against Node-API 8. proto.node declares the
// experimental API version to Node (PROTO_ADDON_DECLARED_NODE_API, set by
// native/addon/CMakeLists.txt; the npm package's prebuilt proto-napi8.node declares 8,
// which every Node >= 20 and Electron load), for one behaviour: Node then runs the
// finalizers of this module's handles and column buffers inside V8's garbage
// collection (Node 20.20 does) instead of queueing them for a later
// setImmediate. A wrapper that V8 finds dead drops its Proto root during that very
// collection, so an addon call can collect V8's garbage and then Proto's and retry
// an allocation (Environment::reclaim), and a frame loop that never yields still
// frees the wrappers its scavenges find dead. The finalizers call no Node-API
// function and no JS, which is what the experimental mode requires of them. On a
// Node without this behaviour they run later, as before.
EXTERN_C_START
NAPI_MODULE_EXPORT int32_t NODE_API_MODULE_GET_API_VERSION(void) { return PROTO_ADDON_DECLARED_NODE_API; }
NAPI_MODULE_EXPORT napi_value NAPI_MODULE_INITIALIZER(napi_env env, napi_value exports) {
  // RegisterModule turns a C++ exception of init() into a JS one.
  return Napi::RegisterModule(env, exports, &proto_addon::init);
}
EXTERN_C_END
