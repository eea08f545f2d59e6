// c_api_support.h — what the C ABI's implementation files share (c_api.cpp,
// c_api_ropes.cpp, c_api_stats.cpp): the structs behind proto.h's opaque handles, and
// guard(), which turns every exception into a proto_status and the calling OS thread's
// last error, so that nothing throws past the ABI. Internal: not installed.
#pragma once

#include <proto/proto.h>
#include <proto/rope.h>
#include <proto/runtime.h>

#include <atomic>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "thread_state.h"

struct proto_runtime {
  explicit proto_runtime(const proto::RuntimeOptions& options) : runtime(options) {}
  proto::Runtime runtime;
  std::atomic<long> threads{0};
  std::atomic<long> persistents{0};
  // Stall samples taken from the runtime but not yet copied out
  // (proto_runtime_take_stall_samples copies them out in the caller's batches).
  std::mutex samplesLock;
  std::vector<proto::StallSample> samples;
};

struct proto_thread {
  proto_runtime* owner = nullptr;
  std::unique_ptr<proto::AttachScope> attach;
  proto::Thread* thread = nullptr;
  std::vector<std::unique_ptr<proto::HandleScope>> scopes;  // depth 1.. (attach is depth 0)
  std::vector<std::unique_ptr<proto::UnmanagedScope>> left;
};

struct proto_persistent {
  proto_runtime* owner = nullptr;
  proto::Persistent<proto::internal::HeapObject> root;
};

namespace proto_capi {

using proto::ErrorCode;
using proto::Value;

inline thread_local std::string lastError;

inline proto_status fail(proto_status status, const char* message) noexcept {
  try {
    lastError = message;
  } catch (...) {
    lastError.clear();
  }
  return status;
}

inline proto_status statusOf(ErrorCode code) noexcept {
  return static_cast<proto_status>(static_cast<int>(code) + 1);
}

[[noreturn]] inline void invalid(const std::string& message) {
  throw proto::Error(ErrorCode::kInvalidArgument, message);
}

template <class F>
inline proto_status guard(F&& body) noexcept {
  try {
    return body();
  } catch (const proto::Error& e) {
    return fail(statusOf(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    return fail(PROTO_E_OUT_OF_MEMORY, "out of memory (std::bad_alloc)");
  } catch (const std::exception& e) {
    return fail(PROTO_E_INTERNAL, e.what());
  } catch (...) {
    return fail(PROTO_E_INTERNAL, "an unknown exception inside libproto");
  }
}

template <class T>
inline T& need(T* pointer, const char* what) {
  if (!pointer) invalid(std::string(what) + " is null");
  return *pointer;
}

inline proto_runtime& runtimeOf(proto_runtime* runtime) { return need(runtime, "the proto_runtime"); }

// The Thread behind `t`, checked: the calling OS thread must be the one that
// attached it, and it must not have left the runtime.
inline proto::Thread& use(proto_thread* t) {
  proto_thread& thread = need(t, "the proto_thread");
  if (proto::internal::currentThreadState() != &thread.thread->state())
    throw proto::Error(ErrorCode::kNotAttached,
                       "this proto_thread belongs to another OS thread (attach each OS thread itself)");
  if (!thread.left.empty())
    throw proto::Error(
        ErrorCode::kNotAttached,
        "the proto_thread has left the runtime (proto_thread_leave): call proto_thread_enter first");
  return *thread.thread;
}

// Roots a reference handed back to C in the thread's innermost scope.
inline proto_value rooted(proto::Thread& thread, Value value) {
  if (value.isReference()) thread.state().pushHandle(value.asReferenceUnchecked());
  return value.bits();
}

inline proto_value bitsOf(const proto::internal::HeapObject* object) {
  return Value::reference(object).bits();
}

template <class T>
inline proto_value localBits(const proto::Local<T>& local) {
  return local.value().bits();
}

inline const proto::Object* objectOrNull(proto_value v) {
  Value value = Value::fromBits(v);
  return value.isNil() ? nullptr : proto::toObject(value);
}

inline const proto::Object* object(proto_value v) { return proto::toObject(Value::fromBits(v)); }
inline const proto::String* string(proto_value v) { return proto::strings::fromValue(Value::fromBits(v)); }
inline const proto::Tuple* tuple(proto_value v) { return proto::tuples::fromValue(Value::fromBits(v)); }

inline proto::Symbol symbol(proto_symbol s) { return proto::Symbol{s}; }

inline proto::Cell cell(proto_cell c) {
  if (!c) invalid("the proto_cell is null");
  return proto::Cell(reinterpret_cast<std::atomic<std::uint64_t>*>(c));
}
inline proto_cell cellHandle(proto::Cell c) { return reinterpret_cast<proto_cell>(c.raw()); }

// An enum a C caller (or an FFI) passed: read as its bytes, since a value
// outside the enumerators is undefined behaviour to load as the C++ enum.
template <class E>
inline int rawEnum(const E& e) noexcept {
  static_assert(sizeof(E) == sizeof(int));
  int raw;
  std::memcpy(&raw, &e, sizeof raw);
  return raw;
}

inline proto::NumericType numericType(const proto_numeric_type& type) {
  int raw = rawEnum(type);
  if (raw < PROTO_F64 || raw > PROTO_U8) invalid("unknown proto_numeric_type " + std::to_string(raw));
  return static_cast<proto::NumericType>(raw);
}

inline proto_status newObject(proto_thread* t, proto_value parent, const proto_attribute* attributes,
                              size_t count, proto_value* out, bool parentRequired) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    if (count > 0) need(attributes, "attributes (with count > 0)");
    const proto::Object* p = parentRequired ? object(parent) : objectOrNull(parent);
    std::vector<proto::Attribute> attrs(count);
    for (size_t i = 0; i < count; ++i)
      attrs[i] = proto::Attribute{symbol(attributes[i].name), Value::fromBits(attributes[i].value),
                                  attributes[i].is_mutable != 0};
    *out = localBits(thread.newObject(p, std::span<const proto::Attribute>(attrs)));
    return PROTO_OK;
  });
}

}  // namespace proto_capi
