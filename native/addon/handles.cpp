// handles.cpp — JS handles of heap values and value conversions (handles.h).
#include "handles.h"

#include <string_view>
#include <type_traits>

#include "environment.h"
#include "process_runtime.h"

namespace proto_addon {
namespace {

// Bytes charged per handle for the External, its finalizer record and the
// Persistent's root slot.
constexpr std::int64_t kHandleBytes = 96;

// What a handle of `target` is charged to V8 for: the wrapper, its root and
// the object, string or tuple itself (its own bytes, not what it references).
std::int64_t nativeBytes(proto::Thread& thread, const proto::Object* object) {
  return kHandleBytes + 32 + 16 * static_cast<std::int64_t>(thread.ownAttributeCount(object));
}
std::int64_t nativeBytes(proto::Thread&, const proto::String* s) {
  return kHandleBytes + 48 + static_cast<std::int64_t>(proto::strings::lengths(s).bytes);
}
std::int64_t nativeBytes(proto::Thread&, const proto::Tuple* t) {
  return kHandleBytes + 48 + 8 * static_cast<std::int64_t>(proto::tuples::size(t));
}

// The finalizer of a handle. The module declares the experimental Node-API
// version (module.cpp), under which Node runs finalizers inside V8's
// collection instead of from a later setImmediate: a handle V8 finds dead
// drops its root at once. It must not call into JS or Node-API, and it does
// not: it only drops a root.
template <class T>
void finalizeRef(napi_env, void* data, void*) {
  delete static_cast<Ref<T>*>(data);
}

}  // namespace

std::uint32_t SlotTable::acquire(const proto::Object* object) {
  std::uint32_t index = freeHead_;
  if (index != kNone) {
    freeHead_ = entries_[index].nextFree;
  } else {
    if (entries_.size() >= kMaxEntries) return 0;
    index = static_cast<std::uint32_t>(entries_.size());
    entries_.push_back(Entry{nullptr, 0, kNone});
  }
  Entry& entry = entries_[index];
  entry.object = object;
  entry.nextFree = kNone;
  return (entry.generation << kIndexBits) | (index + 1);
}

void SlotTable::release(std::uint32_t id) noexcept {
  const std::uint32_t index = (id & kMaxEntries) - 1;
  PROTO_ASSERT(index < entries_.size() && entries_[index].object != nullptr &&
                   entries_[index].generation == id >> kIndexBits,
               "a slot id was released twice, or was never acquired");
  Entry& entry = entries_[index];
  entry.object = nullptr;
  entry.generation = (entry.generation + 1) & 63;
  entry.nextFree = freeHead_;
  freeHead_ = index;
}

const proto::Object* SlotTable::lookup(double id) const noexcept {
  if (!(id >= 1 && id < static_cast<double>(1u << 30))) return nullptr;  // also NaN
  const auto bits = static_cast<std::uint32_t>(id);
  if (static_cast<double>(bits) != id || (bits & kMaxEntries) == 0) return nullptr;
  const std::uint32_t index = (bits & kMaxEntries) - 1;
  if (index >= entries_.size()) return nullptr;
  const Entry& entry = entries_[index];
  return entry.generation == (bits >> kIndexBits) ? entry.object : nullptr;
}

template <class T>
Ref<T>::Ref(proto::Thread& thread, const T* target, std::int64_t b, HandleLedger* l)
    : handle(thread, target), bytes(b), ledger(l) {
  ledger->owners.fetch_add(1, std::memory_order_relaxed);
  ProcessRuntime* p = ProcessRuntime::existing();
  p->wrappers.fetch_add(1, std::memory_order_relaxed);
  p->wrapperBytes.fetch_add(b, std::memory_order_relaxed);
}

template <class T>
Ref<T>::~Ref() {
  ProcessRuntime* p = ProcessRuntime::existing();
  p->wrappers.fetch_sub(1, std::memory_order_relaxed);
  p->wrapperBytes.fetch_sub(bytes, std::memory_order_relaxed);
  ledger->freed.fetch_add(bytes, std::memory_order_relaxed);
  if constexpr (std::is_same_v<T, proto::Object>) {
    if (slot != 0) ledger->slots.release(slot);
  }
  HandleLedger::drop(ledger);
}

Ref<proto::Object>* objectRefArg(const Napi::Value& v, const std::string& what) {
  objectArg(v, what);  // the type tag, or a TypeError
  return v.As<Napi::External<Ref<proto::Object>>>().Data();
}

template <class T>
Napi::Value makeHandle(Environment& e, Napi::Env env, proto::Thread& thread, const T* target) {
  const std::int64_t bytes = nativeBytes(thread, target);
  auto* ref = new Ref<T>(thread, target, bytes, &e.ledger());
  napi_value value = nullptr;
  if (napi_create_external(env, ref, &finalizeRef<T>, nullptr, &value) != napi_ok) {
    delete ref;  // no finalizer was registered
    throw Napi::Error::New(env);
  }
  // From here the finalizer owns `ref`.
  if (napi_type_tag_object(env, value, RefTraits<T>::tag) != napi_ok) throw Napi::Error::New(env);
  e.charge(env, bytes);
  return Napi::Value(env, value);
}

template struct Ref<proto::Object>;
template struct Ref<proto::String>;
template struct Ref<proto::Tuple>;
template Napi::Value makeHandle(Environment&, Napi::Env, proto::Thread&, const proto::Object*);
template Napi::Value makeHandle(Environment&, Napi::Env, proto::Thread&, const proto::String*);
template Napi::Value makeHandle(Environment&, Napi::Env, proto::Thread&, const proto::Tuple*);

proto::Value valueArg(Environment& e, const Napi::Value& v, const std::string& what) {
  switch (v.Type()) {
    case napi_number:
      return proto::Value::number(v.As<Napi::Number>().DoubleValue());
    case napi_boolean:
      return proto::Value::boolean(v.As<Napi::Boolean>().Value());
    case napi_null:
      return proto::Value::nil();
    case napi_string:
      return proto::Value::symbol(e.runtime().symbol(textArg(v, what)));
    case napi_external:
      if (isHandle<proto::String>(v)) return proto::strings::toValue(handleArg<proto::String>(v, what));
      if (isHandle<proto::Tuple>(v)) return proto::tuples::toValue(handleArg<proto::Tuple>(v, what));
      return proto::objectValue(objectArg(v, what));
    case napi_undefined:
      typeError(what + " is undefined: Proto cannot store undefined (it means 'missing'); use null for nil");
    default:
      typeError(what +
                " must be a number, boolean, string, null, ProtoObject, ProtoString or ProtoTuple, got " +
                typeName(v));
  }
}

Napi::Value jsValue(Environment& e, Napi::Env env, proto::Thread& thread, proto::Value v) {
  if (v.isNumeric()) return Napi::Number::New(env, v.toDoubleUnchecked());
  if (v.isNil()) return env.Null();
  if (v.isMissing()) return env.Undefined();
  if (v.isBool()) return Napi::Boolean::New(env, v.asBoolUnchecked());
  if (v.isSymbol()) {
    std::string_view name = e.runtime().symbolName(v.asSymbolUnchecked());
    return Napi::String::New(env, name.data(), name.size());
  }
  if (v.isReference()) {
    if (proto::strings::isString(v)) return makeHandle(e, env, thread, proto::strings::fromValue(v));
    if (proto::tuples::isTuple(v)) return makeHandle(e, env, thread, proto::tuples::fromValue(v));
    return makeHandle(e, env, thread, proto::toObject(v));
  }
  throw internalError("a value of an unknown kind cannot be read");
}

}  // namespace proto_addon
