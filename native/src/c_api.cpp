// c_api.cpp — the C ABI (proto/proto.h) over the C++ API.
//
// Every entry point runs its body inside guard(): proto::Error becomes the
// status of its code, std::bad_alloc PROTO_E_OUT_OF_MEMORY, anything else
// PROTO_E_INTERNAL, and the message goes to the calling OS thread's last
// error. Nothing throws past this file.
#define PROTO_C_API_BUILD 1
#include <proto/proto.h>
#include <proto/rope.h>
#include <proto/runtime.h>
#include <proto/version.h>

#include <atomic>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "thread_state.h"

static_assert(sizeof(proto_value) == sizeof(proto::Value), "proto_value holds a proto::Value's bits");
static_assert(PROTO_STALL_KINDS == proto::kStallKinds, "proto.h and runtime.h disagree on the stall kinds");
static_assert(PROTO_TAG_INT == proto::Value::kTagInt && PROTO_TAG_SPECIAL == proto::Value::kTagSpecial &&
                  PROTO_TAG_SYMBOL == proto::Value::kTagSymbol &&
                  PROTO_TAG_REFERENCE == proto::Value::kTagRef,
              "proto.h and value.h disagree on the tags");
static_assert(PROTO_CANONICAL_NAN == proto::Value::kCanonicalNaN, "proto.h and value.h disagree on NaN");
static_assert(static_cast<int>(proto::NumericType::kU8) == PROTO_U8, "numeric types out of step");
static_assert(static_cast<int>(proto::StallKind::kMarkAssist) == PROTO_STALL_MARK_ASSIST,
              "stall kinds out of step");
static_assert(static_cast<int>(proto::ErrorCode::kInvalidUtf8) + 1 == PROTO_E_INVALID_UTF8,
              "statuses follow proto::ErrorCode");

struct proto_runtime {
  explicit proto_runtime(const proto::RuntimeOptions& options) : runtime(options) {}
  proto::Runtime runtime;
  std::atomic<long> threads{0};
  std::atomic<long> persistents{0};
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

namespace {

using proto::ErrorCode;
using proto::Value;

thread_local std::string lastError;

proto_status fail(proto_status status, const char* message) noexcept {
  try {
    lastError = message;
  } catch (...) {
    lastError.clear();
  }
  return status;
}

proto_status statusOf(ErrorCode code) noexcept {
  return static_cast<proto_status>(static_cast<int>(code) + 1);
}

[[noreturn]] void invalid(const std::string& message) {
  throw proto::Error(ErrorCode::kInvalidArgument, message);
}

template <class F>
proto_status guard(F&& body) noexcept {
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
T& need(T* pointer, const char* what) {
  if (!pointer) invalid(std::string(what) + " is null");
  return *pointer;
}

proto_runtime& runtimeOf(proto_runtime* runtime) { return need(runtime, "the proto_runtime"); }

// The Thread behind `t`, checked: the calling OS thread must be the one that
// attached it, and it must not have left the runtime.
proto::Thread& use(proto_thread* t) {
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
proto_value rooted(proto::Thread& thread, Value value) {
  if (value.isReference()) thread.state().pushHandle(value.asReferenceUnchecked());
  return value.bits();
}

proto_value bitsOf(const proto::internal::HeapObject* object) { return Value::reference(object).bits(); }

template <class T>
proto_value localBits(const proto::Local<T>& local) {
  return local.value().bits();
}

const proto::Object* objectOrNull(proto_value v) {
  Value value = Value::fromBits(v);
  return value.isNil() ? nullptr : proto::toObject(value);
}

const proto::Object* object(proto_value v) { return proto::toObject(Value::fromBits(v)); }
const proto::String* string(proto_value v) { return proto::strings::fromValue(Value::fromBits(v)); }
const proto::Tuple* tuple(proto_value v) { return proto::tuples::fromValue(Value::fromBits(v)); }

proto::Symbol symbol(proto_symbol s) { return proto::Symbol{s}; }

proto::Cell cell(proto_cell c) {
  if (!c) invalid("the proto_cell is null");
  return proto::Cell(reinterpret_cast<std::atomic<std::uint64_t>*>(c));
}
proto_cell cellHandle(proto::Cell c) { return reinterpret_cast<proto_cell>(c.raw()); }

// An enum a C caller (or an FFI) passed: read as its bytes, since a value
// outside the enumerators is undefined behaviour to load as the C++ enum.
template <class E>
int rawEnum(const E& e) noexcept {
  static_assert(sizeof(E) == sizeof(int));
  int raw;
  std::memcpy(&raw, &e, sizeof raw);
  return raw;
}

proto::NumericType numericType(const proto_numeric_type& type) {
  int raw = rawEnum(type);
  if (raw < PROTO_F64 || raw > PROTO_U8) invalid("unknown proto_numeric_type " + std::to_string(raw));
  return static_cast<proto::NumericType>(raw);
}

proto_status newObject(proto_thread* t, proto_value parent, const proto_attribute* attributes, size_t count,
                       proto_value* out, bool parentRequired) {
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

}  // namespace

extern "C" {

// ---- version and errors ---------------------------------------------------

const char* proto_version(void) {
  static const std::string v(proto::version());
  return v.c_str();
}

int proto_abi_version(void) { return PROTO_ABI_VERSION; }

const char* proto_last_error(void) { return lastError.c_str(); }

const char* proto_status_name(proto_status status) {
  switch (rawEnum(status)) {
    case PROTO_OK:
      return "PROTO_OK";
    case PROTO_E_WRONG_KIND:
      return "PROTO_E_WRONG_KIND";
    case PROTO_E_UNKNOWN_SYMBOL:
      return "PROTO_E_UNKNOWN_SYMBOL";
    case PROTO_E_NOT_ATTACHED:
      return "PROTO_E_NOT_ATTACHED";
    case PROTO_E_ALREADY_ATTACHED:
      return "PROTO_E_ALREADY_ATTACHED";
    case PROTO_E_INVALID_ARGUMENT:
      return "PROTO_E_INVALID_ARGUMENT";
    case PROTO_E_OUT_OF_RANGE:
      return "PROTO_E_OUT_OF_RANGE";
    case PROTO_E_NOT_MUTABLE:
      return "PROTO_E_NOT_MUTABLE";
    case PROTO_E_MISSING:
      return "PROTO_E_MISSING";
    case PROTO_E_OUT_OF_MEMORY:
      return "PROTO_E_OUT_OF_MEMORY";
    case PROTO_E_INVALID_UTF8:
      return "PROTO_E_INVALID_UTF8";
    case PROTO_E_BUFFER_TOO_SMALL:
      return "PROTO_E_BUFFER_TOO_SMALL";
    case PROTO_E_INTERNAL:
      return "PROTO_E_INTERNAL";
  }
  return "PROTO_E_UNKNOWN";
}

proto_reference_kind proto_reference_kind_of(proto_value v) {
  Value value = Value::fromBits(v);
  if (!value.isReference()) return PROTO_REF_NONE;
  if (proto::strings::isString(value)) return PROTO_REF_STRING;
  if (proto::tuples::isTuple(value)) return PROTO_REF_TUPLE;
  if (value.asReferenceUnchecked()->kind == proto::internal::ObjectKind::kObject) return PROTO_REF_OBJECT;
  return PROTO_REF_NONE;
}

// ---- runtime ----------------------------------------------------------------

void proto_runtime_options_init(proto_runtime_options* options) {
  if (!options) return;
  proto::RuntimeOptions defaults;
  std::memset(options, 0, sizeof *options);
  options->size = sizeof *options;
  options->heap_limit_bytes = defaults.heapLimitBytes;
  options->cell_limit_bytes = defaults.cellLimitBytes;
  options->gc_trigger_bytes = defaults.gcTriggerBytes;
  options->frame_budget_ms = defaults.frameBudgetMs;
  options->attribute_cache = defaults.attributeCache ? 1 : 0;
  options->background_collector = defaults.backgroundCollector ? 1 : 0;
  options->gc_stress = defaults.gcStress;
}

proto_status proto_runtime_create(const proto_runtime_options* options, proto_runtime** out) {
  return guard([&] {
    need(out, "out");
    proto::RuntimeOptions o;
    if (options) {
      if (options->size != sizeof(proto_runtime_options))
        invalid("proto_runtime_options.size is " + std::to_string(options->size) + ", this library expects " +
                std::to_string(sizeof(proto_runtime_options)) +
                ": fill the options with proto_runtime_options_init");
      o.heapLimitBytes = options->heap_limit_bytes;
      o.cellLimitBytes = options->cell_limit_bytes;
      o.gcTriggerBytes = options->gc_trigger_bytes;
      o.frameBudgetMs = options->frame_budget_ms;
      o.attributeCache = options->attribute_cache != 0;
      o.backgroundCollector = options->background_collector != 0;
      o.gcStress = options->gc_stress;
    }
    *out = new proto_runtime(o);
    return PROTO_OK;
  });
}

proto_status proto_runtime_destroy(proto_runtime* runtime) {
  return guard([&] {
    if (!runtime) return PROTO_OK;
    long threads = runtime->threads.load();
    long persistents = runtime->persistents.load();
    if (threads != 0 || persistents != 0)
      invalid("proto_runtime_destroy: " + std::to_string(threads) + " thread(s) still attached and " +
              std::to_string(persistents) + " persistent(s) still alive: detach and release them first");
    delete runtime;
    return PROTO_OK;
  });
}

proto_status proto_runtime_collect(proto_runtime* runtime) {
  return guard([&] {
    runtimeOf(runtime).runtime.collect();
    return PROTO_OK;
  });
}

proto_status proto_runtime_set_frame_budget_ms(proto_runtime* runtime, double ms) {
  return guard([&] {
    if (!(ms >= 0)) invalid("the frame budget must be a number of milliseconds >= 0");
    runtimeOf(runtime).runtime.setFrameBudgetMs(ms);
    return PROTO_OK;
  });
}

proto_status proto_runtime_set_attribute_cache(proto_runtime* runtime, int enabled) {
  return guard([&] {
    runtimeOf(runtime).runtime.setAttributeCacheEnabled(enabled != 0);
    return PROTO_OK;
  });
}

proto_status proto_runtime_gc_stats(proto_runtime* runtime, proto_gc_stats* out) {
  return guard([&] {
    need(out, "out");
    proto::GcStats s = runtimeOf(runtime).runtime.gcStats();
    proto_gc_stats r;
    std::memset(&r, 0, sizeof r);
    r.cycles = s.cycles;
    r.handshakes = s.handshakes;
    r.heap_bytes = s.heapBytes;
    r.live_bytes = s.liveBytes;
    r.allocated_bytes = s.allocatedBytes;
    r.live_objects = s.liveObjects;
    r.cells_in_use = s.cellsInUse;
    r.last_cycle_ms = s.lastCycleMs;
    r.pause_p50_us = s.pauseP50Us;
    r.pause_p99_us = s.pauseP99Us;
    r.pause_max_us = s.pauseMaxUs;
    r.pause_count = s.pauseCount;
    for (std::size_t k = 0; k < proto::kStallKinds; ++k) {
      r.stalls[k].count = s.stalls[k].count;
      r.stalls[k].total_ms = s.stalls[k].totalMs;
      r.stalls[k].p50_us = s.stalls[k].p50Us;
      r.stalls[k].p99_us = s.stalls[k].p99Us;
      r.stalls[k].max_us = s.stalls[k].maxUs;
    }
    r.frames_over_budget = s.framesOverBudget;
    r.frame_budget_ms = s.frameBudgetMs;
    *out = r;
    return PROTO_OK;
  });
}

// ---- threads and scopes -----------------------------------------------------

proto_status proto_thread_attach(proto_runtime* runtime, proto_thread** out) {
  return guard([&] {
    proto_runtime& rt = runtimeOf(runtime);
    need(out, "out");
    auto t = std::make_unique<proto_thread>();
    t->owner = &rt;
    t->attach = std::make_unique<proto::AttachScope>(rt.runtime);
    t->thread = &t->attach->thread();
    ++rt.threads;
    *out = t.release();
    return PROTO_OK;
  });
}

proto_status proto_thread_detach(proto_thread* t) {
  return guard([&] {
    proto_thread& thread = need(t, "the proto_thread");
    if (proto::internal::currentThreadState() != &thread.thread->state())
      throw proto::Error(ErrorCode::kNotAttached,
                         "proto_thread_detach must run on the OS thread that attached");
    while (!thread.left.empty()) thread.left.pop_back();
    while (!thread.scopes.empty()) thread.scopes.pop_back();
    proto_runtime* owner = thread.owner;
    thread.attach.reset();
    --owner->threads;
    delete t;
    return PROTO_OK;
  });
}

proto_runtime* proto_thread_runtime(proto_thread* thread) { return thread ? thread->owner : nullptr; }

proto_status proto_thread_leave(proto_thread* t) {
  return guard([&] {
    proto_thread& thread = need(t, "the proto_thread");
    if (proto::internal::currentThreadState() != &thread.thread->state())
      throw proto::Error(ErrorCode::kNotAttached,
                         "proto_thread_leave must run on the OS thread that attached");
    thread.left.push_back(std::make_unique<proto::UnmanagedScope>(*thread.thread));
    return PROTO_OK;
  });
}

proto_status proto_thread_enter(proto_thread* t) {
  return guard([&] {
    proto_thread& thread = need(t, "the proto_thread");
    if (proto::internal::currentThreadState() != &thread.thread->state())
      throw proto::Error(ErrorCode::kNotAttached,
                         "proto_thread_enter must run on the OS thread that attached");
    if (thread.left.empty()) invalid("proto_thread_enter without a matching proto_thread_leave");
    thread.left.pop_back();
    return PROTO_OK;
  });
}

proto_status proto_safepoint(proto_thread* t) {
  return guard([&] {
    use(t).safepoint();
    return PROTO_OK;
  });
}

proto_status proto_scope_open(proto_thread* t, size_t* depth_out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(depth_out, "depth_out");
    t->scopes.push_back(std::make_unique<proto::HandleScope>(thread));
    *depth_out = t->scopes.size();
    return PROTO_OK;
  });
}

proto_status proto_scope_close(proto_thread* t, size_t depth) {
  return guard([&] {
    use(t);
    if (depth == 0) invalid("proto_scope_close: the outermost scope (depth 0) closes at proto_thread_detach");
    if (depth != t->scopes.size())
      invalid("proto_scope_close: scope " + std::to_string(depth) + " is not the innermost (which is " +
              std::to_string(t->scopes.size()) + "): close scopes in the reverse order they opened");
    t->scopes.pop_back();
    return PROTO_OK;
  });
}

// ---- symbols --------------------------------------------------------------------

proto_status proto_symbol_intern(proto_runtime* runtime, const char* name, size_t length, proto_symbol* out) {
  return guard([&] {
    proto_runtime& rt = runtimeOf(runtime);
    need(out, "out");
    if (length > 0) need(name, "name (with length > 0)");
    *out = rt.runtime.symbol(std::string_view(length > 0 ? name : "", length)).id;
    return PROTO_OK;
  });
}

proto_status proto_symbol_name(proto_runtime* runtime, proto_symbol s, const char** name_out,
                               size_t* length_out) {
  return guard([&] {
    proto_runtime& rt = runtimeOf(runtime);
    need(name_out, "name_out");
    std::string_view name = rt.runtime.symbolName(symbol(s));
    *name_out = name.data();
    if (length_out) *length_out = name.size();
    return PROTO_OK;
  });
}

// ---- objects --------------------------------------------------------------------

proto_status proto_object_new(proto_thread* t, proto_value parent, const proto_attribute* attributes,
                              size_t count, proto_value* out) {
  return newObject(t, parent, attributes, count, out, false);
}

proto_status proto_object_extend(proto_thread* t, proto_value parent, const proto_attribute* attributes,
                                 size_t count, proto_value* out) {
  return newObject(t, parent, attributes, count, out, true);
}

proto_status proto_object_with(proto_thread* t, proto_value o, proto_symbol name, proto_value value,
                               proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = localBits(thread.with(object(o), symbol(name), Value::fromBits(value)));
    return PROTO_OK;
  });
}

proto_status proto_object_parent(proto_thread* t, proto_value o, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    const proto::Object* p = thread.parent(object(o));
    *out = p ? rooted(thread, proto::objectValue(p)) : PROTO_NIL;
    return PROTO_OK;
  });
}

proto_status proto_get(proto_thread* t, proto_value o, proto_symbol name, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = rooted(thread, thread.get(object(o), symbol(name)));
    return PROTO_OK;
  });
}

proto_status proto_find(proto_thread* t, proto_value o, proto_symbol name, proto_lookup* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    proto::Lookup l = thread.find(object(o), symbol(name));
    proto_lookup r;
    r.where = l.where == proto::Lookup::Where::kOwn         ? PROTO_WHERE_OWN
              : l.where == proto::Lookup::Where::kInherited ? PROTO_WHERE_INHERITED
                                                            : PROTO_WHERE_MISSING;
    r.is_mutable = l.isMutable ? 1 : 0;
    r.value = rooted(thread, l.value);
    r.cell = l.isMutable ? cellHandle(l.cell) : nullptr;
    *out = r;
    return PROTO_OK;
  });
}

proto_status proto_set(proto_thread* t, proto_value o, proto_symbol name, proto_value value) {
  return guard([&] {
    use(t).set(object(o), symbol(name), Value::fromBits(value));
    return PROTO_OK;
  });
}

// ---- cells ------------------------------------------------------------------------

proto_status proto_cell_of(proto_thread* t, proto_value o, proto_symbol name, proto_cell* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = cellHandle(thread.cellOf(object(o), symbol(name)));
    return PROTO_OK;
  });
}

proto_status proto_cell_load(proto_thread* t, proto_cell c, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = rooted(thread, cell(c).load());
    return PROTO_OK;
  });
}

proto_status proto_cell_store(proto_thread* t, proto_cell c, proto_value value) {
  return guard([&] {
    use(t).store(cell(c), Value::fromBits(value));
    return PROTO_OK;
  });
}

proto_status proto_cell_exchange(proto_thread* t, proto_cell c, proto_value value, proto_value* old_out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    Value old = thread.exchange(cell(c), Value::fromBits(value));
    if (old_out) *old_out = rooted(thread, old);
    return PROTO_OK;
  });
}

proto_status proto_cell_compare_exchange(proto_thread* t, proto_cell c, proto_value* expected,
                                         proto_value desired, int* swapped_out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(expected, "expected");
    Value e = Value::fromBits(*expected);
    bool swapped = thread.compareExchange(cell(c), e, Value::fromBits(desired));
    if (!swapped) *expected = rooted(thread, e);
    if (swapped_out) *swapped_out = swapped ? 1 : 0;
    return PROTO_OK;
  });
}

proto_status proto_cell_new(proto_thread* t, proto_value initial, proto_cell* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = cellHandle(thread.newCell(Value::fromBits(initial)));
    return PROTO_OK;
  });
}

proto_status proto_cell_free(proto_thread* t, proto_cell c) {
  return guard([&] {
    use(t).freeCell(cell(c));
    return PROTO_OK;
  });
}

// ---- numeric blocks -----------------------------------------------------------------

proto_status proto_numeric_block_new(proto_thread* t, proto_numeric_type type, size_t count,
                                     proto_numeric_block* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    proto::NumericBlock b = thread.newNumericBlock(numericType(type), count);
    out->data = b.data;
    out->count = b.count;
    out->bytes = b.bytes;
    out->type = type;
    return PROTO_OK;
  });
}

proto_status proto_numeric_block_free(proto_thread* t, proto_numeric_block* block) {
  return guard([&] {
    proto::Thread& thread = use(t);
    proto_numeric_block& b = need(block, "block");
    if (!b.data) invalid("the numeric block is empty (freed already?)");
    proto::NumericType type = numericType(b.type);
    proto::NumericBlock nb;
    nb.data = b.data;
    nb.count = b.count;
    nb.bytes = b.bytes;
    nb.type = type;
    thread.freeNumericBlock(nb);
    std::memset(&b, 0, sizeof b);
    return PROTO_OK;
  });
}

// ---- strings ------------------------------------------------------------------------

proto_status proto_string_from_utf8(proto_thread* t, const char* utf8, size_t length, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    if (length > 0) need(utf8, "utf8 (with length > 0)");
    *out = localBits(proto::strings::fromUtf8(thread, std::string_view(length > 0 ? utf8 : "", length)));
    return PROTO_OK;
  });
}

proto_status proto_string_to_utf8(proto_value s, char* buffer, size_t capacity, size_t* length_out) {
  return guard([&] {
    need(length_out, "length_out");
    const proto::String* str = string(s);
    size_t bytes = proto::strings::byteLength(str);
    *length_out = bytes;
    if (!buffer || capacity < bytes + 1)
      return fail(PROTO_E_BUFFER_TOO_SMALL,
                  ("proto_string_to_utf8: the string needs " + std::to_string(bytes + 1) +
                   " bytes with its NUL, the buffer has " + std::to_string(buffer ? capacity : 0))
                      .c_str());
    size_t at = 0;
    proto::strings::forEachChunk(str, [&](std::string_view chunk) {
      std::memcpy(buffer + at, chunk.data(), chunk.size());
      at += chunk.size();
    });
    buffer[at] = '\0';
    return PROTO_OK;
  });
}

proto_status proto_string_length(proto_value s, size_t* code_points_out, size_t* bytes_out) {
  return guard([&] {
    proto::strings::Lengths l = proto::strings::lengths(string(s));
    if (code_points_out) *code_points_out = l.codePoints;
    if (bytes_out) *bytes_out = l.bytes;
    return PROTO_OK;
  });
}

proto_status proto_string_concat(proto_thread* t, proto_value a, proto_value b, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = localBits(proto::strings::concat(thread, string(a), string(b)));
    return PROTO_OK;
  });
}

proto_status proto_string_slice(proto_thread* t, proto_value s, size_t begin, size_t end, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = localBits(proto::strings::slice(thread, string(s), begin, end));
    return PROTO_OK;
  });
}

// ---- tuples -------------------------------------------------------------------------

proto_status proto_tuple_new(proto_thread* t, const proto_value* values, size_t count, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    if (count > 0) need(values, "values (with count > 0)");
    static_assert(sizeof(Value) == sizeof(proto_value) && alignof(Value) == alignof(proto_value));
    std::vector<Value> vs(count);
    for (size_t i = 0; i < count; ++i) vs[i] = Value::fromBits(values[i]);
    *out = localBits(proto::tuples::fromValues(thread, std::span<const Value>(vs)));
    return PROTO_OK;
  });
}

proto_status proto_tuple_to_values(proto_value tv, proto_value* buffer, size_t capacity, size_t* count_out) {
  return guard([&] {
    need(count_out, "count_out");
    const proto::Tuple* tup = tuple(tv);
    size_t n = proto::tuples::size(tup);
    *count_out = n;
    if (n > 0 && (!buffer || capacity < n))
      return fail(PROTO_E_BUFFER_TOO_SMALL,
                  ("proto_tuple_to_values: the tuple holds " + std::to_string(n) +
                   " values, the buffer has room for " + std::to_string(buffer ? capacity : 0))
                      .c_str());
    size_t at = 0;
    proto::tuples::forEach(tup, [&](Value v) { buffer[at++] = v.bits(); });
    return PROTO_OK;
  });
}

proto_status proto_tuple_length(proto_value tv, size_t* count_out) {
  return guard([&] {
    need(count_out, "count_out");
    *count_out = proto::tuples::size(tuple(tv));
    return PROTO_OK;
  });
}

proto_status proto_tuple_at(proto_thread* t, proto_value tv, size_t index, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = rooted(thread, proto::tuples::at(tuple(tv), index));
    return PROTO_OK;
  });
}

proto_status proto_tuple_concat(proto_thread* t, proto_value a, proto_value b, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = localBits(proto::tuples::concat(thread, tuple(a), tuple(b)));
    return PROTO_OK;
  });
}

proto_status proto_tuple_slice(proto_thread* t, proto_value tv, size_t begin, size_t end, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = localBits(proto::tuples::slice(thread, tuple(tv), begin, end));
    return PROTO_OK;
  });
}

// ---- persistents ----------------------------------------------------------------------

proto_status proto_persistent_new(proto_thread* t, proto_value value, proto_persistent** out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    Value v = Value::fromBits(value);
    if (!v.isReference() && !v.isNil())
      throw proto::Error(ErrorCode::kWrongKind, std::string("a persistent holds a reference or nil (got ") +
                                                    proto::valueKindName(v.kind()) + ")");
    auto p = std::make_unique<proto_persistent>();
    p->owner = t->owner;
    p->root = proto::Persistent<proto::internal::HeapObject>(
        thread, v.isReference() ? v.asReferenceUnchecked() : nullptr);
    ++t->owner->persistents;
    *out = p.release();
    return PROTO_OK;
  });
}

proto_status proto_persistent_get(proto_thread* t, const proto_persistent* persistent, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    const proto_persistent& p = need(persistent, "the proto_persistent");
    need(out, "out");
    if (p.owner != t->owner) invalid("the persistent belongs to another runtime");
    proto::internal::HeapObject* h = p.root.get();
    *out = h ? rooted(thread, Value::fromBits(bitsOf(h))) : PROTO_NIL;
    return PROTO_OK;
  });
}

proto_status proto_persistent_release(proto_persistent* persistent) {
  return guard([&] {
    if (!persistent) return PROTO_OK;
    proto_runtime* owner = persistent->owner;
    delete persistent;
    --owner->persistents;
    return PROTO_OK;
  });
}

// ---- frames -----------------------------------------------------------------------------

const char* proto_stall_kind_name(int kind) {
  if (kind < 0 || kind >= PROTO_STALL_KINDS) return "unknown";
  return proto::stallKindName(static_cast<proto::StallKind>(kind));
}

proto_status proto_frame_begin(proto_thread* t) {
  return guard([&] {
    use(t).frameBegin();
    return PROTO_OK;
  });
}

proto_status proto_frame_end(proto_thread* t, proto_frame_record* out) {
  return guard([&] {
    proto::FrameRecord f = use(t).frameEnd();
    if (out) {
      proto_frame_record r;
      std::memset(&r, 0, sizeof r);
      r.frame = f.frame;
      r.duration_ms = f.durationMs;
      r.gc_pause_ms = f.gcPauseMs;
      r.longest_pause_ms = f.longestPauseMs;
      for (std::size_t k = 0; k < proto::kStallKinds; ++k) r.stall_ms[k] = f.stallMs[k];
      r.stalls = f.stalls;
      r.handshakes = f.handshakes;
      r.budget_ms = f.budgetMs;
      r.over_budget = f.overBudget ? 1 : 0;
      r.allocation_outran_collection = f.allocationOutranCollection ? 1 : 0;
      *out = r;
    }
    return PROTO_OK;
  });
}

}  // extern "C"
