// c_api_test.cpp — the C ABI (proto/proto.h): statuses and messages instead of
// exceptions, the handle model (scopes, rooting of what comes back,
// persistents), thread rules and the value helpers' agreement with proto::Value.
#include <gtest/gtest.h>
#include <proto/proto.h>
#include <proto/runtime.h>

#include <cmath>
#include <cstring>
#include <string>
#include <thread>

namespace {

struct CRuntime {
  proto_runtime* rt = nullptr;
  proto_thread* thread = nullptr;
  CRuntime() {
    proto_runtime_options options;
    proto_runtime_options_init(&options);
    options.gc_stress = 0;
    EXPECT_EQ(proto_runtime_create(&options, &rt), PROTO_OK) << proto_last_error();
    EXPECT_EQ(proto_thread_attach(rt, &thread), PROTO_OK) << proto_last_error();
  }
  ~CRuntime() {
    if (thread) EXPECT_EQ(proto_thread_detach(thread), PROTO_OK) << proto_last_error();
    EXPECT_EQ(proto_runtime_destroy(rt), PROTO_OK) << proto_last_error();
  }
  proto_symbol symbol(const char* name) {
    proto_symbol s = 0;
    EXPECT_EQ(proto_symbol_intern(rt, name, std::strlen(name), &s), PROTO_OK);
    return s;
  }
};

TEST(CApi, ValueHelpersMatchProtoValue) {
  EXPECT_EQ(proto_number(1.5), proto::Value::number(1.5).bits());
  EXPECT_EQ(proto_number(std::nan("")), proto::Value::number(std::nan("")).bits());
  EXPECT_EQ(proto_int(-7), proto::Value::integer(-7).bits());
  EXPECT_EQ(proto_nil(), proto::Value::nil().bits());
  EXPECT_EQ(proto_bool(1), proto::Value::boolean(true).bits());
  EXPECT_EQ(proto_bool(0), proto::Value::boolean(false).bits());
  EXPECT_EQ(PROTO_MISSING, proto::Value::missing().bits());
  EXPECT_EQ(proto_symbol_value(42), proto::Value::symbol(proto::Symbol{42}).bits());
  EXPECT_EQ(proto_as_int(proto_int(-7)), -7);
  EXPECT_EQ(proto_to_double(proto_int(3)), 3.0);
  EXPECT_EQ(proto_kind(proto_number(2)), PROTO_KIND_NUMBER);
  EXPECT_EQ(proto_kind(proto_int(2)), PROTO_KIND_INT);
  EXPECT_EQ(proto_kind(PROTO_TRUE), PROTO_KIND_BOOL);
  EXPECT_EQ(proto_kind(PROTO_NIL), PROTO_KIND_NIL);
  EXPECT_EQ(proto_kind(PROTO_MISSING), PROTO_KIND_MISSING);
  EXPECT_EQ(proto_kind(proto_symbol_value(1)), PROTO_KIND_SYMBOL);
  EXPECT_TRUE(std::isnan(proto_to_double(PROTO_NIL)));
}

TEST(CApi, ErrorsAreStatusesWithMessages) {
  CRuntime c;
  proto_symbol speed = c.symbol("speed");
  proto_value base = 0, out = 0;
  EXPECT_EQ(proto_object_new(c.thread, PROTO_NIL, nullptr, 0, nullptr), PROTO_E_INVALID_ARGUMENT);
  EXPECT_NE(std::string(proto_last_error()).find("out"), std::string::npos);
  proto_attribute attrs[2] = {{speed, proto_number(1), 0}, {speed, proto_number(2), 0}};
  EXPECT_EQ(proto_object_new(c.thread, PROTO_NIL, attrs, 2, &base), PROTO_E_INVALID_ARGUMENT);
  EXPECT_EQ(proto_object_new(c.thread, PROTO_NIL, attrs, 1, &base), PROTO_OK);
  EXPECT_EQ(proto_object_extend(c.thread, PROTO_NIL, nullptr, 0, &out), PROTO_E_WRONG_KIND);
  EXPECT_EQ(proto_get(c.thread, base, 999999, &out), PROTO_E_UNKNOWN_SYMBOL);
  EXPECT_EQ(proto_get(c.thread, base, c.symbol("other"), &out), PROTO_OK);
  EXPECT_EQ(out, PROTO_MISSING);
  EXPECT_EQ(proto_set(c.thread, base, speed, proto_number(3)), PROTO_E_NOT_MUTABLE);
  EXPECT_EQ(proto_set(c.thread, base, c.symbol("other"), proto_number(3)), PROTO_E_MISSING);
  proto_cell cell = nullptr;
  EXPECT_EQ(proto_cell_of(c.thread, base, speed, &cell), PROTO_E_NOT_MUTABLE);
  EXPECT_EQ(proto_string_from_utf8(c.thread, "\xff", 1, &out), PROTO_E_INVALID_UTF8);
  EXPECT_EQ(proto_string_length(base, nullptr, nullptr), PROTO_E_WRONG_KIND);
  EXPECT_EQ(proto_tuple_slice(c.thread, base, 0, 1, &out), PROTO_E_WRONG_KIND);
  EXPECT_EQ(proto_frame_end(c.thread, nullptr), PROTO_E_INVALID_ARGUMENT);
  EXPECT_EQ(proto_persistent_new(c.thread, proto_number(1), nullptr), PROTO_E_INVALID_ARGUMENT);
  proto_persistent* p = nullptr;
  EXPECT_EQ(proto_persistent_new(c.thread, proto_number(1), &p), PROTO_E_WRONG_KIND);
  EXPECT_STREQ(proto_status_name(PROTO_E_OUT_OF_RANGE), "PROTO_E_OUT_OF_RANGE");
  EXPECT_STREQ(proto_stall_kind_name(PROTO_STALL_MARK_ASSIST), "mark_assist");
  const char* name = nullptr;
  size_t length = 0;
  EXPECT_EQ(proto_symbol_name(c.rt, speed, &name, &length), PROTO_OK);
  EXPECT_EQ(std::string(name, length), "speed");
  EXPECT_EQ(proto_symbol_name(c.rt, 999999, &name, &length), PROTO_E_UNKNOWN_SYMBOL);
  proto_runtime_options bad;
  proto_runtime_options_init(&bad);
  bad.size = 8;
  proto_runtime* rt = nullptr;
  EXPECT_EQ(proto_runtime_create(&bad, &rt), PROTO_E_INVALID_ARGUMENT);
  EXPECT_EQ(rt, nullptr);
}

TEST(CApi, ThreadRules) {
  CRuntime c;
  proto_thread* again = nullptr;
  EXPECT_EQ(proto_thread_attach(c.rt, &again), PROTO_E_ALREADY_ATTACHED);
  EXPECT_EQ(proto_runtime_destroy(c.rt), PROTO_E_INVALID_ARGUMENT);  // a thread is attached
  proto_status fromOther = PROTO_OK;
  std::string message;
  std::thread other([&] {
    fromOther = proto_safepoint(c.thread);
    message = proto_last_error();
  });
  other.join();
  EXPECT_EQ(fromOther, PROTO_E_NOT_ATTACHED);
  EXPECT_NE(message.find("another OS thread"), std::string::npos);
  EXPECT_STRNE(proto_last_error(), message.c_str());  // last errors are per thread
  EXPECT_EQ(proto_thread_leave(c.thread), PROTO_OK);
  EXPECT_EQ(proto_safepoint(c.thread), PROTO_E_NOT_ATTACHED);
  EXPECT_EQ(proto_runtime_collect(c.rt), PROTO_OK);  // works while left
  EXPECT_EQ(proto_thread_enter(c.thread), PROTO_OK);
  EXPECT_EQ(proto_thread_enter(c.thread), PROTO_E_INVALID_ARGUMENT);
  EXPECT_EQ(proto_safepoint(c.thread), PROTO_OK);
}

TEST(CApi, ScopesNestAndRootWhatComesBack) {
  CRuntime c;
  proto_symbol slot = c.symbol("slot");
  proto_value holder = 0;
  proto_attribute attr{slot, PROTO_NIL, 1};
  ASSERT_EQ(proto_object_new(c.thread, PROTO_NIL, &attr, 1, &holder), PROTO_OK);
  proto_cell cell = nullptr;
  ASSERT_EQ(proto_cell_of(c.thread, holder, slot, &cell), PROTO_OK);

  size_t outer = 0, inner = 0;
  ASSERT_EQ(proto_scope_open(c.thread, &outer), PROTO_OK);
  ASSERT_EQ(proto_scope_open(c.thread, &inner), PROTO_OK);
  EXPECT_EQ(inner, outer + 1);
  EXPECT_EQ(proto_scope_close(c.thread, outer), PROTO_E_INVALID_ARGUMENT);  // not the innermost
  EXPECT_EQ(proto_scope_close(c.thread, 0), PROTO_E_INVALID_ARGUMENT);
  proto_value text = 0;
  ASSERT_EQ(proto_string_from_utf8(c.thread, "kept by the cell only", 21, &text), PROTO_OK);
  ASSERT_EQ(proto_cell_store(c.thread, cell, text), PROTO_OK);
  ASSERT_EQ(proto_scope_close(c.thread, inner), PROTO_OK);

  // Loaded back, the string is rooted in `outer`: overwriting the cell and
  // collecting does not free it.
  proto_value loaded = 0;
  ASSERT_EQ(proto_cell_load(c.thread, cell, &loaded), PROTO_OK);
  EXPECT_EQ(loaded, text);
  ASSERT_EQ(proto_cell_store(c.thread, cell, proto_number(0)), PROTO_OK);
  ASSERT_EQ(proto_runtime_collect(c.rt), PROTO_OK);
  char buffer[32];
  size_t length = 0;
  ASSERT_EQ(proto_string_to_utf8(loaded, buffer, sizeof buffer, &length), PROTO_OK);
  EXPECT_STREQ(buffer, "kept by the cell only");
  ASSERT_EQ(proto_scope_close(c.thread, outer), PROTO_OK);
  proto_runtime* rt = c.rt;
  EXPECT_EQ(proto_runtime_collect(rt), PROTO_OK);

  proto_gc_stats stats;
  ASSERT_EQ(proto_runtime_gc_stats(c.rt, &stats), PROTO_OK);
  EXPECT_GE(stats.cycles, 2u);
}

TEST(CApi, PersistentsCrossThreads) {
  CRuntime c;
  proto_symbol n = c.symbol("n");
  proto_value object = 0;
  proto_attribute attr{n, proto_int(0), 1};
  proto_persistent* shared = nullptr;
  {
    size_t depth = 0;
    ASSERT_EQ(proto_scope_open(c.thread, &depth), PROTO_OK);
    ASSERT_EQ(proto_object_new(c.thread, PROTO_NIL, &attr, 1, &object), PROTO_OK);
    ASSERT_EQ(proto_persistent_new(c.thread, object, &shared), PROTO_OK);
    ASSERT_EQ(proto_scope_close(c.thread, depth), PROTO_OK);  // only the persistent holds it now
  }
  ASSERT_EQ(proto_runtime_collect(c.rt), PROTO_OK);
  ASSERT_EQ(proto_thread_leave(c.thread), PROTO_OK);
  std::thread other([&] {
    proto_thread* t = nullptr;
    ASSERT_EQ(proto_thread_attach(c.rt, &t), PROTO_OK);
    proto_value o = 0;
    ASSERT_EQ(proto_persistent_get(t, shared, &o), PROTO_OK);
    EXPECT_EQ(o, object);
    proto_cell cell = nullptr;
    ASSERT_EQ(proto_cell_of(t, o, n, &cell), PROTO_OK);
    proto_value expected = proto_int(0);
    int swapped = 0;
    ASSERT_EQ(proto_cell_compare_exchange(t, cell, &expected, proto_int(5), &swapped), PROTO_OK);
    EXPECT_EQ(swapped, 1);
    expected = proto_int(0);
    ASSERT_EQ(proto_cell_compare_exchange(t, cell, &expected, proto_int(6), &swapped), PROTO_OK);
    EXPECT_EQ(swapped, 0);
    EXPECT_EQ(expected, proto_int(5));
    ASSERT_EQ(proto_thread_detach(t), PROTO_OK);
  });
  other.join();
  ASSERT_EQ(proto_thread_enter(c.thread), PROTO_OK);
  proto_value value = 0;
  ASSERT_EQ(proto_persistent_get(c.thread, shared, &object), PROTO_OK);
  ASSERT_EQ(proto_get(c.thread, object, n, &value), PROTO_OK);
  EXPECT_EQ(value, proto_int(5));
  EXPECT_EQ(proto_runtime_destroy(c.rt), PROTO_E_INVALID_ARGUMENT);  // refused: the persistent and a thread
  EXPECT_EQ(proto_persistent_release(shared), PROTO_OK);
  EXPECT_EQ(proto_persistent_release(nullptr), PROTO_OK);
}

TEST(CApi, StandaloneCellsAndBlocks) {
  CRuntime c;
  proto_cell cell = nullptr;
  ASSERT_EQ(proto_cell_new(c.thread, proto_int(1), &cell), PROTO_OK);
  proto_value old = 0;
  ASSERT_EQ(proto_cell_exchange(c.thread, cell, proto_int(2), &old), PROTO_OK);
  EXPECT_EQ(old, proto_int(1));
  EXPECT_EQ(proto_cell_store(c.thread, cell, PROTO_MISSING), PROTO_E_INVALID_ARGUMENT);
  ASSERT_EQ(proto_cell_free(c.thread, cell), PROTO_OK);
  EXPECT_EQ(proto_cell_free(c.thread, cell), PROTO_E_INVALID_ARGUMENT);
  proto_numeric_block block;
  ASSERT_EQ(proto_numeric_block_new(c.thread, PROTO_I32, 10, &block), PROTO_OK);
  EXPECT_EQ(block.bytes, 40u);
  static_cast<int32_t*>(block.data)[9] = 7;
  ASSERT_EQ(proto_numeric_block_free(c.thread, &block), PROTO_OK);
  EXPECT_EQ(proto_numeric_block_free(c.thread, &block), PROTO_E_INVALID_ARGUMENT);
}

}  // namespace
