// object.cpp — prototype objects: creation, lookup (the walk behind the
// attribute cache), mutable attributes and `with`.
#include <proto/runtime.h>

#include <algorithm>
#include <string>
#include <vector>

#include "runtime_state.h"

namespace proto {

using internal::AttrEntry;
using internal::HeapObject;
using internal::ObjectData;
using internal::ObjectKind;

namespace {

void checkObject(const ObjectData* d, const char* what) {
  if (!d) throw Error(ErrorCode::kInvalidArgument, std::string(what) + " is null");
  if (d->header.kind != ObjectKind::kObject)
    throw Error(ErrorCode::kWrongKind, std::string(what) + " is not a prototype object");
}

void checkSymbol(internal::RuntimeState& rt, Symbol s) {
  if (s.id == 0 || s.id > rt.symbols.size())
    throw Error(ErrorCode::kUnknownSymbol,
                "symbol id " + std::to_string(s.id) + " was not interned by this runtime");
}

void checkAttributeValue(Value v, internal::RuntimeState& rt, Symbol name) {
  if (v.isMissing() || v.isCell())
    throw Error(ErrorCode::kInvalidArgument, "attribute '" + *rt.symbols.name(name) +
                                                 "': a missing marker or cell address cannot be stored");
  if (v.isReference() && !rt.heap.isObjectAddress(v.asReferenceUnchecked()))
    throw Error(ErrorCode::kInvalidArgument,
                "attribute '" + *rt.symbols.name(name) +
                    "' refers to something that is not a live object of this heap");
}

}  // namespace

Local<Object> Thread::newObject(const Object* parent, std::span<const Attribute> attributes) {
  checkOwner();
  internal::RuntimeState& rt = state_->runtime;
  const ObjectData* p = internal::data(parent);
  if (p) {
    if (!rt.heap.isObjectAddress(p))
      throw Error(ErrorCode::kInvalidArgument, "parent is not a live object of this runtime's heap");
    checkObject(p, "parent");
  }
  if (attributes.size() > (1u << 24))
    throw Error(ErrorCode::kOutOfRange, "an object can have at most 2^24 attributes");
  // Sort by symbol id; small lists (the common case) stay on the stack.
  constexpr std::size_t kInline = 16;
  Attribute inlineBuf[kInline];
  std::vector<Attribute> heapBuf;
  Attribute* sorted = inlineBuf;
  if (attributes.size() > kInline) {
    heapBuf.assign(attributes.begin(), attributes.end());
    sorted = heapBuf.data();
  } else {
    std::copy(attributes.begin(), attributes.end(), inlineBuf);
  }
  const std::size_t n = attributes.size();
  for (std::size_t i = 0; i < n; ++i) {
    checkSymbol(rt, sorted[i].name);
    checkAttributeValue(sorted[i].value, rt, sorted[i].name);
  }
  if (n > kInline) {
    std::sort(sorted, sorted + n,
              [](const Attribute& a, const Attribute& b) { return a.name.id < b.name.id; });
  } else {
    for (std::size_t i = 1; i < n; ++i)  // insertion sort: a handful of entries
      for (std::size_t j = i; j > 0 && sorted[j].name.id < sorted[j - 1].name.id; --j)
        std::swap(sorted[j], sorted[j - 1]);
  }
  for (std::size_t i = 1; i < n; ++i)
    if (sorted[i - 1].name == sorted[i].name)
      throw Error(ErrorCode::kInvalidArgument,
                  "attribute '" + *rt.symbols.name(sorted[i].name) + "' given twice");

  auto count = static_cast<std::uint32_t>(n);
  std::uint32_t bytes = ObjectData::bytesFor(count);
  ObjectData* d;
  {
    // From here on a collection may run (the safepoint, the cell batch, the
    // allocation at the heap limit). What the new object will refer to may be
    // held only in C++ storage the collector cannot see — with() copies
    // cells — so it goes on the handle stack first (invariant 10).
    // The handle stack's top is restored on the way out (the owner was
    // checked above, so this is HandleScope without its check).
    struct Roots {
      internal::ThreadState& t;
      std::size_t mark = t.handleTop;
      ~Roots() {
        PROTO_ASSERT(t.handleTop >= mark, "a HandleScope opened inside newObject outlived it (invariant 16)");
        t.handleTop = mark;
      }
    } roots{*state_};
    if (p) state_->pushHandle(&const_cast<ObjectData*>(p)->header);
    std::size_t mutableCount = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (sorted[i].value.isReference()) state_->pushHandle(sorted[i].value.asReferenceUnchecked());
      mutableCount += sorted[i].isMutable;
    }
    safepoint();
    // Cells first: if the cell table is exhausted nothing is half-built.
    state_->reserveCells(mutableCount);
    d = static_cast<ObjectData*>(state_->allocate(bytes, ObjectKind::kObject));
    d->parent = const_cast<ObjectData*>(p);
    d->count = count;
    d->reserved = 0;
    for (std::uint32_t i = 0; i < count; ++i) {
      const Attribute& a = sorted[i];
      AttrEntry& e = d->entries[i];
      e.symbol = a.name.id;
      e.flags = a.isMutable ? internal::kAttrMutable : 0;
      if (a.isMutable) {
        internal::CellWord* c = state_->takeCell();
        c->store(a.value.bits(), std::memory_order_relaxed);
        e.value = ValueAccess::cell(c).bits();
      } else {
        e.value = a.value.bits();
      }
    }
    if (barrier_) {
      // Black allocation skips tracing this object, so shade what it holds.
      if (p) state_->shade(&const_cast<ObjectData*>(p)->header);
      for (std::size_t i = 0; i < n; ++i) state_->shadeValue(sorted[i].value.bits());
    }
  }
  return pushLocal(&d->header);
}

std::uint64_t Thread::resolveSlot(ObjectData* object, Symbol name) {
  checkOwner();
  checkObject(object, "object");
  checkSymbol(state_->runtime, name);
  std::uint64_t slot = Value::missing().bits();
  for (const ObjectData* o = object; o; o = o->parent) {
    if (const AttrEntry* e = o->findOwn(name.id)) {
      slot = e->value;
      break;
    }
  }
  if (cacheEnabled_) cache_.fill(object, name.id, slot);
  return slot;
}

Lookup Thread::find(const Object* object, Symbol name) {
  checkOwner();
  ObjectData* d = internal::data(object);
  checkObject(d, "object");
  checkSymbol(state_->runtime, name);
  Lookup r;
  for (const ObjectData* o = d; o; o = o->parent) {
    if (const AttrEntry* e = o->findOwn(name.id)) {
      r.where = o == d ? Lookup::Where::kOwn : Lookup::Where::kInherited;
      Value v = Value::fromBits(e->value);
      r.isMutable = v.isCell();
      if (r.isMutable) {
        r.cell = Cell(static_cast<internal::CellWord*>(v.asCellAddressUnchecked()));
        r.value = r.cell.load();
      } else {
        r.value = v;
      }
      break;
    }
  }
  return r;
}

Cell Thread::cellOf(const Object* object, Symbol name) {
  Lookup r = find(object, name);
  const std::string& n = *state_->runtime.symbols.name(name);
  if (r.where == Lookup::Where::kMissing) throw Error(ErrorCode::kMissing, "no attribute '" + n + "'");
  if (!r.isMutable) throw Error(ErrorCode::kNotMutable, "attribute '" + n + "' is immutable");
  return r.cell;
}

void Thread::set(const Object* object, Symbol name, Value value) {
  checkStorable(value, "Thread::set");
  store(cellOf(object, name), value);
}

// The copy reads the current values of mutable attributes into `attrs`, which
// the collector cannot see; newObject roots them before it can collect, and
// nothing between the reads and that point is a safepoint.
Local<Object> Thread::with(const Object* object, Symbol name, Value value) {
  checkOwner();
  ObjectData* d = internal::data(object);
  checkObject(d, "object");
  checkSymbol(state_->runtime, name);
  std::vector<Attribute> attrs;
  attrs.reserve(d->count + 1);
  bool replaced = false;
  for (std::uint32_t i = 0; i < d->count; ++i) {
    const AttrEntry& e = d->entries[i];
    Value v = Value::fromBits(e.value);
    bool isMutable = v.isCell();
    if (isMutable) v = Cell(static_cast<internal::CellWord*>(v.asCellAddressUnchecked())).load();
    if (e.symbol == name.id) {
      v = value;
      replaced = true;
    }
    attrs.push_back(Attribute{Symbol{e.symbol}, v, isMutable});
  }
  if (!replaced) attrs.push_back(Attribute{name, value, false});
  return newObject(internal::object(d->parent), attrs);
}

const Object* Thread::parent(const Object* object) const {
  const ObjectData* d = internal::data(object);
  checkObject(d, "object");
  return internal::object(d->parent);
}

std::size_t Thread::ownAttributeCount(const Object* object) const {
  const ObjectData* d = internal::data(object);
  checkObject(d, "object");
  return d->count;
}

std::vector<Symbol> Thread::ownAttributeNames(const Object* object) const {
  const ObjectData* d = internal::data(object);
  checkObject(d, "object");
  std::vector<Symbol> out;
  out.reserve(d->count);
  for (std::uint32_t i = 0; i < d->count; ++i) out.push_back(Symbol{d->entries[i].symbol});
  return out;
}

}  // namespace proto
