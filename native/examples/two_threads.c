/* two_threads.c — two OS threads share one runtime through the C ABI.
 *
 * The main thread makes a `counter` prototype with a mutable `count` and
 * shares it through a persistent. Each worker attaches, reads the prototype
 * from the persistent, derives an entity of its own (published back through
 * a persistent), allocates garbage and bumps the shared count with
 * compare-exchange. The main thread leaves the runtime while it joins the
 * workers, then checks every result (exit 1 on a mismatch). */
#define _POSIX_C_SOURCE 200809L
#include <proto/proto.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define WORKERS 2
#define INCREMENTS 5000

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

typedef struct worker {
  proto_runtime* rt;
  proto_persistent* prototype; /* shared, read-only for the workers */
  proto_persistent* entity;    /* made by the worker */
  proto_symbol count, id;
  int index;
  int retries;
  int result;
} worker;

static int work(worker* w) {
  proto_thread* thread = NULL;
  proto_value proto_obj, entity, garbage, expected, own;
  proto_cell shared;
  proto_attribute attr;
  size_t depth;
  int i, swapped;

  CHECK(proto_thread_attach(w->rt, &thread));
  CHECK(proto_persistent_get(thread, w->prototype, &proto_obj));
  attr.name = w->id;
  attr.value = proto_int(w->index);
  attr.is_mutable = 0;
  CHECK(proto_object_extend(thread, proto_obj, &attr, 1, &entity));
  CHECK(proto_persistent_new(thread, entity, &w->entity));
  /* `count` is inherited: both workers reach the prototype's one cell. */
  CHECK(proto_cell_of(thread, entity, w->count, &shared));

  for (i = 0; i < INCREMENTS; ++i) {
    CHECK(proto_scope_open(thread, &depth));
    CHECK(proto_tuple_new(thread, &entity, 1, &garbage)); /* something for the collector */
    CHECK(proto_cell_load(thread, shared, &expected));
    for (;;) {
      proto_value desired;
      EXPECT(proto_is_int(expected));
      desired = proto_int(proto_as_int(expected) + 1);
      CHECK(proto_cell_compare_exchange(thread, shared, &expected, desired, &swapped));
      if (swapped) break;
      ++w->retries;
    }
    CHECK(proto_scope_close(thread, depth));
  }
  CHECK(proto_get(thread, entity, w->id, &own));
  EXPECT(own == proto_int(w->index));
  CHECK(proto_thread_detach(thread));
  return 0;
}

static void* run(void* arg) {
  worker* w = (worker*)arg;
  w->result = work(w);
  return NULL;
}

int main(void) {
  proto_runtime_options options;
  proto_runtime* rt = NULL;
  proto_thread* thread = NULL;
  proto_persistent* shared = NULL;
  proto_symbol count, id;
  proto_value counter, value;
  proto_attribute attr;
  proto_gc_stats stats;
  pthread_t threads[WORKERS];
  worker workers[WORKERS];
  int i, retries = 0;

  proto_runtime_options_init(&options);
  options.gc_trigger_bytes = (size_t)256 << 10; /* collect often while the workers run */
  CHECK(proto_runtime_create(&options, &rt));
  CHECK(proto_thread_attach(rt, &thread));
  CHECK(proto_symbol_intern(rt, "count", 5, &count));
  CHECK(proto_symbol_intern(rt, "id", 2, &id));
  attr.name = count;
  attr.value = proto_int(0);
  attr.is_mutable = 1;
  CHECK(proto_object_new(thread, PROTO_NIL, &attr, 1, &counter));
  CHECK(proto_persistent_new(thread, counter, &shared));

  /* Joining blocks: leave the runtime so that collections never wait for us. */
  CHECK(proto_thread_leave(thread));
  EXPECT(proto_get(thread, counter, count, &value) == PROTO_E_NOT_ATTACHED);
  for (i = 0; i < WORKERS; ++i) {
    memset(&workers[i], 0, sizeof workers[i]);
    workers[i].rt = rt;
    workers[i].prototype = shared;
    workers[i].count = count;
    workers[i].id = id;
    workers[i].index = i + 1;
    workers[i].result = 1;
    EXPECT(pthread_create(&threads[i], NULL, run, &workers[i]) == 0);
  }
  for (i = 0; i < WORKERS; ++i) EXPECT(pthread_join(threads[i], NULL) == 0);
  CHECK(proto_thread_enter(thread));

  for (i = 0; i < WORKERS; ++i) EXPECT(workers[i].result == 0);
  CHECK(proto_runtime_collect(rt));
  CHECK(proto_get(thread, counter, count, &value));
  EXPECT(value == proto_int(WORKERS * INCREMENTS));
  for (i = 0; i < WORKERS; ++i) {
    proto_value entity, own, inherited;
    CHECK(proto_persistent_get(thread, workers[i].entity, &entity));
    CHECK(proto_get(thread, entity, id, &own));
    CHECK(proto_get(thread, entity, count, &inherited));
    EXPECT(own == proto_int(i + 1) && inherited == value);
    CHECK(proto_persistent_release(workers[i].entity));
    retries += workers[i].retries;
  }
  /* The runtime refuses to go while a persistent or a thread holds on. */
  EXPECT(proto_runtime_destroy(rt) == PROTO_E_INVALID_ARGUMENT);
  CHECK(proto_persistent_release(shared));
  CHECK(proto_runtime_gc_stats(rt, &stats));
  printf("two_threads: count %d after %d CAS retries; %llu GC cycles\n", proto_as_int(value), retries,
         (unsigned long long)stats.cycles);
  CHECK(proto_thread_detach(thread));
  CHECK(proto_runtime_destroy(rt));
  return 0;
}
