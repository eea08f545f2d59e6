// trace.h — the one place that knows every heap object kind's outgoing
// references. The marker, the verifier and the sweeper's finalizer use it;
// a new object kind adds its case here.
#pragma once

#include <proto/internal/heap_object.h>
#include <proto/value.h>

#include <atomic>

#include "cells.h"
#include "rope_trace.h"

namespace proto::internal {

// Calls visit(HeapObject*) for each reference the object holds, including
// the current contents of its mutable attributes' cells.
template <class Visit>
void forEachReference(const HeapObject* h, Visit&& visit) {
  auto visitBits = [&](std::uint64_t bits) {
    Value v = Value::fromBits(bits);
    if (v.isReference()) visit(v.asReferenceUnchecked());
  };
  switch (h->kind) {
    case ObjectKind::kObject: {
      auto* o = reinterpret_cast<const ObjectData*>(h);
      if (o->parent) visit(&o->parent->header);
      for (std::uint32_t i = 0; i < o->count; ++i) {
        Value v = Value::fromBits(o->entries[i].value);
        if (v.isCell())
          visitBits(static_cast<CellWord*>(v.asCellAddressUnchecked())->load(std::memory_order_acquire));
        else
          visitBits(v.bits());
      }
      break;
    }
    case ObjectKind::kFree:
    case ObjectKind::kRopeLeaf:
      break;
    case ObjectKind::kRopeNode:
    case ObjectKind::kTupleLeaf:
    case ObjectKind::kTupleNode:
      forEachRopeReference(h, visit);
      break;
  }
}

// Calls f(CellWord*) for each value cell the object owns.
template <class F>
void forEachOwnedCell(const HeapObject* h, F&& f) {
  if (h->kind != ObjectKind::kObject) return;
  auto* o = reinterpret_cast<const ObjectData*>(h);
  for (std::uint32_t i = 0; i < o->count; ++i) {
    Value v = Value::fromBits(o->entries[i].value);
    if (v.isCell()) f(static_cast<CellWord*>(v.asCellAddressUnchecked()));
  }
}

}  // namespace proto::internal
