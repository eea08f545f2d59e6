// c_api.cpp — the C ABI (proto/proto.h) over the C++ API: errors, runtime, threads and
// scopes, symbols, objects, cells, numeric blocks, persistents. Strings and tuples are
// in c_api_ropes.cpp, statistics, frames and diagnostics in c_api_stats.cpp.
//
// Every entry point runs its body inside guard() (c_api_support.h): proto::Error becomes
// the status of its code, std::bad_alloc PROTO_E_OUT_OF_MEMORY, anything else
// PROTO_E_INTERNAL, and the message goes to the calling OS thread's last error.
// Nothing throws past the ABI.
#define PROTO_C_API_BUILD 1
#include <proto/version.h>

#include "c_api_support.h"

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

using namespace proto_capi;

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

}  // extern "C"
