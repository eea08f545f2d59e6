// bind_runtime.cpp — the module's top level: what the binary is (greeting,
// version, buildInfo), the bare call cost (noop), the process runtime's
// options (configure) and which kind of handle a value is (handleKind).
#include <proto/version.h>

#include <optional>
#include <string>
#include <string_view>

#include "bindings.h"
#include "convert.h"
#include "errors.h"
#include "handles.h"

namespace proto_addon {
namespace {

// greeting(): string — "Hello, Proto!", produced by libproto.
Napi::Value Greeting(Environment&, const Napi::CallbackInfo& info) {
  const std::string_view text = proto::greeting();
  return Napi::String::New(info.Env(), text.data(), text.size());
}

// version(): string — libproto's version, e.g. "0.1.0".
Napi::Value Version(Environment&, const Napi::CallbackInfo& info) {
  const std::string_view text = proto::version();
  return Napi::String::New(info.Env(), text.data(), text.size());
}

// noop(): undefined — does nothing, unguarded; js.napi.noop measures the bare call cost.
Napi::Value Noop(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

// buildInfo(): { optimized, assertions, sanitizer, nodeApi } — how this binary was compiled,
// read from the compiler's own macros so perf/run.mjs can refuse to time a debug
// or sanitizer build whatever the build tree's cache says.
Napi::Value BuildInfo(Environment&, const Napi::CallbackInfo& info) {
  Napi::Object result = Napi::Object::New(info.Env());
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
  result.Set("nodeApi", PROTO_ADDON_DECLARED_NODE_API == NAPI_VERSION_EXPERIMENTAL
                            ? Napi::Value(Napi::String::New(info.Env(), "experimental"))
                            : Napi::Value(Napi::Number::New(info.Env(), PROTO_ADDON_DECLARED_NODE_API)));
  return result;
}

// The options configure() was asked for; unset ones stay empty.
struct AskedOptions {
  proto::RuntimeOptions options;
  std::optional<double> heapLimitMb, gcBudgetMs, gcTriggerMb;
  std::optional<bool> background;
};

// options[name], a whole number of MiB ≥ min, if given.
std::optional<double> megabytes(const Napi::Object& options, const char* name, double min) {
  Napi::Value v = options.Get(name);
  if (v.IsUndefined()) return std::nullopt;
  const std::string what = std::string("options.") + name;
  const auto mb = static_cast<double>(indexArg(v, what, 1 << 20));
  if (mb < min) rangeError(what + " must be at least " + formatNumber(min));
  return mb;
}

std::size_t bytesOf(double mb) { return static_cast<std::size_t>(mb) << 20; }

AskedOptions optionsArg(const Napi::Value& arg) {
  AskedOptions a;
  if (arg.IsUndefined()) return a;
  if (!arg.IsObject() || arg.IsArray())
    typeError(std::string("runtime options must be an object, got ") + typeName(arg));
  Napi::Object o = arg.As<Napi::Object>();
  if ((a.heapLimitMb = megabytes(o, "heapLimitMb", 4))) a.options.heapLimitBytes = bytesOf(*a.heapLimitMb);
  if ((a.gcTriggerMb = megabytes(o, "gcTriggerMb", 1))) a.options.gcTriggerBytes = bytesOf(*a.gcTriggerMb);
  Napi::Value v = o.Get("gcBudgetMs");
  if (!v.IsUndefined()) {
    a.gcBudgetMs = numberArg(v, "options.gcBudgetMs");
    if (!(*a.gcBudgetMs > 0 && *a.gcBudgetMs <= 1000))
      rangeError("options.gcBudgetMs must be in (0, 1000], got " + formatNumber(*a.gcBudgetMs));
    a.options.frameBudgetMs = *a.gcBudgetMs;
  }
  v = o.Get("backgroundCollector");
  if (!v.IsUndefined()) {
    if (!v.IsBoolean())
      typeError(std::string("options.backgroundCollector must be a boolean, got ") + typeName(v));
    a.background = v.As<Napi::Boolean>().Value();
    a.options.backgroundCollector = *a.background;
  }
  return a;
}

// configure({heapLimitMb?, gcBudgetMs?, gcTriggerMb?, backgroundCollector?}):
// creates the process runtime with these options if no environment has yet,
// and attaches this environment. Later calls may change gcBudgetMs only.
Napi::Value Configure(Environment& e, const Napi::CallbackInfo& info) {
  AskedOptions a = optionsArg(info[0]);
  if (e.detached()) runtimeError(proto::ErrorCode::kNotAttached, "this environment is shutting down");
  bool created = false;
  ProcessRuntime& process = ProcessRuntime::obtain(a.options, created);
  const proto::RuntimeOptions& actual = process.runtime().options();
  if (!created) {
    auto mismatch = [](const char* name, const std::string& want, const std::string& have) {
      rangeError(std::string("options.") + name + " cannot change: the process runtime (shared by all " +
                 "workers) already runs with " + name + " = " + have + ", asked for " + want);
    };
    auto mb = [](std::size_t bytes) { return formatNumber(static_cast<double>(bytes >> 20)); };
    auto boolText = [](bool b) { return std::string(b ? "true" : "false"); };
    if (a.heapLimitMb && a.options.heapLimitBytes != actual.heapLimitBytes)
      mismatch("heapLimitMb", formatNumber(*a.heapLimitMb), mb(actual.heapLimitBytes));
    if (a.gcTriggerMb && a.options.gcTriggerBytes != actual.gcTriggerBytes)
      mismatch("gcTriggerMb", formatNumber(*a.gcTriggerMb), mb(actual.gcTriggerBytes));
    if (a.background && *a.background != actual.backgroundCollector)
      mismatch("backgroundCollector", boolText(*a.background), boolText(actual.backgroundCollector));
    if (a.gcBudgetMs) process.runtime().setFrameBudgetMs(*a.gcBudgetMs);
  }
  e.ensureAttached();
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("created", created);
  result.Set("heapLimitMb", static_cast<double>(actual.heapLimitBytes >> 20));
  result.Set("gcTriggerMb", static_cast<double>(actual.gcTriggerBytes >> 20));
  result.Set("backgroundCollector", actual.backgroundCollector);
  return result;
}

// handleKind(v): "object" | "string" | "tuple" | null — which kind of handle `v` is.
Napi::Value HandleKind(Environment&, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "handleKind");
  Napi::Env env = info.Env();
  if (isHandle<proto::Object>(info[0])) return Napi::String::New(env, "object");
  if (isHandle<proto::String>(info[0])) return Napi::String::New(env, "string");
  if (isHandle<proto::Tuple>(info[0])) return Napi::String::New(env, "tuple");
  return env.Null();
}

}  // namespace

void defineModule(Group& top) {
  top.add<Greeting, Version, BuildInfo, Configure, HandleKind>(
      {"greeting", "version", "buildInfo", "configure", "handleKind"});
  top.raw<Noop>("noop");
}

}  // namespace proto_addon
