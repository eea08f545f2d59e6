// handles.h — JS handles of Proto heap values, and values crossing the addon.
//
// A JS handle of an object, string or tuple is an External, type-tagged (one
// tag per kind, so a string handle never passes for an object), owning a
// proto::Persistent: the handle alive => the value alive; its finalizer drops
// the Persistent (thread-safe, needs no attached thread). JS gets typed-array
// views only over numeric blocks, never over value cells (invariant 6).
#pragma once

#include <napi.h>
#include <proto/rope.h>
#include <proto/runtime.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "convert.h"
#include "errors.h"

namespace proto_addon {

class Environment;

// Small integer ids of objects whose handle is alive, for the fast read path
// (bind_reads.cpp): a call passes two numbers instead of an External whose
// type tag costs more to check than the read itself. An entry belongs to one
// object handle (Ref<Object>) and lives exactly as long as it: the handle's
// Persistent keeps the object alive, so an entry never names a freed object
// (invariant 10: the raw pointer here is a copy of a root, not the root). An
// id is (generation mod 64) × 2^24 + index + 1, below 2^30 so V8 passes it as
// a small integer; a released id is refused until its entry is reused 64
// times. Used only on the environment's own JS thread (bindings and handle
// finalizers both run there).
class SlotTable {
 public:
  static constexpr std::uint32_t kIndexBits = 24;
  static constexpr std::uint32_t kMaxEntries = (1u << kIndexBits) - 1;
  // A fresh id for `object`, or 0 if the table is full (the caller reads the slow way).
  std::uint32_t acquire(const proto::Object* object);
  void release(std::uint32_t id) noexcept;
  // The object of a live id, or null for anything else (any double at all).
  const proto::Object* lookup(double id) const noexcept;

 private:
  struct Entry {
    const proto::Object* object;
    std::uint32_t generation;
    std::uint32_t nextFree;
  };
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
  std::vector<Entry> entries_;
  std::uint32_t freeHead_ = kNone;
};

// What one environment's handles share with it: the bytes they freed, for
// V8's external-memory accounting (napi_adjust_external_memory: finalizers add
// to `freed`, the environment reports the difference in batches), and the
// slot table. Owned jointly by the environment and its live handles (`owners`
// counts them): a finalizer may run after the environment's instance data is
// gone (at teardown), and must still find it; the last owner deletes it.
struct HandleLedger {
  std::atomic<std::int64_t> freed{0};
  std::atomic<std::int64_t> owners{1};  // the environment
  SlotTable slots;
  // Where objects.read() writes a number or a symbol id. JS views it through an
  // ArrayBuffer that owns the ledger too, so the bytes outlive every view, even
  // one transferred to another thread.
  double readIo[2] = {0, 0};
  // Drops one owner; deletes the ledger with the last.
  static void drop(HandleLedger* ledger) noexcept {
    if (ledger->owners.fetch_sub(1, std::memory_order_acq_rel) == 1) delete ledger;
  }
};

inline constexpr napi_type_tag kObjectTag = {0x70726f746f4f626aULL, 0x9d3c1a7be2f04c11ULL};
inline constexpr napi_type_tag kStringTag = {0x70726f746f537472ULL, 0x4b1e9a0c77d3e215ULL};
inline constexpr napi_type_tag kTupleTag = {0x70726f746f547570ULL, 0x2c8f61d0b35a9e47ULL};

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
  static constexpr const char* noun = "string";
  static proto::Local<proto::String> concat(proto::Thread& t, const proto::String* a,
                                            const proto::String* b) {
    return proto::strings::concat(t, a, b);
  }
  static proto::Local<proto::String> slice(proto::Thread& t, const proto::String* s, std::size_t b,
                                           std::size_t e) {
    return proto::strings::slice(t, s, b, e);
  }
};
template <>
struct RefTraits<proto::Tuple> {
  static constexpr const napi_type_tag* tag = &kTupleTag;
  static constexpr const char* name = "ProtoTuple";
  static constexpr const char* noun = "tuple";
  static proto::Local<proto::Tuple> concat(proto::Thread& t, const proto::Tuple* a, const proto::Tuple* b) {
    return proto::tuples::concat(t, a, b);
  }
  static proto::Local<proto::Tuple> slice(proto::Thread& t, const proto::Tuple* x, std::size_t b,
                                          std::size_t e) {
    return proto::tuples::slice(t, x, b, e);
  }
};

// What a JS handle owns: a persistent root, and the native bytes it is charged
// to V8 for (an estimate of what it pins). Counted in the process's wrapper
// totals while it lives.
template <class T>
struct Ref {
  Ref(proto::Thread& thread, const T* target, std::int64_t b, HandleLedger* l);
  ~Ref();
  proto::Persistent<T> handle;
  std::int64_t bytes;
  HandleLedger* ledger;
  std::uint32_t slot = 0;  // objects only: its SlotTable id once pinned, else 0
};

// The Ref behind an object handle argument (a TypeError for anything else).
Ref<proto::Object>* objectRefArg(const Napi::Value& v, const std::string& what);

template <class T>
bool isHandle(const Napi::Value& v) {
  return v.IsExternal() && v.As<Napi::External<Ref<T>>>().CheckTypeTag(RefTraits<T>::tag);
}

// The value a handle argument names; a TypeError naming `what` for anything else.
template <class T>
const T* handleArg(const Napi::Value& v, const std::string& what) {
  if (!isHandle<T>(v)) typeError(what + " must be a " + RefTraits<T>::name + " handle, got " + typeName(v));
  const T* target = v.As<Napi::External<Ref<T>>>().Data()->handle.get();
  if (!target) typeError(what + " is an empty " + RefTraits<T>::name + " handle");
  return target;
}

inline const proto::Object* objectArg(const Napi::Value& v, const std::string& what) {
  return handleArg<proto::Object>(v, what);
}

// A new handle of `target` (the caller's thread is inside the runtime).
template <class T>
Napi::Value makeHandle(Environment& e, Napi::Env env, proto::Thread& thread, const T* target);

// A JS value as Proto stores it: a string becomes a symbol, null nil; anything
// Proto cannot hold is a TypeError naming `what`.
proto::Value valueArg(Environment& e, const Napi::Value& v, const std::string& what);

// A Proto value as JS sees it (a symbol becomes its name, a reference a handle).
Napi::Value jsValue(Environment& e, Napi::Env env, proto::Thread& thread, proto::Value v);

}  // namespace proto_addon
