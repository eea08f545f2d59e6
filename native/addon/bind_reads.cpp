// bind_reads.cpp — the fast read path (objects.pin, objects.readIo,
// objects.read): an attribute read through the runtime that costs little more
// than the call itself. The object is named by its slot id (handles.h,
// SlotTable) and the attribute by its symbol id, both small integers; the
// answer is a small integer saying what the value is, with a number (or a
// symbol id) written into the environment's io array, so the call converts no string,
// checks no type tag and allocates nothing on V8's heap. Anything unusual
// (a bad argument, a value that is a reference) takes the checked path, which
// names the problem like every other binding.
#include <cmath>
#include <cstdint>
#include <string>

#include "bindings.h"
#include "convert.h"
#include "errors.h"
#include "handles.h"

namespace proto_addon {
namespace {

// What read() returns (READ_KIND in scripting/object.ts mirrors it).
enum ReadKind : std::int32_t {
  kMissing = 0,
  kNumber = 1,  // io[0] holds it
  kTrue = 2,
  kFalse = 3,
  kNil = 4,
  kSymbol = 5,     // io[0] holds the symbol id
  kReference = 6,  // an object, string or tuple: read it with objects.get
};

std::int32_t encode(proto::Value v, double* io) {
  if (v.isNumeric()) {
    io[0] = v.toDoubleUnchecked();
    return kNumber;
  }
  if (v.isMissing()) return kMissing;
  if (v.isBool()) return v.asBoolUnchecked() ? kTrue : kFalse;
  if (v.isNil()) return kNil;
  if (v.isSymbol()) {
    io[0] = static_cast<double>(v.asSymbolUnchecked().id);
    return kSymbol;
  }
  return kReference;
}

// pin(object): number — the object's slot id (the same for every call on one
// handle), or 0 if the environment's table is full.
Napi::Value Pin(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 1, "objects.pin");
  Ref<proto::Object>* ref = objectRefArg(info[0], "object");
  if (ref->slot == 0) ref->slot = e.ledger().slots.acquire(ref->handle.get());
  return Napi::Number::New(info.Env(), ref->slot);
}

// readIo(): Float64Array — the array read() writes into: the same one for
// every call in an environment, so no caller can redirect another's reads.
Napi::Value ReadIo(Environment& e, const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!e.readIo.IsEmpty()) return e.readIo.Value();
  HandleLedger* ledger = &e.ledger();
  ledger->owners.fetch_add(1, std::memory_order_relaxed);
  napi_value buffer = nullptr;
  if (napi_create_external_arraybuffer(
          env, ledger->readIo, sizeof ledger->readIo,
          [](napi_env, void*, void* hint) { HandleLedger::drop(static_cast<HandleLedger*>(hint)); }, ledger,
          &buffer) != napi_ok) {
    // Node may still run the finalizer (see ColumnView, bind_cells.cpp): the owner
    // taken above is left to it, at worst a ledger outlives its environment.
    std::string reason = takePendingExceptionMessage(env);
    rangeError("objects.readIo(): could not make its ArrayBuffer" +
               (reason.empty() ? "" : " (" + reason + ")"));
  }
  Napi::Float64Array io = Napi::Float64Array::New(env, 2, Napi::ArrayBuffer(env, buffer), 0);
  e.readIo = Napi::Persistent(io.As<Napi::Object>());
  return io;
}

// The checked read: every argument validated, every problem named.
Napi::Value CheckedRead(Environment& e, const Napi::CallbackInfo& info) {
  expectArgs(info, 2, "objects.read");
  const std::uint64_t slot = indexArg(info[0], "objects.read(slot, name): slot", 1073741823.0);
  const proto::Symbol name = symbolArg(info[1], "objects.read(slot, name): name");
  const proto::Object* object = e.ledger().slots.lookup(static_cast<double>(slot));
  if (object == nullptr)
    rangeError("objects.read(slot, name): slot " + std::to_string(slot) +
               " names no live object (pin one with objects.pin; a slot ends with its handle)");
  InsideRuntime inside(e);
  return Napi::Number::New(info.Env(), encode(inside.thread().get(object, name), e.ledger().readIo));
}

// read(slot, name): ReadKind. The fast path, outside the guard: nothing in it
// throws to Node; whatever is not plainly right is handed to CheckedRead.
napi_value Read(napi_env env, napi_callback_info cb) {
  std::size_t argc = 2;
  napi_value argv[2];
  void* data = nullptr;
  double slot = 0, name = 0;
  if (napi_get_cb_info(env, cb, &argc, argv, nullptr, &data) == napi_ok && argc == 2 &&
      napi_get_value_double(env, argv[0], &slot) == napi_ok &&
      napi_get_value_double(env, argv[1], &name) == napi_ok && name >= 1 && name <= 4294967295.0) {
    Environment& e = *static_cast<Environment*>(data);
    const proto::Object* object = e.ledger().slots.lookup(slot);
    const auto id = static_cast<std::uint32_t>(name);
    if (object != nullptr && static_cast<double>(id) == name && e.attached()) {
      try {
        InsideRuntime inside(e);
        napi_value out = nullptr;
        if (napi_create_int32(env, encode(inside.thread().get(object, proto::Symbol{id}), e.ledger().readIo),
                              &out) == napi_ok)
          return out;
      } catch (...) {  // NOLINT: an unknown symbol, say; the checked path names it
      }
    }
  }
  Napi::CallbackInfo info(env, cb);
  return static_cast<Environment*>(info.Data())->guard(info, CheckedRead);
}

}  // namespace

void defineReads(Group& objects) {
  objects.add<Pin, ReadIo>({"pin", "readIo"});
  objects.native("read", Read);
}

}  // namespace proto_addon
