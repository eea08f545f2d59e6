/* frame_loop.c — behaviours as prototypes, driven through the C ABI.
 *
 * A `mover` prototype holds a speed; entities inherit it, one overrides it,
 * and each has a mutable `position` cell that the frame loop updates. Each
 * frame opens a handle scope, allocates a few temporary strings (garbage for
 * the collector) and reads the frame record. Checks its results: exits 1 on
 * any mismatch. */
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

#define ENTITIES 4
#define FRAMES 240

static proto_symbol intern(proto_runtime* rt, const char* name) {
  proto_symbol s = 0;
  if (proto_symbol_intern(rt, name, strlen(name), &s) != PROTO_OK) return 0;
  return s;
}

int main(void) {
  proto_runtime_options options;
  proto_runtime* rt = NULL;
  proto_thread* thread = NULL;
  proto_symbol speed, position, name;
  proto_value mover, entities[ENTITIES], label, text;
  proto_cell cells[ENTITIES];
  proto_attribute attrs[2];
  proto_lookup lookup;
  proto_frame_record record;
  proto_gc_stats stats;
  double max_pause = 0, stall_sum;
  char buffer[64];
  size_t length = 0, code_points = 0, depth = 0;
  int i, frame, k;

  proto_runtime_options_init(&options);
  options.heap_limit_bytes = (size_t)64 << 20;
  options.gc_trigger_bytes = (size_t)1 << 20;
  options.frame_budget_ms = 1.0;
  CHECK(proto_runtime_create(&options, &rt));
  CHECK(proto_thread_attach(rt, &thread));

  speed = intern(rt, "speed");
  position = intern(rt, "position");
  name = intern(rt, "name");
  EXPECT(speed != 0 && position != 0 && name != 0 && speed != position);

  /* The behaviour: a prototype with a speed and a name. Made in the
   * outermost scope (attach's), so it lives until detach. */
  CHECK(proto_string_from_utf8(thread, "mover", 5, &label));
  attrs[0].name = speed;
  attrs[0].value = proto_number(2.0);
  attrs[0].is_mutable = 0;
  attrs[1].name = name;
  attrs[1].value = label;
  attrs[1].is_mutable = 0;
  CHECK(proto_object_new(thread, PROTO_NIL, attrs, 2, &mover));

  /* Entities inherit it; the last one overrides the speed. Each has its own
   * mutable position. */
  for (i = 0; i < ENTITIES; ++i) {
    attrs[0].name = position;
    attrs[0].value = proto_number(0.0);
    attrs[0].is_mutable = 1;
    attrs[1].name = speed;
    attrs[1].value = proto_number(5.0);
    attrs[1].is_mutable = 0;
    CHECK(proto_object_extend(thread, mover, attrs, i == ENTITIES - 1 ? 2 : 1, &entities[i]));
    CHECK(proto_cell_of(thread, entities[i], position, &cells[i]));
  }

  CHECK(proto_find(thread, entities[0], speed, &lookup));
  EXPECT(lookup.where == PROTO_WHERE_INHERITED && !lookup.is_mutable && lookup.value == proto_number(2.0));
  CHECK(proto_find(thread, entities[ENTITIES - 1], speed, &lookup));
  EXPECT(lookup.where == PROTO_WHERE_OWN && lookup.value == proto_number(5.0));
  CHECK(proto_find(thread, entities[0], position, &lookup));
  EXPECT(lookup.where == PROTO_WHERE_OWN && lookup.is_mutable && lookup.cell == cells[0]);

  /* Errors come back as statuses with a message. */
  EXPECT(proto_set(thread, entities[0], speed, proto_number(1.0)) == PROTO_E_NOT_MUTABLE);
  EXPECT(strlen(proto_last_error()) > 0);
  EXPECT(proto_object_extend(thread, proto_number(1.0), NULL, 0, &text) == PROTO_E_WRONG_KIND);

  for (frame = 0; frame < FRAMES; ++frame) {
    CHECK(proto_scope_open(thread, &depth));
    CHECK(proto_frame_begin(thread));
    for (i = 0; i < ENTITIES; ++i) {
      proto_value s, p;
      CHECK(proto_get(thread, entities[i], speed, &s));
      CHECK(proto_cell_load(thread, cells[i], &p));
      EXPECT(proto_is_number(s) && proto_is_number(p));
      CHECK(proto_cell_store(thread, cells[i], proto_number(proto_as_number(p) + proto_as_number(s))));
    }
    /* Garbage: temporaries that die with the scope. */
    text = label;
    for (k = 0; k < 64; ++k) {
      proto_value piece;
      CHECK(proto_string_from_utf8(thread, " frame", 6, &piece));
      CHECK(proto_string_concat(thread, text, piece, &text));
    }
    CHECK(proto_frame_end(thread, &record));
    CHECK(proto_scope_close(thread, depth));

    EXPECT(record.frame == (uint64_t)frame + 1);
    stall_sum = 0;
    for (k = 0; k < PROTO_STALL_KINDS; ++k) stall_sum += record.stall_ms[k];
    EXPECT(stall_sum <= record.gc_pause_ms + 1e-6 && stall_sum >= record.gc_pause_ms - 1e-6);
    EXPECT(record.longest_pause_ms <= record.gc_pause_ms + 1e-9);
    if (record.longest_pause_ms > max_pause) max_pause = record.longest_pause_ms;
    if (frame == FRAMES / 2) CHECK(proto_runtime_collect(rt)); /* the entities survive it */
  }

  for (i = 0; i < ENTITIES; ++i) {
    proto_value p;
    double expected = (i == ENTITIES - 1 ? 5.0 : 2.0) * FRAMES;
    CHECK(proto_get(thread, entities[i], position, &p));
    EXPECT(proto_is_number(p) && proto_as_number(p) == expected);
  }

  /* Strings: the name is inherited; slice and read it back. */
  CHECK(proto_get(thread, entities[1], name, &text));
  EXPECT(proto_reference_kind_of(text) == PROTO_REF_STRING);
  CHECK(proto_string_slice(thread, text, 0, 4, &text));
  CHECK(proto_string_length(text, &code_points, NULL));
  EXPECT(code_points == 4);
  CHECK(proto_string_to_utf8(text, buffer, sizeof buffer, &length));
  EXPECT(length == 4 && strcmp(buffer, "move") == 0);
  EXPECT(proto_string_to_utf8(text, buffer, 2, &length) == PROTO_E_BUFFER_TOO_SMALL && length == 4);

  CHECK(proto_runtime_gc_stats(rt, &stats));
  EXPECT(stats.cycles >= 1);
  printf("frame_loop: %d frames, %d entities, positions ok; %llu GC cycles, longest pause %.3f ms\n", FRAMES,
         ENTITIES, (unsigned long long)stats.cycles, max_pause);

  CHECK(proto_thread_detach(thread));
  CHECK(proto_runtime_destroy(rt));
  return 0;
}
