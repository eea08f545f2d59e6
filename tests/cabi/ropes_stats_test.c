/* ropes_stats_test.c — the C ABI's string editing, UTF-16, tuple push/pop, stall
 * samples and heap verifier (proto/proto.h), from strict C99. One function per
 * behaviour; each returns 0 when it holds and prints what did not otherwise. */
#include <proto/proto.h>
#include <stdio.h>
#include <string.h>

#define CHECK(call)                                                            \
  do {                                                                         \
    proto_status check_status_ = (call);                                       \
    if (check_status_ != PROTO_OK) {                                           \
      fprintf(stderr, "%s:%d: %s failed: %s: %s\n", __FILE__, __LINE__, #call, \
              proto_status_name(check_status_), proto_last_error());           \
      return 1;                                                                \
    }                                                                          \
  } while (0)
#define EXPECT(cond)                                                      \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
      return 1;                                                           \
    }                                                                     \
  } while (0)
/* A call that must fail with `status` and say why. */
#define REFUSED(call, status)                                                        \
  do {                                                                               \
    proto_status refused_ = (call);                                                  \
    if (refused_ != (status) || strlen(proto_last_error()) == 0) {                   \
      fprintf(stderr, "%s:%d: %s gave %s, expected %s\n", __FILE__, __LINE__, #call, \
              proto_status_name(refused_), proto_status_name(status));               \
      return 1;                                                                      \
    }                                                                                \
  } while (0)

static proto_thread* thread;
static proto_runtime* rt;

static int text_is(proto_value s, const char* expected) {
  char buffer[256];
  size_t length = 0;
  if (proto_string_to_utf8(s, buffer, sizeof buffer, &length) != PROTO_OK) return 0;
  return length == strlen(expected) && memcmp(buffer, expected, length) == 0;
}

static proto_value text(const char* utf8) {
  proto_value s = PROTO_NIL;
  proto_string_from_utf8(thread, utf8, strlen(utf8), &s);
  return s;
}

static int insert_and_erase_make_new_strings_and_keep_the_old(void) {
  proto_value hello = text("hello world"), edited, erased;
  CHECK(proto_string_insert(thread, hello, 5, text(", big"), &edited));
  EXPECT(text_is(edited, "hello, big world") && text_is(hello, "hello world"));
  CHECK(proto_string_insert(thread, hello, 11, text("!"), &edited));
  EXPECT(text_is(edited, "hello world!"));
  CHECK(proto_string_erase(thread, hello, 0, 6, &erased));
  EXPECT(text_is(erased, "world"));
  CHECK(proto_string_erase(thread, hello, 3, 3, &erased));
  EXPECT(text_is(erased, "hello world"));
  REFUSED(proto_string_insert(thread, hello, 12, text("x"), &edited), PROTO_E_OUT_OF_RANGE);
  REFUSED(proto_string_erase(thread, hello, 5, 4, &erased), PROTO_E_OUT_OF_RANGE);
  REFUSED(proto_string_erase(thread, hello, 0, 99, &erased), PROTO_E_OUT_OF_RANGE);
  REFUSED(proto_string_insert(thread, hello, 0, proto_number(1.0), &edited), PROTO_E_WRONG_KIND);
  REFUSED(proto_string_insert(thread, hello, 0, hello, NULL), PROTO_E_INVALID_ARGUMENT);
  return 0;
}

static int find_counts_code_points_and_reports_absence(void) {
  proto_value s = text("h\xC3\xA9llo w\xC3\xB6rld w\xC3\xB6rld"); /* héllo wörld wörld */
  size_t at = 0;
  CHECK(proto_string_find(s, text("w\xC3\xB6rld"), 0, &at));
  EXPECT(at == 6);
  CHECK(proto_string_find(s, text("w\xC3\xB6rld"), 7, &at));
  EXPECT(at == 12);
  CHECK(proto_string_find(s, text("w\xC3\xB6rld"), 13, &at));
  EXPECT(at == PROTO_NOT_FOUND);
  CHECK(proto_string_find(s, text(""), 4, &at));
  EXPECT(at == 4);
  CHECK(proto_string_find(s, text("x"), 1000, &at));
  EXPECT(at == PROTO_NOT_FOUND);
  REFUSED(proto_string_find(s, PROTO_NIL, 0, &at), PROTO_E_WRONG_KIND);
  REFUSED(proto_string_find(s, s, 0, NULL), PROTO_E_INVALID_ARGUMENT);
  return 0;
}

static int utf16_goes_in_and_out_with_surrogate_pairs(void) {
  /* "hé 😀" in UTF-16: the emoji is a surrogate pair. */
  static const uint16_t units[] = {0x68, 0xE9, 0x20, 0xD83D, 0xDE00};
  static const uint16_t lone[] = {0x68, 0xD83D, 0x69};
  uint16_t out[8];
  size_t length = 0, code_points = 0, bytes = 0;
  proto_value s, empty;
  CHECK(proto_string_from_utf16(thread, units, 5, &s));
  EXPECT(text_is(s, "h\xC3\xA9 \xF0\x9F\x98\x80"));
  CHECK(proto_string_length(s, &code_points, &bytes));
  EXPECT(code_points == 4 && bytes == 8);
  CHECK(proto_string_utf16_length(s, &length));
  EXPECT(length == 5);
  REFUSED(proto_string_to_utf16(s, out, 4, &length), PROTO_E_BUFFER_TOO_SMALL);
  EXPECT(length == 5);
  REFUSED(proto_string_to_utf16(s, NULL, 0, &length), PROTO_E_BUFFER_TOO_SMALL);
  CHECK(proto_string_to_utf16(s, out, 8, &length));
  EXPECT(length == 5 && memcmp(out, units, sizeof units) == 0);
  CHECK(proto_string_from_utf16(thread, NULL, 0, &empty));
  CHECK(proto_string_to_utf16(empty, NULL, 0, &length));
  EXPECT(length == 0);
  REFUSED(proto_string_from_utf16(thread, lone, 3, &s), PROTO_E_INVALID_ARGUMENT);
  REFUSED(proto_string_from_utf16(thread, NULL, 2, &s), PROTO_E_INVALID_ARGUMENT);
  REFUSED(proto_string_to_utf16(proto_number(2.0), out, 8, &length), PROTO_E_WRONG_KIND);
  return 0;
}

static int tuples_push_and_pop_at_both_ends_and_share_the_rest(void) {
  proto_value t, before, last;
  size_t n = 0, depth = 0;
  int i;
  CHECK(proto_scope_open(thread, &depth));
  CHECK(proto_tuple_new(thread, NULL, 0, &t));
  for (i = 0; i < 500; ++i) {
    CHECK(proto_tuple_push_back(thread, t, proto_int(i), &t));
    CHECK(proto_tuple_push_front(thread, t, proto_int(-i - 1), &t));
  }
  CHECK(proto_tuple_length(t, &n));
  EXPECT(n == 1000);
  CHECK(proto_tuple_at(thread, t, 0, &last));
  EXPECT(last == proto_int(-500));
  CHECK(proto_tuple_at(thread, t, 999, &last));
  EXPECT(last == proto_int(499));
  before = t;
  CHECK(proto_tuple_pop_back(thread, t, &t));
  CHECK(proto_tuple_pop_front(thread, t, &t));
  CHECK(proto_tuple_length(before, &n));
  EXPECT(n == 1000); /* the old tuple is untouched */
  CHECK(proto_tuple_at(thread, t, 0, &last));
  EXPECT(last == proto_int(-499));
  for (i = 0; i < 998; ++i) CHECK(proto_tuple_pop_back(thread, t, &t));
  CHECK(proto_tuple_length(t, &n));
  EXPECT(n == 0);
  REFUSED(proto_tuple_pop_back(thread, t, &t), PROTO_E_OUT_OF_RANGE);
  REFUSED(proto_tuple_pop_front(thread, t, &t), PROTO_E_OUT_OF_RANGE);
  REFUSED(proto_tuple_push_back(thread, text("not a tuple"), proto_int(1), &t), PROTO_E_WRONG_KIND);
  REFUSED(proto_tuple_push_back(thread, t, PROTO_MISSING, &t), PROTO_E_INVALID_ARGUMENT);
  CHECK(proto_scope_close(thread, depth));
  return 0;
}

static int stall_samples_come_out_in_batches_and_match_the_stall_count(void) {
  proto_stall_sample batch[3];
  proto_gc_stats before, after;
  size_t count = 0, remaining = 0, total = 0, depth = 0;
  int i, k;
  CHECK(proto_runtime_take_stall_samples(rt, NULL, 0, &count, &remaining)); /* start from nothing */
  while (count > 0 || remaining > 0)
    CHECK(proto_runtime_take_stall_samples(rt, batch, 3, &count, &remaining));
  CHECK(proto_runtime_gc_stats(rt, &before));
  /* Frames with garbage until the thread has stalled a few times (answering the
   * handshakes of the background cycles it triggers), 400 frames at most. */
  for (i = 0; i < 400; ++i) {
    CHECK(proto_scope_open(thread, &depth));
    CHECK(proto_frame_begin(thread));
    for (k = 0; k < 1000; ++k) text("garbage for the collector");
    CHECK(proto_safepoint(thread));
    CHECK(proto_frame_end(thread, NULL));
    CHECK(proto_scope_close(thread, depth));
    CHECK(proto_runtime_gc_stats(rt, &after));
    if (after.pause_count - before.pause_count >= 3) break;
  }
  CHECK(proto_runtime_gc_stats(rt, &after));
  CHECK(proto_runtime_take_stall_samples(rt, NULL, 0, &count, &remaining));
  EXPECT(count == 0);
  do {
    CHECK(proto_runtime_take_stall_samples(rt, batch, 3, &count, &remaining));
    EXPECT(count <= 3);
    for (k = 0; k < (int)count; ++k)
      EXPECT(batch[k].kind >= 0 && batch[k].kind < PROTO_STALL_KINDS && batch[k].us >= 0);
    total += count;
  } while (remaining > 0);
  printf("%lu stalls sampled, %lu counted\n", (unsigned long)total,
         (unsigned long)(after.pause_count - before.pause_count));
  EXPECT(total > 0 && total == after.pause_count - before.pause_count);
  REFUSED(proto_runtime_take_stall_samples(rt, NULL, 2, &count, NULL), PROTO_E_INVALID_ARGUMENT);
  REFUSED(proto_runtime_take_stall_samples(NULL, batch, 3, &count, NULL), PROTO_E_INVALID_ARGUMENT);
  return 0;
}

static int the_heap_verifies_attached_left_and_after_collections(void) {
  CHECK(proto_runtime_verify_heap(rt));
  CHECK(proto_runtime_collect(rt));
  CHECK(proto_runtime_verify_heap(rt));
  CHECK(proto_thread_leave(thread));
  CHECK(proto_runtime_verify_heap(rt));
  CHECK(proto_thread_enter(thread));
  REFUSED(proto_runtime_verify_heap(NULL), PROTO_E_INVALID_ARGUMENT);
  return 0;
}

int main(void) {
  proto_runtime_options options;
  int failed = 0;
  proto_runtime_options_init(&options);
  options.gc_trigger_bytes = (size_t)1 << 20;
  options.gc_stress = 0; /* the stall samples test needs background cycles, not stress cycles */
  CHECK(proto_runtime_create(&options, &rt));
  CHECK(proto_thread_attach(rt, &thread));
  failed |= insert_and_erase_make_new_strings_and_keep_the_old();
  failed |= find_counts_code_points_and_reports_absence();
  failed |= utf16_goes_in_and_out_with_surrogate_pairs();
  failed |= tuples_push_and_pop_at_both_ends_and_share_the_rest();
  failed |= stall_samples_come_out_in_batches_and_match_the_stall_count();
  failed |= the_heap_verifies_attached_left_and_after_collections();
  CHECK(proto_thread_detach(thread));
  CHECK(proto_runtime_destroy(rt));
  if (!failed) printf("ropes_stats_test: every behaviour holds\n");
  return failed;
}
