// rope_trace.h — outgoing references of rope and tuple nodes, for trace.h
// (rope.h owns their layouts and the walk itself).
#pragma once

#include <proto/internal/heap_object.h>

#include "rope.h"

namespace proto::internal {

// Inner rope nodes: every child. Tuple nodes: every child, or a deque root's
// front, middle and back. Tuple leaves: every value that is a reference.
template <class Visit>
void forEachRopeReference(const HeapObject* h, Visit&& visit) {
  forEachRopeNodeReference(h, visit);
}

}  // namespace proto::internal
