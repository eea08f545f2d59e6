/* main.c — a C consumer of the installed package (proto/proto.h only).
 * Prints "c ok <version>". */
#include <proto/proto.h>
#include <stdio.h>

int main(void) {
  proto_runtime* rt = NULL;
  proto_thread* thread = NULL;
  proto_symbol speed = 0;
  proto_attribute attr;
  proto_value base, entity, value = PROTO_NIL;
  if (proto_abi_version() != PROTO_ABI_VERSION) return 1;
  if (proto_runtime_create(NULL, &rt) != PROTO_OK) return 1;
  if (proto_thread_attach(rt, &thread) != PROTO_OK) return 1;
  if (proto_symbol_intern(rt, "speed", 5, &speed) != PROTO_OK) return 1;
  attr.name = speed;
  attr.value = proto_number(2.5);
  attr.is_mutable = 0;
  if (proto_object_new(thread, PROTO_NIL, &attr, 1, &base) != PROTO_OK) return 1;
  if (proto_object_extend(thread, base, NULL, 0, &entity) != PROTO_OK) return 1;
  if (proto_get(thread, entity, speed, &value) != PROTO_OK || proto_to_double(value) != 2.5) return 1;
  if (proto_thread_detach(thread) != PROTO_OK || proto_runtime_destroy(rt) != PROTO_OK) return 1;
  printf("c ok %s\n", proto_version());
  return 0;
}
