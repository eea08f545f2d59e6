/* numeric_columns.c — numeric blocks as ECS columns, through the C ABI.
 *
 * Positions and velocities of N entities live in f64 blocks (plain C arrays
 * the collector never reads), an `alive` flag in a u8 block. Entities are
 * objects that inherit a `kind` from a prototype and hold their column index.
 * A frame integrates the columns; the result is checked (exit 1 on a
 * mismatch). */
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

#define COUNT 1000
#define FRAMES 100

int main(void) {
  proto_runtime* rt = NULL;
  proto_thread* thread = NULL;
  proto_numeric_block px, vx, alive;
  proto_symbol kind, index;
  proto_value base, entity, ids[8], tuple, back[8], slice;
  proto_attribute attr;
  size_t n = 0;
  double* x;
  double* v;
  unsigned char* a;
  int i, frame;

  CHECK(proto_runtime_create(NULL, &rt));
  CHECK(proto_thread_attach(rt, &thread));
  CHECK(proto_symbol_intern(rt, "kind", 4, &kind));
  CHECK(proto_symbol_intern(rt, "index", 5, &index));

  CHECK(proto_numeric_block_new(thread, PROTO_F64, COUNT, &px));
  CHECK(proto_numeric_block_new(thread, PROTO_F64, COUNT, &vx));
  CHECK(proto_numeric_block_new(thread, PROTO_U8, COUNT, &alive));
  EXPECT(px.count == COUNT && px.bytes == COUNT * sizeof(double) && alive.bytes == COUNT);
  x = (double*)px.data;
  v = (double*)vx.data;
  a = (unsigned char*)alive.data;
  for (i = 0; i < COUNT; ++i) EXPECT(x[i] == 0.0 && v[i] == 0.0 && a[i] == 0); /* zeroed */

  attr.name = kind;
  attr.value = proto_symbol_value(kind);
  attr.is_mutable = 0;
  CHECK(proto_object_new(thread, PROTO_NIL, &attr, 1, &base));
  for (i = 0; i < COUNT; ++i) {
    v[i] = (double)(i % 7);
    a[i] = (unsigned char)(i % 2 == 0);
  }
  /* A few entities as objects: each names its row of the columns. */
  for (i = 0; i < 8; ++i) {
    attr.name = index;
    attr.value = proto_int(i * 100);
    attr.is_mutable = 0;
    CHECK(proto_object_extend(thread, base, &attr, 1, &entity));
    ids[i] = entity;
  }
  CHECK(proto_tuple_new(thread, ids, 8, &tuple));

  for (frame = 0; frame < FRAMES; ++frame) {
    CHECK(proto_frame_begin(thread));
    for (i = 0; i < COUNT; ++i)
      if (a[i]) x[i] += v[i];
    CHECK(proto_safepoint(thread));
    CHECK(proto_frame_end(thread, NULL));
  }
  CHECK(proto_runtime_collect(rt)); /* the columns are untouched by a cycle */

  for (i = 0; i < COUNT; ++i) EXPECT(x[i] == (i % 2 == 0 ? (double)(i % 7) * FRAMES : 0.0));

  /* Read the rows back through the entity objects kept in the tuple. */
  CHECK(proto_tuple_length(tuple, &n));
  EXPECT(n == 8);
  CHECK(proto_tuple_to_values(tuple, back, 8, &n));
  for (i = 0; i < 8; ++i) {
    proto_value row, k;
    EXPECT(back[i] == ids[i]);
    CHECK(proto_get(thread, back[i], index, &row));
    CHECK(proto_get(thread, back[i], kind, &k));
    EXPECT(proto_is_int(row) && proto_as_int(row) == i * 100);
    EXPECT(proto_is_symbol(k) && proto_as_symbol(k) == kind);
    EXPECT(x[proto_as_int(row)] == (double)((i * 100) % 7) * FRAMES);
  }
  CHECK(proto_tuple_slice(thread, tuple, 2, 5, &slice));
  CHECK(proto_tuple_at(thread, slice, 0, &entity));
  EXPECT(entity == ids[2]);
  EXPECT(proto_tuple_at(thread, slice, 3, &entity) == PROTO_E_OUT_OF_RANGE);

  CHECK(proto_numeric_block_free(thread, &px));
  CHECK(proto_numeric_block_free(thread, &vx));
  CHECK(proto_numeric_block_free(thread, &alive));
  EXPECT(px.data == NULL);
  printf("numeric_columns: %d rows x %d frames ok\n", COUNT, FRAMES);
  CHECK(proto_thread_detach(thread));
  CHECK(proto_runtime_destroy(rt));
  return 0;
}
