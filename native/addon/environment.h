// environment.h — one Node environment's view of Proto (the main thread, or
// one worker): its attached proto thread, how a binding enters the runtime
// for one call, and the guard every binding runs under.
//
// Threads. All environments share the process runtime (process_runtime.h).
// Each environment attaches its own proto thread the first time it uses the
// runtime, and detaches in an environment cleanup hook when it shuts down.
// Invariant 5 (docs/architecture.md: a thread running plain JS never delays a
// GC handshake): between addon calls the environment's thread stays outside
// the runtime (an UnmanagedScope is open), so the collector answers handshakes
// on its behalf; each call that touches the heap enters for its own duration
// (InsideRuntime: one CAS in, one handshake check and a store out).
#pragma once

#include <napi.h>
#include <proto/runtime.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "handles.h"
#include "process_runtime.h"
#include "temps.h"

namespace proto_addon {

class Environment {
 public:
  explicit Environment(Napi::Env env);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  // Attaches this environment's proto thread if it is not yet (NotAttached
  // once the environment is shutting down).
  void ensureAttached();
  // Runs on the environment's own thread (cleanup hook or instance-data
  // finalizer, whichever comes first).
  void detach();
  bool detached() const noexcept { return detached_; }
  bool attached() const noexcept { return attach_.has_value(); }

  proto::Runtime& runtime();
  ProcessRuntime& process();

  // The ledger of this environment's handles (handles.h).
  HandleLedger& ledger() noexcept { return *ledger_; }
  // Counts `bytes` of a new handle; reports to V8 when enough accumulated.
  void charge(napi_env env, std::int64_t bytes);
  // Tells V8 how much native memory this environment's live handles hold, when
  // it moved by kReportBytes or more since the last report (or always, `force`).
  // Returns V8's external-memory total after the report (-1 if none was made).
  std::int64_t reportExternalMemory(napi_env env, bool force = false);
  std::int64_t handleBytes() const noexcept { return created_; }

  // Calls `binding` for `info`: C++ exceptions never reach Node (which would
  // terminate the process); they become JS errors with a code (errors.h). An
  // OutOfMemory is retried once after reclaim().
  Napi::Value guard(const Napi::CallbackInfo& info,
                    Napi::Value (*binding)(Environment&, const Napi::CallbackInfo&));

  Napi::FunctionReference gcHook;  // runs V8's full GC (memory.setGcHook)
  TempArena temps;                 // frame temporaries (bind_temps.cpp)
  Napi::ObjectReference readIo;    // the view of ledger().readIo objects.readIo() returns
  // The largest external ArrayBuffer Node makes, in bytes (buffer.constants.MAX_LENGTH):
  // 2^32 on 64-bit Node 20 and 21, 2^53 - 1 from Node 22 on.
  double maxArrayBufferBytes = 4294967296.0;

 private:
  friend class InsideRuntime;
  bool reclaim(Napi::Env env);

  // External memory is reported to V8 in steps of at least this much.
  static constexpr std::int64_t kReportBytes = 256 << 10;

  ProcessRuntime* process_ = nullptr;
  HandleLedger* ledger_;       // shared with this environment's handles (handles.h)
  std::int64_t created_ = 0;   // bytes of this environment's live handles
  std::int64_t reported_ = 0;  // what V8 was last told
  bool reclaiming_ = false;
  std::optional<proto::AttachScope> attach_;
  std::optional<proto::UnmanagedScope> outside_;  // engaged between calls
  int insideDepth_ = 0;                           // nested InsideRuntime scopes
  bool detached_ = false;
};

// Enters the runtime for one call, then leaves it again (see the file comment).
// Should JS re-enter the addon from inside (a setter patched onto
// Array.prototype, say), the nested call finds the thread inside already and
// leaves it so: only the outermost scope enters and leaves.
class InsideRuntime {
 public:
  explicit InsideRuntime(Environment& e);
  ~InsideRuntime();
  proto::Thread& thread() noexcept { return e_.attach_->thread(); }
  InsideRuntime(const InsideRuntime&) = delete;
  InsideRuntime& operator=(const InsideRuntime&) = delete;

 private:
  Environment& e_;
};

// A binding: validates and converts its JS arguments, calls libproto, converts back.
using Binding = Napi::Value (*)(Environment&, const Napi::CallbackInfo&);

template <Binding B>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  return static_cast<Environment*>(info.Data())->guard(info, B);
}

// One group of exports (objects.*, strings.*, ...): a frozen object of functions.
class Group {
 public:
  Group(Napi::Env env, Environment& e) : env_(env), e_(e), object_(Napi::Object::New(env)) {}
  // Adds bindings under their names, in order.
  template <Binding... Bs>
  Group& add(const std::array<const char*, sizeof...(Bs)>& names) {
    std::size_t i = 0;
    ((put(names[i], Napi::Function::New<&guarded<Bs>>(env_, names[i], &e_)), ++i), ...);
    return *this;
  }
  // A function that runs without the guard (it cannot throw: noop).
  template <Napi::Value (*F)(const Napi::CallbackInfo&)>
  Group& raw(const char* name) {
    return put(name, Napi::Function::New<F>(env_, name, &e_));
  }
  // A function written against Node-API's C interface (the fast read path).
  Group& native(const char* name, napi_callback callback);
  Group& put(const char* name, Napi::Value value);
  // Freezes the group and returns it.
  Napi::Object done();

 private:
  Napi::Env env_;
  Environment& e_;
  Napi::Object object_;
};

}  // namespace proto_addon
