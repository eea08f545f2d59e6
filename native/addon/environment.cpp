// environment.cpp — attaching an environment's thread, entering the runtime
// for a call, and the guard every binding runs under (environment.h).
#include "environment.h"

#include <cmath>
#include <exception>
#include <new>

#include "errors.h"

namespace proto_addon {
namespace {

// buffer.constants.MAX_LENGTH of this Node (process.getBuiltinModule exists from
// Node 20.16 on), or `fallback` if it cannot be read.
double readMaxArrayBufferBytes(Napi::Env env, double fallback) {
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

}  // namespace

Environment::Environment(Napi::Env env) : ledger_(new HandleLedger()) {
  env.AddCleanupHook([this] { detach(); });
  maxArrayBufferBytes = readMaxArrayBufferBytes(env, maxArrayBufferBytes);
}

Environment::~Environment() {
  detach();
  HandleLedger::drop(ledger_);  // live handles may still own it (handles.h)
}

void Environment::ensureAttached() {
  if (attach_) return;
  if (detached_) runtimeError(proto::ErrorCode::kNotAttached, "this environment is shutting down");
  bool created = false;
  process_ = &ProcessRuntime::obtain(proto::RuntimeOptions{}, created);
  attach_.emplace(process_->runtime());
  outside_.emplace(attach_->thread());
  process_->attachedEnvironments.fetch_add(1, std::memory_order_relaxed);
}

void Environment::detach() {
  detached_ = true;
  if (!attach_) return;
  outside_.reset();  // AttachScope's destructor expects a running thread
  attach_.reset();
  process_->attachedEnvironments.fetch_sub(1, std::memory_order_relaxed);
}

proto::Runtime& Environment::runtime() {
  ensureAttached();
  return process_->runtime();
}

ProcessRuntime& Environment::process() {
  ensureAttached();
  return *process_;
}

void Environment::charge(napi_env env, std::int64_t bytes) {
  created_ += bytes;
  if (created_ - reported_ >= kReportBytes) reportExternalMemory(env);
}

std::int64_t Environment::reportExternalMemory(napi_env env, bool force) {
  created_ -= ledger_->freed.exchange(0, std::memory_order_relaxed);
  const std::int64_t delta = created_ - reported_;
  if (!force && delta < kReportBytes && delta > -kReportBytes) return -1;
  std::int64_t adjusted = -1;
  if (napi_adjust_external_memory(env, delta, &adjusted) != napi_ok) return -1;
  reported_ = created_;
  return adjusted;
}

// Before an allocation's OutOfMemory reaches JS: dead wrappers V8 has not
// collected still pin their Proto objects (V8 sees a few dozen bytes each and
// has no reason to collect), so run V8's full GC through the hook the scripting
// layer set (its finalizers drop the roots at once), then a Proto cycle. True
// if that was done and the call should be retried. Only the outermost call
// does it (an inner one is inside the runtime, where no JS may run), and never
// twice at once.
bool Environment::reclaim(Napi::Env env) {
  if (gcHook.IsEmpty() || reclaiming_ || insideDepth_ != 0 || !attach_) return false;
  reclaiming_ = true;
  bool ok = true;
  try {
    gcHook.Call({});
  } catch (const Napi::Error&) {  // a hook that throws: report the OutOfMemory instead
    ok = false;
  }
  reclaiming_ = false;
  if (!ok) return false;
  reportExternalMemory(env, true);
  runtime().collect();  // outside the runtime: the collector answers for this thread
  return true;
}

Napi::Value Environment::guard(const Napi::CallbackInfo& info, Binding binding) {
  Napi::Env env = info.Env();
  std::optional<JsError> error;
  try {
    try {
      return binding(*this, info);
    } catch (const proto::Error& e) {
      // Out of memory with wrappers V8 has not collected yet: collect them and
      // Proto's heap, then try once more.
      if (e.code() != proto::ErrorCode::kOutOfMemory || !reclaim(env)) throw;
    }
    return binding(*this, info);
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
    error = JsError{JsError::Kind::kError, "Proto ran out of native memory", proto::ErrorCode::kOutOfMemory};
  } catch (const std::exception& e) {
    error = internalError(e.what());
  }
  try {
    raise(env, *error);
  } catch (...) {  // NOLINT: the environment is terminating; it cannot take an exception
  }
  return Napi::Value();
}

InsideRuntime::InsideRuntime(Environment& e) : e_(e) {
  e.ensureAttached();
  if (e_.insideDepth_++ > 0) return;
  e_.outside_.reset();  // enter: waits only if the collector holds us right now
  if (e_.process_->hasRetired()) e_.process_->drainRetired(thread());
}

InsideRuntime::~InsideRuntime() {
  if (--e_.insideDepth_ == 0) e_.outside_.emplace(thread());
}

Group& Group::native(const char* name, napi_callback callback) {
  napi_value fn = nullptr;
  if (napi_create_function(env_, name, NAPI_AUTO_LENGTH, callback, &e_, &fn) != napi_ok)
    throw Napi::Error::New(env_);
  return put(name, Napi::Value(env_, fn));
}

Group& Group::put(const char* name, Napi::Value value) {
  object_.DefineProperty(Napi::PropertyDescriptor::Value(name, value, napi_enumerable));
  return *this;
}

Napi::Object Group::done() {
  object_.Freeze();
  return object_;
}

}  // namespace proto_addon
