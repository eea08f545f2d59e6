// rope_trace.h — outgoing references of rope and tuple nodes (rope.h owns
// their layouts). No rope or tuple kinds are allocated yet, so there is
// nothing to visit.
#pragma once

#include <proto/internal/heap_object.h>

namespace proto::internal {

template <class Visit>
void forEachRopeReference(const HeapObject* h, Visit&& visit) {
  (void)h;
  (void)visit;
}

}  // namespace proto::internal
