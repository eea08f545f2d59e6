// addon.cpp — the Node binding of libproto (proto.node). It owns the JS-facing
// surface: each exported function converts JS values, calls the public C++ API
// and turns C++ errors into JS exceptions. Per-environment state lives in
// ProtoAddon (one instance per Node environment: main thread and each worker),
// never in statics, because worker_threads load the addon too.
#include <napi.h>
#include <proto/version.h>

#include <string>

namespace {

class ProtoAddon : public Napi::Addon<ProtoAddon> {
 public:
  ProtoAddon(Napi::Env /*env*/, Napi::Object exports) {
    // To add a function: write a member `Napi::Value Name(const Napi::CallbackInfo&)`,
    // list it here, and declare it in scripting/native.ts (NativeAddon).
    DefineAddon(exports, {
                             InstanceMethod<&ProtoAddon::Greeting>("greeting", napi_enumerable),
                             InstanceMethod<&ProtoAddon::Version>("version", napi_enumerable),
                             InstanceMethod<&ProtoAddon::Noop>("noop", napi_enumerable),
                             InstanceMethod<&ProtoAddon::BuildInfo>("buildInfo", napi_enumerable),
                         });
  }

 private:
  // greeting(): string — "Hello, Proto!", produced by libproto.
  Napi::Value Greeting(const Napi::CallbackInfo& info) {
    const std::string_view text = proto::greeting();
    return Napi::String::New(info.Env(), text.data(), text.size());
  }

  // version(): string — libproto's version, e.g. "0.1.0".
  Napi::Value Version(const Napi::CallbackInfo& info) {
    const std::string_view text = proto::version();
    return Napi::String::New(info.Env(), text.data(), text.size());
  }

  // noop(): undefined — does nothing; js.napi.noop measures the bare call cost.
  Napi::Value Noop(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

  // buildInfo(): { optimized, assertions, sanitizer } — how this binary was compiled,
  // read from the compiler's own macros so perf/run.mjs can refuse to time a debug
  // or sanitizer build whatever the build tree's cache says.
  Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object result = Napi::Object::New(env);
#if defined(__OPTIMIZE__)
    result.Set("optimized", true);
#else
    result.Set("optimized", false);
#endif
#if defined(NDEBUG)
    result.Set("assertions", false);
#else
    result.Set("assertions", true);
#endif
#if defined(PROTO_SANITIZE_ADDRESS)
    result.Set("sanitizer", "address");
#elif defined(PROTO_SANITIZE_THREAD)
    result.Set("sanitizer", "thread");
#else
    result.Set("sanitizer", "none");
#endif
    return result;
  }
};

}  // namespace

NODE_API_ADDON(ProtoAddon)
