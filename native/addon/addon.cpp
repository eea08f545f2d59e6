// addon.cpp — the Node binding of libproto (proto.node). It owns the JS-facing
// surface: each exported function validates and converts its JS arguments,
// calls the public C++ API and turns C++ errors into JS exceptions.
//
// Threads. All environments share the process runtime (process_runtime.h).
// Each environment (the main thread, each worker) attaches its own proto
// thread the first time it uses the runtime, and detaches in an environment
// cleanup hook when it shuts down. Invariant 5 (a thread running plain JS never
// delays a GC handshake): between addon calls the environment's thread stays
// outside the runtime (an UnmanagedScope is open), so the collector answers
// handshakes on its behalf; each call that touches the heap enters for its own
// duration (InsideRuntime below: one CAS in, one handshake check and a store
// out).
//
// Lifetimes. A JS handle of an object is an External, type-tagged, owning a
// proto::Persistent: the handle alive => the object alive; its finalizer drops
// the Persistent (thread-safe, needs no attached thread). JS gets typed-array
// views only over numeric blocks, never over value cells (invariant 6).
#include <napi.h>
#include <proto/rope.h>
#include <proto/runtime.h>
#include <proto/version.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "process_runtime.h"

namespace proto_addon {
namespace {

// Tags that tell our Externals from anything else a script could pass: one
// per kind of heap reference, so a string handle can never pass for an object.
constexpr napi_type_tag kObjectTag = {0x70726f746f4f626aULL, 0x9d3c1a7be2f04c11ULL};
constexpr napi_type_tag kStringTag = {0x70726f746f537472ULL, 0x4b1e9a0c77d3e215ULL};
constexpr napi_type_tag kTupleTag = {0x70726f746f547570ULL, 0x2c8f61d0b35a9e47ULL};

template <class T>
struct RefTraits;
template <>
struct RefTraits<proto::Object> {
  static constexpr const napi_type_tag* tag = &kObjectTag;
  static constexpr const char* name = "ProtoObject";
};
template <>
struct RefTraits<proto::String> {
  static constexpr const napi_type_tag* tag = &kStringTag;
  static constexpr const char* name = "ProtoString";
};
template <>
struct RefTraits<proto::Tuple> {
  static constexpr const napi_type_tag* tag = &kTupleTag;
  static constexpr const char* name = "ProtoTuple";
};

// Native bytes the wrappers of one environment hold, for V8's external-memory
// accounting (napi_adjust_external_memory). Finalizers add what they free to
// `freed`; the environment reports the difference in batches. Deliberately
// leaked, one per environment: a finalizer may run after the environment's
// instance data is gone (at teardown), and must still find it.
struct ExternalLedger {
  std::atomic<std::int64_t> freed{0};
};

// What a JS handle owns: a persistent root of an object, string or tuple, and
// the native bytes it is charged to V8 for (an estimate of what it pins).
template <class T>
struct Ref {
  Ref(proto::Thread& thread, const T* target, std::int64_t b, ExternalLedger* l)
      : handle(thread, target), bytes(b), ledger(l) {
    ProcessRuntime* p = ProcessRuntime::existing();
    p->wrappers.fetch_add(1, std::memory_order_relaxed);
    p->wrapperBytes.fetch_add(b, std::memory_order_relaxed);
  }
  ~Ref() {
    ProcessRuntime* p = ProcessRuntime::existing();
    p->wrappers.fetch_sub(1, std::memory_order_relaxed);
    p->wrapperBytes.fetch_sub(bytes, std::memory_order_relaxed);
    ledger->freed.fetch_add(bytes, std::memory_order_relaxed);
  }
  proto::Persistent<T> handle;
  std::int64_t bytes;
  ExternalLedger* ledger;
};
using ObjectRef = Ref<proto::Object>;

// The finalizer of a handle. The module declares the experimental Node-API
// version (see the registration at the end of this file), under which Node runs
// finalizers inside V8's collection instead of from a later setImmediate: a
// handle V8 finds dead drops its root at once, so a gc() (or a scavenge) frees
// the Proto objects of dead wrappers before the next line of JS. It must not
// call into JS or Node-API, and it does not: it only drops a root.
template <class T>
void finalizeRef(napi_env, void* data, void*) {
  delete static_cast<Ref<T>*>(data);
}

// A JS exception, thrown from C++ and raised by Guard below.
struct JsError {
  enum class Kind { kError, kType, kRange } kind;
  std::string message;
  std::string code;
};

[[noreturn]] void typeError(std::string message) {
  throw JsError{JsError::Kind::kType, std::move(message), "ERR_PROTO_INVALID_ARGUMENT"};
}
[[noreturn]] void rangeError(std::string message) {
  throw JsError{JsError::Kind::kRange, std::move(message), "ERR_PROTO_OUT_OF_RANGE"};
}

JsError fromProtoError(const proto::Error& e) {
  JsError::Kind kind = JsError::Kind::kError;
  switch (e.code()) {
    case proto::ErrorCode::kWrongKind:
    case proto::ErrorCode::kInvalidArgument:
    case proto::ErrorCode::kNotMutable:
    case proto::ErrorCode::kUnknownSymbol:
    case proto::ErrorCode::kInvalidUtf8:
      kind = JsError::Kind::kType;
      break;
    case proto::ErrorCode::kOutOfRange:
    case proto::ErrorCode::kMissing:
      kind = JsError::Kind::kRange;
      break;
    case proto::ErrorCode::kNotAttached:
    case proto::ErrorCode::kAlreadyAttached:
    case proto::ErrorCode::kOutOfMemory:
      break;
  }
  return JsError{kind, e.what(), proto::errorCodeName(e.code())};
}

void raise(Napi::Env env, const JsError& e) {
  Napi::Error error = e.kind == JsError::Kind::kType    ? Napi::TypeError::New(env, e.message)
                      : e.kind == JsError::Kind::kRange ? Napi::RangeError::New(env, e.message)
                                                        : Napi::Error::New(env, e.message);
  error.Set("code", Napi::String::New(env, e.code));
  error.ThrowAsJavaScriptException();
}

// A number as JavaScript prints it (Number.prototype.toString): 1, -1.5, 0.001,
// 1e+21, NaN, Infinity — never C's "1.000000" or "nan". The digits are the
// shortest that round-trip (std::to_chars), placed by ECMA-262's Number::toString.
std::string formatNumber(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
  if (d == 0) return "0";  // and -0, as JS prints it
  char buffer[64];
  std::to_chars_result r = std::to_chars(buffer, buffer + sizeof buffer, d, std::chars_format::scientific);
  std::string scientific(buffer, r.ptr);  // "-d.ddde+XX"
  const bool negative = scientific.front() == '-';
  if (negative) scientific.erase(0, 1);
  const std::size_t e = scientific.find('e');
  std::string digits = scientific.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  const int k = static_cast<int>(digits.size());
  const int n = std::atoi(scientific.c_str() + e + 1) + 1;  // the decimal point's position
  std::string out;
  if (k <= n && n <= 21) {
    out = digits + std::string(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out = digits.substr(0, static_cast<std::size_t>(n)) + "." + digits.substr(static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out = "0." + std::string(static_cast<std::size_t>(-n), '0') + digits;
  } else {
    out = digits.substr(0, 1) + (k > 1 ? "." + digits.substr(1) : std::string()) + (n - 1 < 0 ? "e-" : "e+") +
          std::to_string(std::abs(n - 1));
  }
  return negative ? "-" + out : out;
}

// The UTF-16 index of the first lone surrogate of `text`, if it has one.
std::optional<std::size_t> loneSurrogateAt(const std::u16string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char16_t c = text[i];
    if (c < 0xD800 || c > 0xDFFF) continue;
    if (c <= 0xDBFF && i + 1 < text.size() && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF) {
      ++i;  // a pair
      continue;
    }
    return i;
  }
  return std::nullopt;
}

const char* typeName(const Napi::Value& v) {
  switch (v.Type()) {
    case napi_undefined:
      return "undefined";
    case napi_null:
      return "null";
    case napi_boolean:
      return "a boolean";
    case napi_number:
      return "a number";
    case napi_string:
      return "a string";
    case napi_symbol:
      return "a symbol";
    case napi_object:
      return v.IsArray() ? "an array" : "an object";
    case napi_function:
      return "a function";
    case napi_external:
      return "a foreign native handle";
    case napi_bigint:
      return "a bigint";
  }
  return "an unknown value";
}

std::optional<proto::NumericType> numericTypeFromName(const std::string& name) {
  if (name == "f64") return proto::NumericType::kF64;
  if (name == "f32") return proto::NumericType::kF32;
  if (name == "i32") return proto::NumericType::kI32;
  if (name == "u32") return proto::NumericType::kU32;
  if (name == "u8") return proto::NumericType::kU8;
  return std::nullopt;
}

const char* numericTypeShortName(proto::NumericType type) {
  switch (type) {
    case proto::NumericType::kF64:
      return "f64";
    case proto::NumericType::kF32:
      return "f32";
    case proto::NumericType::kI32:
      return "i32";
    case proto::NumericType::kU32:
      return "u32";
    case proto::NumericType::kU8:
      return "u8";
  }
  return "?";
}

class ProtoAddon : public Napi::Addon<ProtoAddon> {
 public:
  ProtoAddon(Napi::Env env, Napi::Object exports) {
    // To add a function: write a member `Napi::Value Name(const Napi::CallbackInfo&)`,
    // list it here through Guard, and declare it in scripting/native.ts (NativeAddon).
    DefineAddon(exports, {
                             Method<&ProtoAddon::Greeting>("greeting"),
                             Method<&ProtoAddon::Version>("version"),
                             InstanceMethod<&ProtoAddon::Noop>("noop", napi_enumerable),
                             Method<&ProtoAddon::BuildInfo>("buildInfo"),
                             Method<&ProtoAddon::Configure>("configure"),
                             Method<&ProtoAddon::SymbolOf>("symbol"),
                             Method<&ProtoAddon::SymbolName>("symbolName"),
                             Method<&ProtoAddon::NewObject>("newObject"),
                             Method<&ProtoAddon::Get>("get"),
                             Method<&ProtoAddon::GetMany>("getMany"),
                             Method<&ProtoAddon::Find>("find"),
                             Method<&ProtoAddon::Set>("set"),
                             Method<&ProtoAddon::With>("with"),
                             Method<&ProtoAddon::Parent>("parent"),
                             Method<&ProtoAddon::OwnNames>("ownNames"),
                             Method<&ProtoAddon::Same>("same"),
                             Method<&ProtoAddon::Share>("share"),
                             Method<&ProtoAddon::NewSharedObject>("newSharedObject"),
                             Method<&ProtoAddon::Open>("open"),
                             Method<&ProtoAddon::Unshare>("unshare"),
                             Method<&ProtoAddon::NewColumn>("newColumn"),
                             Method<&ProtoAddon::ShareColumn>("shareColumn"),
                             Method<&ProtoAddon::OpenColumn>("openColumn"),
                             Method<&ProtoAddon::HandleKind>("handleKind"),
                             Method<&ProtoAddon::StringNew>("stringNew"),
                             Method<&ProtoAddon::StringConcat>("stringConcat"),
                             Method<&ProtoAddon::StringSlice>("stringSlice"),
                             Method<&ProtoAddon::StringLength>("stringLength"),
                             Method<&ProtoAddon::StringText>("stringText"),
                             Method<&ProtoAddon::StringEquals>("stringEquals"),
                             Method<&ProtoAddon::StringFind>("stringFind"),
                             Method<&ProtoAddon::TupleNew>("tupleNew"),
                             Method<&ProtoAddon::TupleConcat>("tupleConcat"),
                             Method<&ProtoAddon::TupleSlice>("tupleSlice"),
                             Method<&ProtoAddon::TuplePush>("tuplePush"),
                             Method<&ProtoAddon::TupleSize>("tupleSize"),
                             Method<&ProtoAddon::TupleAt>("tupleAt"),
                             Method<&ProtoAddon::TupleValues>("tupleValues"),
                             Method<&ProtoAddon::Collect>("collect"),
                             Method<&ProtoAddon::Stats>("stats"),
                             Method<&ProtoAddon::FrameBegin>("frameBegin"),
                             Method<&ProtoAddon::FrameEnd>("frameEnd"),
                             Method<&ProtoAddon::FrameEndInto>("frameEndInto"),
                             Method<&ProtoAddon::StatsInto>("statsInto"),
                             Method<&ProtoAddon::SetGcHook>("setGcHook"),
                             Method<&ProtoAddon::TempIo>("tempIo"),
                             Method<&ProtoAddon::TempShape>("tempShape"),
                             Method<&ProtoAddon::TempRecord>("tempRecord"),
                             Method<&ProtoAddon::TempRead>("tempRead"),
                             Method<&ProtoAddon::TempText>("tempText"),
                             Method<&ProtoAddon::TempLabel>("tempLabel"),
                             Method<&ProtoAddon::TempLength>("tempLength"),
                             Method<&ProtoAddon::TempKeep>("tempKeep"),
                             Method<&ProtoAddon::TempCount>("tempCount"),
                             Method<&ProtoAddon::TempRelease>("tempRelease"),
                             Method<&ProtoAddon::ReportExternalMemory>("reportExternalMemory"),
                             Method<&ProtoAddon::TakeFrameRecords>("takeFrameRecords"),
                             Method<&ProtoAddon::SetFrameBudgetMs>("setFrameBudgetMs"),
                             Method<&ProtoAddon::VerifyHeap>("verifyHeap"),
                         });
    env.AddCleanupHook([this] { detach(); });
    maxArrayBufferBytes_ = readMaxArrayBufferBytes(env, maxArrayBufferBytes_);
  }

  ~ProtoAddon() { detach(); }

 private:
  using Handler = Napi::Value (ProtoAddon::*)(const Napi::CallbackInfo&);

  // Every entry point runs through Guard: C++ exceptions never reach Node
  // (which would terminate the process); they become JS errors with a code.
  template <Handler H>
  Napi::Value Guarded(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::optional<JsError> error;
    try {
      try {
        return (this->*H)(info);
      } catch (const proto::Error& e) {
        // Out of memory with wrappers V8 has not collected yet: collect them and
        // Proto's heap, then try once more (see reclaim()).
        if (e.code() != proto::ErrorCode::kOutOfMemory || !reclaim(env)) throw;
      }
      return (this->*H)(info);
    } catch (const JsError& e) {
      error = e;
    } catch (const proto::Error& e) {
      error = fromProtoError(e);
    } catch (const Napi::Error& e) {
      // A Node-API call failed, e.g. while a worker is being terminated: the
      // exception is pending already, or the environment cannot run JS.
      try {
        e.ThrowAsJavaScriptException();
      } catch (...) {  // NOLINT: nothing more can be reported to a dying environment
      }
      return Napi::Value();
    } catch (const std::bad_alloc&) {
      error = JsError{JsError::Kind::kError, "Proto ran out of native memory", "OutOfMemory"};
    } catch (const std::exception& e) {
      error = JsError{JsError::Kind::kError, e.what(), "ERR_PROTO_INTERNAL"};
    }
    try {
      raise(env, *error);
    } catch (...) {  // NOLINT: the environment is terminating; it cannot take an exception
    }
    return Napi::Value();
  }
  template <Handler H>
  static PropertyDescriptor Method(const char* name) {
    return InstanceMethod<&ProtoAddon::Guarded<H>>(name, napi_enumerable);
  }

  // buffer.constants.MAX_LENGTH of this Node (process.getBuiltinModule exists from
  // Node 20.16 on), or `fallback` if it cannot be read.
  static double readMaxArrayBufferBytes(Napi::Env env, double fallback) {
    try {
      Napi::Value process = env.Global().Get("process");
      if (!process.IsObject()) return fallback;
      Napi::Value getBuiltinModule = process.As<Napi::Object>().Get("getBuiltinModule");
      if (!getBuiltinModule.IsFunction()) return fallback;
      Napi::Value buffer =
          getBuiltinModule.As<Napi::Function>().Call(process, {Napi::String::New(env, "buffer")});
      if (!buffer.IsObject()) return fallback;
      Napi::Value constants = buffer.As<Napi::Object>().Get("constants");
      if (!constants.IsObject()) return fallback;
      Napi::Value max = constants.As<Napi::Object>().Get("MAX_LENGTH");
      if (!max.IsNumber()) return fallback;
      double bytes = max.As<Napi::Number>().DoubleValue();
      return std::isfinite(bytes) && bytes >= 1 ? bytes : fallback;
    } catch (const Napi::Error&) {  // the exception is cleared: it lives in the Napi::Error
      return fallback;
    }
  }

  // ---- the environment's proto thread ---------------------------------------

  // Enters the runtime for one call, then leaves it again (see the file comment).
  // Arguments are read from JS before entering, so no user code (a getter, a
  // Proxy) runs inside. Should JS still re-enter the addon from inside (a
  // setter patched onto Array.prototype, say), the nested call finds the thread
  // inside already and leaves it so: only the outermost scope enters and leaves.
  class InsideRuntime {
   public:
    explicit InsideRuntime(ProtoAddon& addon) : addon_(addon) {
      addon.ensureAttached();
      if (addon_.insideDepth_++ > 0) return;
      addon_.outside_.reset();  // enter: waits only if the collector holds us right now
      if (addon_.process_->hasRetired()) addon_.process_->drainRetired(thread());
    }
    ~InsideRuntime() {
      if (--addon_.insideDepth_ == 0) addon_.outside_.emplace(thread());
    }
    InsideRuntime(const InsideRuntime&) = delete;
    InsideRuntime& operator=(const InsideRuntime&) = delete;
    proto::Thread& thread() { return addon_.attach_->thread(); }

   private:
    ProtoAddon& addon_;
  };

  // Before an allocation's OutOfMemory reaches JS: dead wrappers V8 has not
  // collected still pin their Proto objects (V8 sees a few dozen bytes each and
  // has no reason to collect), so run V8's full GC through the hook the scripting
  // layer set (its finalizers drop the roots at once), then a Proto cycle. True
  // if that was done and the call should be retried. Only the outermost call
  // does it (an inner one is inside the runtime, where no JS may run), and never
  // twice at once.
  bool reclaim(Napi::Env env) {
    if (gcHook_.IsEmpty() || reclaiming_ || insideDepth_ != 0 || !attach_) return false;
    reclaiming_ = true;
    bool ok = true;
    try {
      gcHook_.Call({});
    } catch (const Napi::Error&) {  // a hook that throws: report the OutOfMemory instead
      ok = false;
    }
    reclaiming_ = false;
    if (!ok) return false;
    reportExternalMemory(env, true);
    runtime().collect();  // outside the runtime: the collector answers for this thread
    return true;
  }

  void ensureAttached() {
    if (attach_) return;
    if (detached_) throw JsError{JsError::Kind::kError, "this environment is shutting down", "NotAttached"};
    bool created = false;
    process_ = &ProcessRuntime::obtain(proto::RuntimeOptions{}, created);
    attach_.emplace(process_->runtime());
    outside_.emplace(attach_->thread());
    process_->attachedEnvironments.fetch_add(1, std::memory_order_relaxed);
  }

  // Runs on the environment's own thread (cleanup hook or instance-data
  // finalizer, whichever comes first).
  void detach() {
    detached_ = true;
    if (!attach_) return;
    outside_.reset();  // AttachScope's destructor expects a running thread
    attach_.reset();
    process_->attachedEnvironments.fetch_sub(1, std::memory_order_relaxed);
  }

  proto::Runtime& runtime() {
    ensureAttached();
    return process_->runtime();
  }

  // ---- argument helpers -------------------------------------------------------

  static void expectArgs(const Napi::CallbackInfo& info, std::size_t n, const char* fn) {
    if (info.Length() < n)
      typeError(std::string(fn) + "() expects " + std::to_string(n) + " argument(s), got " +
                std::to_string(info.Length()));
  }

  // A JS string as UTF-8. Lone surrogates are refused (TypeError naming `what` and
  // the UTF-16 index): Napi's Utf8Value would turn each into U+FFFD, so "\uD800"
  // and "\uDC00" would become the same name. runtime.string() refuses them too.
  static std::string textArg(const Napi::Value& v, const std::string& what) {
    std::u16string units = v.As<Napi::String>().Utf16Value();
    if (std::optional<std::size_t> at = loneSurrogateAt(units))
      typeError(what + " has a lone surrogate at index " + std::to_string(*at));
    std::string out;
    out.reserve(units.size());
    for (std::size_t i = 0; i < units.size(); ++i) {
      char32_t c = units[i];
      if (c >= 0xD800 && c <= 0xDBFF) c = 0x10000 + ((c - 0xD800) << 10) + (units[++i] - 0xDC00);
      if (c < 0x80) {
        out += static_cast<char>(c);
      } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
      } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
      } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
      }
    }
    return out;
  }

  static double numberArg(const Napi::Value& v, const std::string& what) {
    if (!v.IsNumber()) typeError(what + " must be a number, got " + typeName(v));
    return v.As<Napi::Number>().DoubleValue();
  }

  static std::uint64_t indexArg(const Napi::Value& v, const std::string& what, double max) {
    double d = numberArg(v, what);
    if (!std::isfinite(d) || d != std::floor(d))
      rangeError(what + " must be a whole number, got " + formatNumber(d));
    if (d < 0 || d > max)
      rangeError(what + " is out of range: expected a whole number in [0, " + formatNumber(max) + "], got " +
                 formatNumber(d));
    return static_cast<std::uint64_t>(d);
  }

  static proto::Symbol symbolArg(const Napi::Value& v, const std::string& what) {
    std::uint64_t id = indexArg(v, what, 4294967295.0);
    if (id == 0) rangeError(what + " is not a symbol id (0 is no symbol)");
    return proto::Symbol{static_cast<std::uint32_t>(id)};
  }

  template <class T>
  static bool isHandle(const Napi::Value& v) {
    return v.IsExternal() && v.As<Napi::External<Ref<T>>>().CheckTypeTag(RefTraits<T>::tag);
  }

  template <class T>
  static const T* handleArg(const Napi::Value& v, const std::string& what) {
    if (!isHandle<T>(v)) typeError(what + " must be a " + RefTraits<T>::name + " handle, got " + typeName(v));
    const T* target = v.As<Napi::External<Ref<T>>>().Data()->handle.get();
    if (!target) typeError(what + " is an empty " + RefTraits<T>::name + " handle");
    return target;
  }

  static const proto::Object* objectArg(const Napi::Value& v, const std::string& what) {
    return handleArg<proto::Object>(v, what);
  }

  proto::Value valueArg(const Napi::Value& v, const std::string& what) {
    switch (v.Type()) {
      case napi_number:
        return proto::Value::number(v.As<Napi::Number>().DoubleValue());
      case napi_boolean:
        return proto::Value::boolean(v.As<Napi::Boolean>().Value());
      case napi_null:
        return proto::Value::nil();
      case napi_string:
        return proto::Value::symbol(runtime().symbol(textArg(v, what)));
      case napi_external:
        if (isHandle<proto::String>(v)) return proto::strings::toValue(handleArg<proto::String>(v, what));
        if (isHandle<proto::Tuple>(v)) return proto::tuples::toValue(handleArg<proto::Tuple>(v, what));
        return proto::objectValue(objectArg(v, what));
      case napi_undefined:
        typeError(what +
                  " is undefined: Proto cannot store undefined (it means 'missing'); use null for nil");
      default:
        typeError(what +
                  " must be a number, boolean, string, null, ProtoObject, ProtoString or ProtoTuple, got " +
                  typeName(v));
    }
  }

  // What a handle of `target` is charged to V8 for: the wrapper, its root and
  // the object, string or tuple itself (its own bytes, not what it references).
  static std::int64_t nativeBytes(proto::Thread& thread, const proto::Object* object) {
    return kHandleBytes + 32 + 16 * static_cast<std::int64_t>(thread.ownAttributeCount(object));
  }
  static std::int64_t nativeBytes(proto::Thread&, const proto::String* s) {
    return kHandleBytes + 48 + static_cast<std::int64_t>(proto::strings::lengths(s).bytes);
  }
  static std::int64_t nativeBytes(proto::Thread&, const proto::Tuple* t) {
    return kHandleBytes + 48 + 8 * static_cast<std::int64_t>(proto::tuples::size(t));
  }

  template <class T>
  Napi::Value handle(Napi::Env env, proto::Thread& thread, const T* target) {
    const std::int64_t bytes = nativeBytes(thread, target);
    auto* ref = new Ref<T>(thread, target, bytes, ledger_);
    napi_value value = nullptr;
    if (napi_create_external(env, ref, &finalizeRef<T>, nullptr, &value) != napi_ok) {
      delete ref;  // no finalizer was registered
      throw Napi::Error::New(env);
    }
    // From here the finalizer owns `ref`.
    if (napi_type_tag_object(env, value, RefTraits<T>::tag) != napi_ok) throw Napi::Error::New(env);
    created_ += bytes;
    if (created_ - reported_ >= kReportBytes) reportExternalMemory(env);
    return Napi::Value(env, value);
  }

  // Tells V8 how much native memory this environment's live wrappers hold, when
  // it moved by kReportBytes or more since the last report (or always, `force`).
  // Returns V8's external-memory total after the report (-1 if none was made).
  std::int64_t reportExternalMemory(napi_env env, bool force = false) {
    created_ -= ledger_->freed.exchange(0, std::memory_order_relaxed);
    const std::int64_t delta = created_ - reported_;
    if (!force && delta < kReportBytes && delta > -kReportBytes) return -1;
    std::int64_t adjusted = -1;
    if (napi_adjust_external_memory(env, delta, &adjusted) != napi_ok) return -1;
    reported_ = created_;
    return adjusted;
  }
  Napi::Value objectHandle(Napi::Env env, proto::Thread& thread, const proto::Object* object) {
    return handle(env, thread, object);
  }

  Napi::Value jsValue(Napi::Env env, proto::Thread& thread, proto::Value v) {
    if (v.isNumeric()) return Napi::Number::New(env, v.toDoubleUnchecked());
    if (v.isNil()) return env.Null();
    if (v.isMissing()) return env.Undefined();
    if (v.isBool()) return Napi::Boolean::New(env, v.asBoolUnchecked());
    if (v.isSymbol()) {
      std::string_view name = runtime().symbolName(v.asSymbolUnchecked());
      return Napi::String::New(env, name.data(), name.size());
    }
    if (v.isReference()) {
      if (proto::strings::isString(v)) return handle(env, thread, proto::strings::fromValue(v));
      if (proto::tuples::isTuple(v)) return handle(env, thread, proto::tuples::fromValue(v));
      return objectHandle(env, thread, proto::toObject(v));
    }
    throw JsError{JsError::Kind::kType, "a value of an unknown kind cannot be read", "ERR_PROTO_INTERNAL"};
  }

  // ---- basics -----------------------------------------------------------------

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
    result.Set("nodeApi", PROTO_ADDON_DECLARED_NODE_API == NAPI_VERSION_EXPERIMENTAL
                              ? Napi::Value(Napi::String::New(env, "experimental"))
                              : Napi::Value(Napi::Number::New(env, PROTO_ADDON_DECLARED_NODE_API)));
    return result;
  }

  // ---- the runtime ------------------------------------------------------------

  // configure({heapLimitMb?, gcBudgetMs?, gcTriggerMb?, backgroundCollector?}):
  // creates the process runtime with these options if no environment has yet,
  // and attaches this environment. Later calls may change gcBudgetMs only.
  Napi::Value Configure(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    proto::RuntimeOptions options;
    std::optional<double> heapLimitMb, gcBudgetMs, gcTriggerMb;
    std::optional<bool> background;
    if (info.Length() > 0 && !info[0].IsUndefined()) {
      if (!info[0].IsObject() || info[0].IsArray())
        typeError(std::string("runtime options must be an object, got ") + typeName(info[0]));
      Napi::Object o = info[0].As<Napi::Object>();
      Napi::Value v = o.Get("heapLimitMb");
      if (!v.IsUndefined()) {
        heapLimitMb = static_cast<double>(indexArg(v, "options.heapLimitMb", 1 << 20));
        if (*heapLimitMb < 4) rangeError("options.heapLimitMb must be at least 4");
        options.heapLimitBytes = static_cast<std::size_t>(*heapLimitMb) << 20;
      }
      v = o.Get("gcBudgetMs");
      if (!v.IsUndefined()) {
        gcBudgetMs = numberArg(v, "options.gcBudgetMs");
        if (!(*gcBudgetMs > 0 && *gcBudgetMs <= 1000))
          rangeError("options.gcBudgetMs must be in (0, 1000], got " + formatNumber(*gcBudgetMs));
        options.frameBudgetMs = *gcBudgetMs;
      }
      v = o.Get("gcTriggerMb");
      if (!v.IsUndefined()) {
        gcTriggerMb = static_cast<double>(indexArg(v, "options.gcTriggerMb", 1 << 20));
        if (*gcTriggerMb < 1) rangeError("options.gcTriggerMb must be at least 1");
        options.gcTriggerBytes = static_cast<std::size_t>(*gcTriggerMb) << 20;
      }
      v = o.Get("backgroundCollector");
      if (!v.IsUndefined()) {
        if (!v.IsBoolean())
          typeError(std::string("options.backgroundCollector must be a boolean, got ") + typeName(v));
        background = v.As<Napi::Boolean>().Value();
        options.backgroundCollector = *background;
      }
    }
    if (detached_) throw JsError{JsError::Kind::kError, "this environment is shutting down", "NotAttached"};
    bool created = false;
    ProcessRuntime& process = ProcessRuntime::obtain(options, created);
    const proto::RuntimeOptions& actual = process.runtime().options();
    if (!created) {
      auto mismatch = [](const char* name, const std::string& want, const std::string& have) {
        rangeError(std::string("options.") + name + " cannot change: the process runtime (shared by all " +
                   "workers) already runs with " + name + " = " + have + ", asked for " + want);
      };
      auto boolText = [](bool b) { return std::string(b ? "true" : "false"); };
      if (heapLimitMb && static_cast<std::size_t>(*heapLimitMb) << 20 != actual.heapLimitBytes)
        mismatch("heapLimitMb", formatNumber(*heapLimitMb),
                 formatNumber(static_cast<double>(actual.heapLimitBytes >> 20)));
      if (gcTriggerMb && static_cast<std::size_t>(*gcTriggerMb) << 20 != actual.gcTriggerBytes)
        mismatch("gcTriggerMb", formatNumber(*gcTriggerMb),
                 formatNumber(static_cast<double>(actual.gcTriggerBytes >> 20)));
      if (background && *background != actual.backgroundCollector)
        mismatch("backgroundCollector", boolText(*background), boolText(actual.backgroundCollector));
      if (gcBudgetMs) process.runtime().setFrameBudgetMs(*gcBudgetMs);
    }
    ensureAttached();
    Napi::Object result = Napi::Object::New(env);
    result.Set("created", created);
    result.Set("heapLimitMb", static_cast<double>(actual.heapLimitBytes >> 20));
    result.Set("gcTriggerMb", static_cast<double>(actual.gcTriggerBytes >> 20));
    result.Set("backgroundCollector", actual.backgroundCollector);
    return result;
  }

  // symbol(name: string): number — the interned id of `name`.
  Napi::Value SymbolOf(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "symbol");
    if (!info[0].IsString()) typeError(std::string("a name must be a string, got ") + typeName(info[0]));
    std::string name = textArg(info[0], "symbol(name): name");
    if (name.empty()) typeError("a name must not be empty");
    return Napi::Number::New(info.Env(), runtime().symbol(name).id);
  }

  // symbolName(id: number): string
  Napi::Value SymbolName(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "symbolName");
    std::string_view name = runtime().symbolName(symbolArg(info[0], "symbol id"));
    return Napi::String::New(info.Env(), name.data(), name.size());
  }

  // ---- objects ----------------------------------------------------------------

  // newObject(parent: handle | null, names: number[], values: unknown[],
  //           mutable: boolean[]): handle
  Napi::Value NewObject(const Napi::CallbackInfo& info) {
    expectArgs(info, 4, "newObject");
    const proto::Object* parent = info[0].IsNull() ? nullptr : objectArg(info[0], "parent");
    if (!info[1].IsArray() || !info[2].IsArray() || !info[3].IsArray())
      typeError("newObject() expects arrays of names, values and mutable flags");
    Napi::Array names = info[1].As<Napi::Array>(), values = info[2].As<Napi::Array>(),
                flags = info[3].As<Napi::Array>();
    std::uint32_t n = names.Length();
    if (values.Length() != n || flags.Length() != n)
      rangeError("newObject(): names, values and mutable flags must have the same length");
    // Handles read here stay rooted by this call's V8 handle scope, so the
    // objects they name stay alive even if a getter empties the arrays.
    std::vector<proto::Attribute> attrs;
    attrs.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      proto::Symbol name = symbolArg(names.Get(i), "attribute name id");
      std::string label = "attribute '" + std::string(runtime().symbolName(name)) + "'";
      Napi::Value flag = flags.Get(i);
      if (!flag.IsBoolean()) typeError("the mutable flag of " + label + " must be a boolean");
      attrs.push_back(
          proto::Attribute{name, valueArg(values.Get(i), label), flag.As<Napi::Boolean>().Value()});
    }
    InsideRuntime inside(*this);
    proto::HandleScope scope(inside.thread());
    proto::Local<proto::Object> object = inside.thread().newObject(parent, attrs);
    return objectHandle(info.Env(), inside.thread(), object);
  }

  // get(object, name id): value | undefined (missing)
  Napi::Value Get(const Napi::CallbackInfo& info) {
    expectArgs(info, 2, "get");
    const proto::Object* object = objectArg(info[0], "object");
    proto::Symbol name = symbolArg(info[1], "name id");
    InsideRuntime inside(*this);
    return jsValue(info.Env(), inside.thread(), inside.thread().get(object, name));
  }

  // getMany(object, name ids: number[]): (value | undefined)[] — one call to
  // resolve every parameter of an entity.
  Napi::Value GetMany(const Napi::CallbackInfo& info) {
    expectArgs(info, 2, "getMany");
    const proto::Object* object = objectArg(info[0], "object");
    if (!info[1].IsArray())
      typeError(std::string("getMany() expects an array of name ids, got ") + typeName(info[1]));
    Napi::Array names = info[1].As<Napi::Array>();
    std::vector<proto::Symbol> symbols;
    symbols.reserve(names.Length());
    for (std::uint32_t i = 0; i < names.Length(); ++i) symbols.push_back(symbolArg(names.Get(i), "name id"));
    Napi::Array out = Napi::Array::New(info.Env(), symbols.size());
    InsideRuntime inside(*this);
    for (std::uint32_t i = 0; i < symbols.size(); ++i)
      out.Set(i, jsValue(info.Env(), inside.thread(), inside.thread().get(object, symbols[i])));
    return out;
  }

  // find(object, name id): [where (0 missing, 1 own, 2 inherited), mutable, value]
  Napi::Value Find(const Napi::CallbackInfo& info) {
    expectArgs(info, 2, "find");
    const proto::Object* object = objectArg(info[0], "object");
    proto::Symbol name = symbolArg(info[1], "name id");
    InsideRuntime inside(*this);
    proto::Lookup r = inside.thread().find(object, name);
    Napi::Env env = info.Env();
    Napi::Array out = Napi::Array::New(env, 3);
    out.Set(0u, Napi::Number::New(env, static_cast<int>(r.where)));
    out.Set(1u, Napi::Boolean::New(env, r.isMutable));
    out.Set(2u, jsValue(env, inside.thread(), r.value));
    return out;
  }

  // set(object, name id, value): writes a mutable attribute's cell.
  Napi::Value Set(const Napi::CallbackInfo& info) {
    expectArgs(info, 3, "set");
    const proto::Object* object = objectArg(info[0], "object");
    proto::Symbol name = symbolArg(info[1], "name id");
    proto::Value value = valueArg(info[2], "the value");
    InsideRuntime inside(*this);
    inside.thread().set(object, name, value);
    return info.Env().Undefined();
  }

  // with(object, name id, value): handle — a copy with one attribute replaced/added.
  Napi::Value With(const Napi::CallbackInfo& info) {
    expectArgs(info, 3, "with");
    const proto::Object* object = objectArg(info[0], "object");
    proto::Symbol name = symbolArg(info[1], "name id");
    proto::Value value = valueArg(info[2], "the value");
    InsideRuntime inside(*this);
    proto::HandleScope scope(inside.thread());
    proto::Local<proto::Object> copy = inside.thread().with(object, name, value);
    return objectHandle(info.Env(), inside.thread(), copy);
  }

  // parent(object): handle | null
  Napi::Value Parent(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "parent");
    const proto::Object* object = objectArg(info[0], "object");
    InsideRuntime inside(*this);
    const proto::Object* parent = inside.thread().parent(object);
    return parent ? objectHandle(info.Env(), inside.thread(), parent) : info.Env().Null();
  }

  // ownNames(object): string[]
  Napi::Value OwnNames(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "ownNames");
    const proto::Object* object = objectArg(info[0], "object");
    InsideRuntime inside(*this);
    std::vector<proto::Symbol> names = inside.thread().ownAttributeNames(object);
    Napi::Array out = Napi::Array::New(info.Env(), names.size());
    for (std::uint32_t i = 0; i < names.size(); ++i) {
      std::string_view n = runtime().symbolName(names[i]);
      out.Set(i, Napi::String::New(info.Env(), n.data(), n.size()));
    }
    return out;
  }

  // same(a, b): boolean — the same Proto object.
  Napi::Value Same(const Napi::CallbackInfo& info) {
    expectArgs(info, 2, "same");
    return Napi::Boolean::New(info.Env(), objectArg(info[0], "a") == objectArg(info[1], "b"));
  }

  // ---- sharing between environments -------------------------------------------

  // share(object): number — a token any environment of this process can open.
  // The token keeps the object alive until unshare(token).
  Napi::Value Share(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "share");
    const proto::Object* object = objectArg(info[0], "object");
    InsideRuntime inside(*this);
    auto root = std::make_shared<proto::Persistent<proto::Object>>(inside.thread(), object);
    return Napi::Number::New(info.Env(), static_cast<double>(process_->share(std::move(root))));
  }

  // newSharedObject(parent, names: Float64Array, values: Float64Array, count):
  // number — a new immutable object whose `count` own attributes are numbers
  // (names[i] is a symbol id, values[i] its number), held by a share token and
  // by nothing in JS: no wrapper, no JS object, no JS string. The engine
  // bridge makes each entity's object this way, so spawning allocates nothing
  // on V8's heap.
  Napi::Value NewSharedObject(const Napi::CallbackInfo& info) {
    expectArgs(info, 4, "newSharedObject");
    const proto::Object* parent = info[0].IsNull() ? nullptr : objectArg(info[0], "parent");
    const std::uint64_t count = indexArg(info[3], "attribute count", 4096);
    const double* names = float64Out(info[1], count, "newSharedObject(parent, names, values, count)");
    const double* values = float64Out(info[2], count, "newSharedObject(parent, names, values, count)");
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
        rangeError("newSharedObject(): names[" + std::to_string(i) + "] is not a symbol id, got " +
                   formatNumber(id));
      const proto::Symbol name{static_cast<std::uint32_t>(id)};
      (void)runtime().symbolName(name);  // kUnknownSymbol (TypeError) for an id never interned
      out[i] = proto::Attribute{name, proto::Value::number(values[i]), false};
    }
    InsideRuntime inside(*this);
    proto::HandleScope scope(inside.thread());
    proto::Local<proto::Object> object =
        inside.thread().newObject(parent, std::span<const proto::Attribute>(out, count));
    auto root = std::make_shared<proto::Persistent<proto::Object>>(inside.thread(), object.get());
    return Napi::Number::New(info.Env(), static_cast<double>(process_->share(std::move(root))));
  }

  std::optional<SharedEntry> sharedArg(const Napi::Value& v) {
    std::uint64_t token = indexArg(v, "share token", 9007199254740991.0);
    ensureAttached();
    std::optional<SharedEntry> entry = process_->lookup(token);
    if (!entry)
      rangeError("share token " + std::to_string(token) + " is unknown (never issued, or unshared already)");
    return entry;
  }

  // open(token): handle — the shared object, in this environment.
  Napi::Value Open(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "open");
    std::optional<SharedEntry> entry = sharedArg(info[0]);
    auto* root = std::get_if<SharedObject>(&*entry);
    if (!root) typeError("share token " + info[0].ToString().Utf8Value() + " names a column, not an object");
    InsideRuntime inside(*this);
    return objectHandle(info.Env(), inside.thread(), (*root)->get());
  }

  // unshare(token): boolean — drops the token's root; false if it was unknown.
  Napi::Value Unshare(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "unshare");
    std::uint64_t token = indexArg(info[0], "share token", 9007199254740991.0);
    ensureAttached();
    return Napi::Boolean::New(info.Env(), process_->unshare(token));
  }

  // ---- numeric columns ----------------------------------------------------------

  // The finalize hint of a column's ArrayBuffer: one reference to the block.
  // While the buffer is being made it has two owners, the making call and
  // Node's finalizer, and whichever lets go last deletes it. That matters when
  // making the buffer fails: Node then calls the finalizer anyway (now, or —
  // Node 20 — later from an immediate) or never (a pending exception, an
  // environment that cannot run JS), so the making call cannot know whether
  // the hint is still to be finalized. It drops the block reference at once
  // (the block is retired exactly once, when its last reference goes) and
  // leaves the empty hint to the finalizer if one is still to come. (node-addon-
  // api's ArrayBuffer::New deleted its own finalizer data on failure while
  // Node still ran the finalizer on it later: a double free.)
  struct ColumnView {
    explicit ColumnView(std::shared_ptr<SharedBlock> b) : block(std::move(b)) {}
    std::shared_ptr<SharedBlock> block;
    std::atomic<int> owners{2};
    static void release(ColumnView* view) {
      view->block.reset();
      if (view->owners.fetch_sub(1, std::memory_order_acq_rel) == 1) delete view;
    }
  };

  Napi::Value columnBuffer(Napi::Env env, const std::shared_ptr<SharedBlock>& block) {
    auto* view = new ColumnView(block);
    napi_value buffer = nullptr;
    napi_status status = napi_create_external_arraybuffer(
        env, block->block.data, block->block.bytes,
        [](napi_env, void*, void* hint) { ColumnView::release(static_cast<ColumnView*>(hint)); }, view,
        &buffer);
    if (status == napi_ok) {
      view->owners.fetch_sub(1, std::memory_order_acq_rel);  // the finalizer owns it now
      return Napi::Value(env, buffer);
    }
    ColumnView::release(view);
    std::string reason = takePendingExceptionMessage(env);
    rangeError("could not make an ArrayBuffer of " + std::to_string(block->block.bytes) +
               " bytes over the column" + (reason.empty() ? std::string() : " (" + reason + ")"));
  }

  // Clears a pending JS exception (so that ours can be thrown) and returns its message.
  static std::string takePendingExceptionMessage(napi_env env) {
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) != napi_ok || !pending) return {};
    napi_value error = nullptr;
    if (napi_get_and_clear_last_exception(env, &error) != napi_ok || error == nullptr) return {};
    napi_valuetype type = napi_undefined;
    napi_value message = nullptr;
    if (napi_typeof(env, error, &type) != napi_ok || type != napi_object) return {};
    if (napi_get_named_property(env, error, "message", &message) != napi_ok) return {};
    if (napi_typeof(env, message, &type) != napi_ok || type != napi_string) return {};
    std::size_t length = 0;
    if (napi_get_value_string_utf8(env, message, nullptr, 0, &length) != napi_ok) return {};
    std::string text(length, '\0');
    if (napi_get_value_string_utf8(env, message, text.data(), length + 1, &length) != napi_ok) return {};
    text.resize(length);
    return text;
  }

  // newColumn(type: "f64"|"f32"|"i32"|"u32"|"u8", count): ArrayBuffer over a
  // fresh zeroed numeric block; the block lives while any view of it does.
  Napi::Value NewColumn(const Napi::CallbackInfo& info) {
    expectArgs(info, 2, "newColumn");
    if (!info[0].IsString())
      typeError(std::string("a column type must be a string, got ") + typeName(info[0]));
    std::string typeName = info[0].As<Napi::String>().Utf8Value();
    std::optional<proto::NumericType> type = numericTypeFromName(typeName);
    if (!type) typeError("unknown column type '" + typeName + "' (use f64, f32, i32, u32 or u8)");
    std::uint64_t count = indexArg(info[1], "column length", 2147483648.0);
    if (count == 0) rangeError("column length must be at least 1");
    const double bytes = static_cast<double>(count) * static_cast<double>(proto::numericTypeSize(*type));
    if (bytes > maxArrayBufferBytes_)
      rangeError("newColumn(type, count): expected count ≤ " +
                 formatNumber(
                     std::floor(maxArrayBufferBytes_ / static_cast<double>(proto::numericTypeSize(*type)))) +
                 " for " + typeName + " (" + std::to_string(proto::numericTypeSize(*type)) +
                 " bytes each; the largest ArrayBuffer this platform allows is " +
                 formatNumber(maxArrayBufferBytes_) + " bytes), got " +
                 formatNumber(static_cast<double>(count)));
    InsideRuntime inside(*this);
    proto::NumericBlock raw = inside.thread().newNumericBlock(*type, count);
    std::shared_ptr<SharedBlock> block;
    try {
      block = std::make_shared<SharedBlock>(raw);
    } catch (...) {
      inside.thread().freeNumericBlock(raw);
      throw;
    }
    process_->registerBlock(block);
    return columnBuffer(info.Env(), block);
  }

  // shareColumn(buffer: ArrayBuffer): number — a token for a column's block.
  Napi::Value ShareColumn(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "shareColumn");
    if (!info[0].IsArrayBuffer())
      typeError(std::string("shareColumn() expects a column's ArrayBuffer, got ") + typeName(info[0]));
    ensureAttached();
    std::shared_ptr<SharedBlock> block = process_->blockAt(info[0].As<Napi::ArrayBuffer>().Data());
    if (!block) typeError("this ArrayBuffer is not a Proto column (make columns with newColumn)");
    return Napi::Number::New(info.Env(), static_cast<double>(process_->share(block)));
  }

  // openColumn(token): [ArrayBuffer, type] — another view of a shared column.
  Napi::Value OpenColumn(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "openColumn");
    std::optional<SharedEntry> entry = sharedArg(info[0]);
    auto* block = std::get_if<std::shared_ptr<SharedBlock>>(&*entry);
    if (!block) typeError("share token " + info[0].ToString().Utf8Value() + " names an object, not a column");
    Napi::Env env = info.Env();
    Napi::Array out = Napi::Array::New(env, 2);
    out.Set(0u, columnBuffer(env, *block));
    out.Set(1u, Napi::String::New(env, numericTypeShortName((*block)->block.type)));
    return out;
  }

  // ---- strings (ropes) and tuples ---------------------------------------------------
  // Indices count code points for strings and values for tuples; anything past
  // the end is a RangeError from the runtime (kOutOfRange).

  // handleKind(v): "object" | "string" | "tuple" | null — which kind of handle `v` is.
  Napi::Value HandleKind(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "handleKind");
    Napi::Env env = info.Env();
    if (isHandle<proto::Object>(info[0])) return Napi::String::New(env, "object");
    if (isHandle<proto::String>(info[0])) return Napi::String::New(env, "string");
    if (isHandle<proto::Tuple>(info[0])) return Napi::String::New(env, "tuple");
    return env.Null();
  }

  // stringNew(text: string): handle — a rope of `text` (lone surrogates: TypeError).
  Napi::Value StringNew(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "stringNew");
    if (!info[0].IsString()) typeError(std::string("stringNew() expects a string, got ") + typeName(info[0]));
    std::u16string text = info[0].As<Napi::String>().Utf16Value();
    if (std::optional<std::size_t> at = loneSurrogateAt(text))
      typeError("stringNew(text): text has a lone surrogate at index " + std::to_string(*at));
    InsideRuntime inside(*this);
    proto::HandleScope scope(inside.thread());
    return handle(info.Env(), inside.thread(), proto::strings::fromUtf16(inside.thread(), text).get());
  }

  Napi::Value StringConcat(const Napi::CallbackInfo& info) {
    expectArgs(info, 2, "stringConcat");
    const proto::String* a = handleArg<proto::String>(info[0], "the first string");
    const proto::String* b = handleArg<proto::String>(info[1], "the second string");
    InsideRuntime inside(*this);
    proto::HandleScope scope(inside.thread());
    return handle(info.Env(), inside.thread(), proto::strings::concat(inside.thread(), a, b).get());
  }

  Napi::Value StringSlice(const Napi::CallbackInfo& info) {
    expectArgs(info, 3, "stringSlice");
    const proto::String* s = handleArg<proto::String>(info[0], "the string");
    std::uint64_t begin = indexArg(info[1], "slice begin", 9007199254740991.0);
    std::uint64_t end = indexArg(info[2], "slice end", 9007199254740991.0);
    InsideRuntime inside(*this);
    proto::HandleScope scope(inside.thread());
    return handle(info.Env(), inside.thread(), proto::strings::slice(inside.thread(), s, begin, end).get());
  }

  // stringLength(s): [codePoints, utf16, bytes]
  Napi::Value StringLength(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "stringLength");
    proto::strings::Lengths n = proto::strings::lengths(handleArg<proto::String>(info[0], "the string"));
    Napi::Env env = info.Env();
    Napi::Array out = Napi::Array::New(env, 3);
    out.Set(0u, static_cast<double>(n.codePoints));
    out.Set(1u, static_cast<double>(n.utf16));
    out.Set(2u, static_cast<double>(n.bytes));
    return out;
  }

  Napi::Value StringText(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "stringText");
    std::u16string text = proto::strings::toUtf16(handleArg<proto::String>(info[0], "the string"));
    return Napi::String::New(info.Env(), text);
  }

  Napi::Value StringEquals(const Napi::CallbackInfo& info) {
    expectArgs(info, 2, "stringEquals");
    return Napi::Boolean::New(info.Env(), proto::strings::equals(handleArg<proto::String>(info[0], "a"),
                                                                 handleArg<proto::String>(info[1], "b")));
  }

  // stringFind(s, needle, from): code point index or -1
  Napi::Value StringFind(const Napi::CallbackInfo& info) {
    expectArgs(info, 3, "stringFind");
    const proto::String* s = handleArg<proto::String>(info[0], "the string");
    const proto::String* needle = handleArg<proto::String>(info[1], "the needle");
    std::uint64_t from = indexArg(info[2], "find start", 9007199254740991.0);
    std::optional<std::size_t> at = proto::strings::find(s, needle, from);
    return Napi::Number::New(info.Env(), at ? static_cast<double>(*at) : -1.0);
  }

  // tupleNew(values: array): handle
  Napi::Value TupleNew(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "tupleNew");
    if (!info[0].IsArray()) typeError(std::string("tupleNew() expects an array, got ") + typeName(info[0]));
    Napi::Array items = info[0].As<Napi::Array>();
    std::vector<proto::Value> values;
    values.reserve(items.Length());
    for (std::uint32_t i = 0; i < items.Length(); ++i)
      values.push_back(valueArg(items.Get(i), "tuple element " + std::to_string(i)));
    InsideRuntime inside(*this);
    proto::HandleScope scope(inside.thread());
    return handle(info.Env(), inside.thread(), proto::tuples::fromValues(inside.thread(), values).get());
  }

  Napi::Value TupleConcat(const Napi::CallbackInfo& info) {
    expectArgs(info, 2, "tupleConcat");
    const proto::Tuple* a = handleArg<proto::Tuple>(info[0], "the first tuple");
    const proto::Tuple* b = handleArg<proto::Tuple>(info[1], "the second tuple");
    InsideRuntime inside(*this);
    proto::HandleScope scope(inside.thread());
    return handle(info.Env(), inside.thread(), proto::tuples::concat(inside.thread(), a, b).get());
  }

  Napi::Value TupleSlice(const Napi::CallbackInfo& info) {
    expectArgs(info, 3, "tupleSlice");
    const proto::Tuple* t = handleArg<proto::Tuple>(info[0], "the tuple");
    std::uint64_t begin = indexArg(info[1], "slice begin", 9007199254740991.0);
    std::uint64_t end = indexArg(info[2], "slice end", 9007199254740991.0);
    InsideRuntime inside(*this);
    proto::HandleScope scope(inside.thread());
    return handle(info.Env(), inside.thread(), proto::tuples::slice(inside.thread(), t, begin, end).get());
  }

  Napi::Value TuplePush(const Napi::CallbackInfo& info) {
    expectArgs(info, 2, "tuplePush");
    const proto::Tuple* t = handleArg<proto::Tuple>(info[0], "the tuple");
    proto::Value v = valueArg(info[1], "the pushed value");
    InsideRuntime inside(*this);
    proto::HandleScope scope(inside.thread());
    return handle(info.Env(), inside.thread(), proto::tuples::pushBack(inside.thread(), t, v).get());
  }

  Napi::Value TupleSize(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "tupleSize");
    return Napi::Number::New(
        info.Env(), static_cast<double>(proto::tuples::size(handleArg<proto::Tuple>(info[0], "the tuple"))));
  }

  Napi::Value TupleAt(const Napi::CallbackInfo& info) {
    expectArgs(info, 2, "tupleAt");
    const proto::Tuple* t = handleArg<proto::Tuple>(info[0], "the tuple");
    std::uint64_t index = indexArg(info[1], "tuple index", 9007199254740991.0);
    InsideRuntime inside(*this);
    return jsValue(info.Env(), inside.thread(), proto::tuples::at(t, index));
  }

  Napi::Value TupleValues(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "tupleValues");
    const proto::Tuple* t = handleArg<proto::Tuple>(info[0], "the tuple");
    InsideRuntime inside(*this);
    std::vector<proto::Value> values = proto::tuples::toVector(t);
    Napi::Array out = Napi::Array::New(info.Env(), values.size());
    for (std::uint32_t i = 0; i < values.size(); ++i)
      out.Set(i, jsValue(info.Env(), inside.thread(), values[i]));
    return out;
  }

  // ---- collector and frames -------------------------------------------------------

  // collect(): runs one full cycle and waits for it.
  Napi::Value Collect(const Napi::CallbackInfo& info) {
    InsideRuntime inside(*this);
    runtime().collect();
    return info.Env().Undefined();
  }

  // stats(): the collector's counters plus the addon's own.
  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    proto::GcStats s = runtime().gcStats();
    Napi::Object o = Napi::Object::New(env);
    o.Set("cycles", static_cast<double>(s.cycles));
    o.Set("handshakes", static_cast<double>(s.handshakes));
    o.Set("heapBytes", static_cast<double>(s.heapBytes));
    o.Set("liveBytes", static_cast<double>(s.liveBytes));
    o.Set("allocatedBytes", static_cast<double>(s.allocatedBytes));
    o.Set("liveObjects", static_cast<double>(s.liveObjects));
    o.Set("cellsInUse", static_cast<double>(s.cellsInUse));
    o.Set("lastCycleMs", s.lastCycleMs);
    o.Set("pauseP50Us", s.pauseP50Us);
    o.Set("pauseP99Us", s.pauseP99Us);
    o.Set("pauseMaxUs", s.pauseMaxUs);
    o.Set("pauseCount", static_cast<double>(s.pauseCount));
    o.Set("framesOverBudget", static_cast<double>(s.framesOverBudget));
    o.Set("frameBudgetMs", s.frameBudgetMs);
    o.Set("wrappers", static_cast<double>(process_->wrappers.load(std::memory_order_relaxed)));
    o.Set("wrapperBytes", static_cast<double>(process_->wrapperBytes.load(std::memory_order_relaxed)));
    o.Set("heapLimitBytes", static_cast<double>(runtime().options().heapLimitBytes));
    Napi::Object stalls = Napi::Object::New(env);
    for (std::size_t k = 0; k < proto::kStallKinds; ++k) {
      const proto::StallStats& st = s.stalls[k];
      Napi::Object one = Napi::Object::New(env);
      one.Set("count", static_cast<double>(st.count));
      one.Set("totalMs", st.totalMs);
      one.Set("p50Us", st.p50Us);
      one.Set("p99Us", st.p99Us);
      one.Set("maxUs", st.maxUs);
      stalls.Set(proto::stallKindName(static_cast<proto::StallKind>(k)), one);
    }
    o.Set("stalls", stalls);
    o.Set("sharedTokens", static_cast<double>(process_->sharedCount()));
    o.Set("attachedEnvironments",
          static_cast<double>(process_->attachedEnvironments.load(std::memory_order_relaxed)));
    return o;
  }

  static Napi::Object frameObject(Napi::Env env, const proto::FrameRecord& r) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("frame", static_cast<double>(r.frame));
    o.Set("durationMs", r.durationMs);
    o.Set("gcPauseMs", r.gcPauseMs);
    o.Set("longestPauseMs", r.longestPauseMs);
    o.Set("handshakes", static_cast<double>(r.handshakes));
    o.Set("budgetMs", r.budgetMs);
    o.Set("overBudget", r.overBudget);
    o.Set("stalls", static_cast<double>(r.stalls));
    Napi::Object byKind = Napi::Object::New(env);
    for (std::size_t k = 0; k < proto::kStallKinds; ++k)
      byKind.Set(proto::stallKindName(static_cast<proto::StallKind>(k)), r.stallMs[k]);
    o.Set("stallMs", byKind);
    return o;
  }

  // The layout frameEndInto() writes (scripting/native.ts, FRAME_SLOTS, mirrors it).
  enum FrameSlot : std::size_t {
    kFrameNumber,
    kFrameDurationMs,
    kFrameGcPauseMs,
    kFrameLongestPauseMs,
    kFrameHandshakes,
    kFrameBudgetMs,
    kFrameOverBudget,
    kFrameStalls,
    kFrameOutran,
    kFrameStallMs,  // kStallKinds values follow
    kFrameSlots = kFrameStallMs + proto::kStallKinds,
  };
  // The layout statsInto() writes (STATS_SLOTS in scripting/native.ts).
  enum StatsSlot : std::size_t {
    kStatsHeapBytes,
    kStatsLiveObjects,
    kStatsCycles,
    kStatsFrameBudgetMs,
    kStatsHeapLimitBytes,
    kStatsWrappers,
    kStatsWrapperBytes,
    kStatsSlots,
  };

  static double* float64Out(const Napi::Value& v, std::size_t slots, const char* fn) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
      typeError(std::string(fn) + ": expected out to be a Float64Array, got " + typeName(v));
    Napi::Float64Array out = v.As<Napi::Float64Array>();
    if (out.ElementLength() < slots)
      rangeError(std::string(fn) + ": expected out to hold at least " + std::to_string(slots) +
                 " numbers, got " + std::to_string(out.ElementLength()));
    return out.Data();
  }

  Napi::Value FrameBegin(const Napi::CallbackInfo& info) {
    InsideRuntime inside(*this);
    inside.thread().frameBegin();
    return info.Env().Undefined();
  }

  Napi::Value FrameEnd(const Napi::CallbackInfo& info) {
    proto::FrameRecord r;
    {
      InsideRuntime inside(*this);
      releaseTemps(inside.thread());
      r = inside.thread().frameEnd();
    }
    reportExternalMemory(info.Env());
    return frameObject(info.Env(), r);
  }

  // ---- frame temporaries ----------------------------------------------------------
  // Script data that lives for one frame, made in Proto and held through integer handles:
  // V8 sees numbers, never objects. Each temporary is kept alive by one of the
  // environment's arena cells (standalone cells: roots); frameEnd() clears the cells it
  // used, so everything the frame made and did not keep becomes garbage for Proto's
  // collector, none for V8's. Numbers go in and out through one Float64Array (the `io`
  // array): passing or returning a double through a call would box it on V8's heap.
  // A handle is (frame epoch mod 1024) × 2^20 + index: one used after its frame ended
  // is refused instead of naming whatever took its cell.

  static constexpr std::uint32_t kTempIndexBits = 20;
  static constexpr std::uint32_t kTempMax = 1u << kTempIndexBits;

  struct TempShapeNames {
    std::vector<proto::Symbol> names;
  };

  void releaseTemps(proto::Thread& thread) {
    for (std::size_t i = 0; i < tempUsed_; ++i) thread.store(tempCells_[i], proto::Value::nil());
    tempUsed_ = 0;
    tempEpoch_ = (tempEpoch_ + 1) % 1024;
  }

  double* tempIo(std::size_t slots, const char* fn) {
    if (tempIo_ == nullptr) typeError(std::string(fn) + ": no io array; call tempIo(array) first");
    if (tempIoLength_ < slots)
      rangeError(std::string(fn) + ": the io array holds " + std::to_string(tempIoLength_) + " numbers, " +
                 std::to_string(slots) + " needed");
    return tempIo_;
  }

  // Stores `value` in the next arena cell; returns its handle.
  double keepTemp(proto::Thread& thread, proto::Value value, std::int32_t shape) {
    if (tempUsed_ == kTempMax) rangeError("a frame may make at most 1048576 temporaries");
    if (tempUsed_ == tempCells_.size()) {
      const std::size_t grow = std::max<std::size_t>(1024, tempCells_.size());
      for (std::size_t i = 0; i < grow; ++i) tempCells_.push_back(thread.newCell(proto::Value::nil()));
      tempShapeOf_.resize(tempCells_.size(), -1);
    }
    thread.store(tempCells_[tempUsed_], value);
    tempShapeOf_[tempUsed_] = shape;
    return static_cast<double>((tempEpoch_ << kTempIndexBits) | tempUsed_++);
  }

  // The cell index of a handle of this frame.
  std::size_t tempIndex(const Napi::Value& v, const char* fn) {
    const std::uint64_t h = indexArg(v, std::string(fn) + ": handle", 2147483647.0);
    const std::size_t index = h & (kTempMax - 1);
    if ((h >> kTempIndexBits) != tempEpoch_ || index >= tempUsed_)
      rangeError(std::string(fn) + ": handle " + std::to_string(h) +
                 " is not a temporary of this frame (temporaries end with their frame; keep() one to hold it "
                 "longer)");
    return index;
  }

  // tempIo(array: Float64Array): the numbers temporaries are made from and read into.
  Napi::Value TempIo(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "tempIo");
    double* data = float64Out(info[0], 8, "tempIo(array)");
    tempIoRef_ = Napi::Persistent(info[0].As<Napi::Object>());
    tempIo_ = data;
    tempIoLength_ = info[0].As<Napi::Float64Array>().ElementLength();
    return info.Env().Undefined();
  }

  // tempShape(names: string[]): number — a record shape (at most 8 numeric fields).
  Napi::Value TempShape(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "tempShape");
    if (!info[0].IsArray())
      typeError(std::string("tempShape(names): expected an array, got ") + typeName(info[0]));
    Napi::Array names = info[0].As<Napi::Array>();
    if (names.Length() == 0 || names.Length() > 8)
      rangeError("tempShape(names): a shape has 1 to 8 fields, got " + std::to_string(names.Length()));
    TempShapeNames shape;
    for (std::uint32_t i = 0; i < names.Length(); ++i) {
      Napi::Value n = names.Get(i);
      if (!n.IsString())
        typeError("tempShape(names): names must be strings, got " + std::string(typeName(n)));
      shape.names.push_back(runtime().symbol(textArg(n, "tempShape(names): a name")));
    }
    tempShapes_.push_back(std::move(shape));
    return Napi::Number::New(info.Env(), static_cast<double>(tempShapes_.size() - 1));
  }

  // tempRecord(shape): handle — an object of the shape's fields, from io[0..fields).
  Napi::Value TempRecord(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "tempRecord");
    const std::uint64_t shape = indexArg(info[0], "tempRecord(shape): shape", 1e9);
    if (shape >= tempShapes_.size()) rangeError("tempRecord(shape): unknown shape " + std::to_string(shape));
    const std::vector<proto::Symbol>& names = tempShapes_[shape].names;
    const double* io = tempIo(names.size(), "tempRecord(shape)");
    proto::Attribute attrs[8];
    for (std::size_t i = 0; i < names.size(); ++i)
      attrs[i] = proto::Attribute{names[i], proto::Value::number(io[i]), false};
    InsideRuntime inside(*this);
    proto::HandleScope scope(inside.thread());
    proto::Local<proto::Object> object =
        inside.thread().newObject(nullptr, std::span<const proto::Attribute>(attrs, names.size()));
    return Napi::Number::New(info.Env(), keepTemp(inside.thread(), proto::objectValue(object.get()),
                                                  static_cast<std::int32_t>(shape)));
  }

  // tempRead(handle): writes a record's fields into io[0..fields); returns how many.
  Napi::Value TempRead(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "tempRead");
    const std::size_t index = tempIndex(info[0], "tempRead(handle)");
    const std::int32_t shape = tempShapeOf_[index];
    if (shape < 0) typeError("tempRead(handle): the temporary is a string, not a record");
    const std::vector<proto::Symbol>& names = tempShapes_[static_cast<std::size_t>(shape)].names;
    double* io = tempIo(names.size(), "tempRead(handle)");
    InsideRuntime inside(*this);
    const proto::Object* object = proto::toObject(tempCells_[index].load());
    for (std::size_t i = 0; i < names.size(); ++i) {
      proto::Value v = inside.thread().get(object, names[i]);
      io[i] = v.isNumeric() ? v.toDoubleUnchecked() : std::nan("");
    }
    return Napi::Number::New(info.Env(), static_cast<double>(names.size()));
  }

  // tempText(text: string): number — a piece of text temporaries are made from (interned once).
  Napi::Value TempText(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "tempText");
    if (!info[0].IsString())
      typeError(std::string("tempText(text): expected a string, got ") + typeName(info[0]));
    tempTexts_.push_back(textArg(info[0], "tempText(text): text"));
    return Napi::Number::New(info.Env(), static_cast<double>(tempTexts_.size() - 1));
  }

  // tempLabel(text): handle — a Proto string: the text, then io[0] as JavaScript prints it
  // ("hp: 37"), made without a JS string.
  Napi::Value TempLabel(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "tempLabel");
    const std::uint64_t text = indexArg(info[0], "tempLabel(text): text", 1e9);
    if (text >= tempTexts_.size()) rangeError("tempLabel(text): unknown text " + std::to_string(text));
    const double* io = tempIo(1, "tempLabel(text)");
    std::string label = tempTexts_[text];
    label += formatNumber(io[0]);
    InsideRuntime inside(*this);
    proto::HandleScope scope(inside.thread());
    proto::Local<proto::String> s = proto::strings::fromUtf8(inside.thread(), label);
    return Napi::Number::New(info.Env(), keepTemp(inside.thread(), proto::strings::toValue(s.get()), -1));
  }

  // tempLength(handle): a string temporary's length in code points.
  Napi::Value TempLength(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "tempLength");
    const std::size_t index = tempIndex(info[0], "tempLength(handle)");
    if (tempShapeOf_[index] >= 0) typeError("tempLength(handle): the temporary is a record, not a string");
    return Napi::Number::New(
        info.Env(),
        static_cast<double>(proto::strings::length(proto::strings::fromValue(tempCells_[index].load()))));
  }

  // tempKeep(handle): number — a share token that keeps the temporary after its frame
  // (open a record with open(token); unshare(token) drops it).
  Napi::Value TempKeep(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "tempKeep");
    const std::size_t index = tempIndex(info[0], "tempKeep(handle)");
    if (tempShapeOf_[index] < 0)
      typeError("tempKeep(handle): only records can be kept (strings: copy the text)");
    InsideRuntime inside(*this);
    auto root = std::make_shared<proto::Persistent<proto::Object>>(inside.thread(),
                                                                   proto::toObject(tempCells_[index].load()));
    return Napi::Number::New(info.Env(), static_cast<double>(process_->share(std::move(root))));
  }

  // tempRelease(): ends this environment's temporaries now (frameEnd() does it for the
  // thread that marks frames; a worker does it at the start of each frame's round).
  Napi::Value TempRelease(const Napi::CallbackInfo& info) {
    InsideRuntime inside(*this);
    releaseTemps(inside.thread());
    return info.Env().Undefined();
  }

  // tempCount(): temporaries made since the frame began.
  Napi::Value TempCount(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(tempUsed_));
  }

  // frameEndInto(out: Float64Array): closes the frame like frameEnd() and
  // writes its record into `out` (FrameSlot order) instead of making an object:
  // the frame driver's per-frame call allocates nothing on the JS heap.
  Napi::Value FrameEndInto(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "frameEndInto");
    double* out = float64Out(info[0], kFrameSlots, "frameEndInto(out)");
    proto::FrameRecord r;
    {
      InsideRuntime inside(*this);
      releaseTemps(inside.thread());
      r = inside.thread().frameEnd();
    }
    out[kFrameNumber] = static_cast<double>(r.frame);
    out[kFrameDurationMs] = r.durationMs;
    out[kFrameGcPauseMs] = r.gcPauseMs;
    out[kFrameLongestPauseMs] = r.longestPauseMs;
    out[kFrameHandshakes] = static_cast<double>(r.handshakes);
    out[kFrameBudgetMs] = r.budgetMs;
    out[kFrameOverBudget] = r.overBudget ? 1 : 0;
    out[kFrameStalls] = static_cast<double>(r.stalls);
    out[kFrameOutran] = r.allocationOutranCollection ? 1 : 0;
    for (std::size_t k = 0; k < proto::kStallKinds; ++k) out[kFrameStallMs + k] = r.stallMs[k];
    reportExternalMemory(info.Env());
    return info.Env().Undefined();
  }

  // statsInto(out: Float64Array): the few counters a frame record carries
  // (StatsSlot order), without making an object.
  Napi::Value StatsInto(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "statsInto");
    double* out = float64Out(info[0], kStatsSlots, "statsInto(out)");
    proto::Runtime& rt = runtime();
    proto::GcStats s = rt.gcStats();
    out[kStatsHeapBytes] = static_cast<double>(s.heapBytes);
    out[kStatsLiveObjects] = static_cast<double>(s.liveObjects);
    out[kStatsCycles] = static_cast<double>(s.cycles);
    out[kStatsFrameBudgetMs] = s.frameBudgetMs;
    out[kStatsHeapLimitBytes] = static_cast<double>(rt.options().heapLimitBytes);
    out[kStatsWrappers] = static_cast<double>(process_->wrappers.load(std::memory_order_relaxed));
    out[kStatsWrapperBytes] = static_cast<double>(process_->wrapperBytes.load(std::memory_order_relaxed));
    return info.Env().Undefined();
  }

  // setGcHook(fn | null): the function that runs V8's full GC, called before an
  // OutOfMemory is reported (reclaim()). Per environment.
  Napi::Value SetGcHook(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "setGcHook");
    if (info[0].IsNull() || info[0].IsUndefined()) {
      gcHook_.Reset();
    } else {
      if (!info[0].IsFunction())
        typeError(std::string("setGcHook(fn): expected fn to be a function or null, got ") +
                  typeName(info[0]));
      gcHook_ = Napi::Persistent(info[0].As<Napi::Function>());
    }
    return info.Env().Undefined();
  }

  // reportExternalMemory(): tells V8 now what this environment's live handles
  // hold; returns [those bytes, V8's external-memory total as V8 now counts it].
  Napi::Value ReportExternalMemory(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const std::int64_t total = reportExternalMemory(env, true);
    Napi::Array out = Napi::Array::New(env, 2);
    out.Set(0u, static_cast<double>(created_));
    out.Set(1u, static_cast<double>(total));
    return out;
  }

  Napi::Value TakeFrameRecords(const Napi::CallbackInfo& info) {
    std::vector<proto::FrameRecord> records = runtime().takeFrameRecords();
    Napi::Array out = Napi::Array::New(info.Env(), records.size());
    for (std::uint32_t i = 0; i < records.size(); ++i) out.Set(i, frameObject(info.Env(), records[i]));
    return out;
  }

  Napi::Value SetFrameBudgetMs(const Napi::CallbackInfo& info) {
    expectArgs(info, 1, "setFrameBudgetMs");
    double ms = numberArg(info[0], "the frame budget");
    if (!(ms > 0 && ms <= 1000))
      rangeError("the frame budget must be in (0, 1000] ms, got " + formatNumber(ms));
    runtime().setFrameBudgetMs(ms);
    return info.Env().Undefined();
  }

  // verifyHeap(): test support — throws if anything reachable was freed.
  Napi::Value VerifyHeap(const Napi::CallbackInfo& info) {
    InsideRuntime inside(*this);
    runtime().verifyHeap();
    return info.Env().Undefined();
  }

  // Bytes charged per handle for the External, its finalizer record and the
  // Persistent's root slot.
  static constexpr std::int64_t kHandleBytes = 96;
  // External memory is reported to V8 in steps of at least this much.
  static constexpr std::int64_t kReportBytes = 256 << 10;

  ProcessRuntime* process_ = nullptr;
  ExternalLedger* ledger_ = new ExternalLedger();  // leaked on purpose (see ExternalLedger)
  std::int64_t created_ = 0;                       // bytes of this environment's live handles
  std::int64_t reported_ = 0;                      // what V8 was last told
  Napi::FunctionReference gcHook_;                 // runs V8's full GC (setGcHook)
  bool reclaiming_ = false;
  // Frame temporaries (see TempRecord).
  std::vector<proto::Cell> tempCells_;
  std::vector<std::int32_t> tempShapeOf_;  // shape per used cell; -1: a string
  std::size_t tempUsed_ = 0;
  std::uint32_t tempEpoch_ = 0;
  std::vector<TempShapeNames> tempShapes_;
  std::vector<std::string> tempTexts_;
  Napi::ObjectReference tempIoRef_;
  double* tempIo_ = nullptr;
  std::size_t tempIoLength_ = 0;
  std::optional<proto::AttachScope> attach_;
  std::optional<proto::UnmanagedScope> outside_;  // engaged between calls
  int insideDepth_ = 0;                           // nested InsideRuntime scopes
  // The largest external ArrayBuffer Node makes, in bytes (buffer.constants.MAX_LENGTH):
  // 2^32 on 64-bit Node 20 and 21, 2^53 - 1 from Node 22 on.
  double maxArrayBufferBytes_ = 4294967296.0;
  bool detached_ = false;
};

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
// an allocation (reclaim()), and a frame loop that never yields still frees the
// wrappers its scavenges find dead. The finalizers call no Node-API function and
// no JS, which is what the experimental mode requires of them. On a Node without
// this behaviour they run later, as before.
static napi_value RegisterProtoAddon(napi_env env, napi_value exports) {
  return Napi::RegisterModule(env, exports, &proto_addon::ProtoAddon::Init);
}
EXTERN_C_START
NAPI_MODULE_EXPORT int32_t NODE_API_MODULE_GET_API_VERSION(void) { return PROTO_ADDON_DECLARED_NODE_API; }
NAPI_MODULE_EXPORT napi_value NAPI_MODULE_INITIALIZER(napi_env env, napi_value exports) {
  return RegisterProtoAddon(env, exports);
}
EXTERN_C_END
