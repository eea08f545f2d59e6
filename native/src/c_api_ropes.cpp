// c_api_ropes.cpp — the C ABI's strings and tuples (proto/proto.h): ropes in from UTF-8,
// UTF-16 or values, out into caller buffers (PROTO_E_BUFFER_TOO_SMALL with the size
// needed), and the O(log N) operations of proto/rope.h. Every reference handed back is
// rooted in the calling thread's innermost scope.
#define PROTO_C_API_BUILD 1
#include <optional>
#include <string_view>

#include "c_api_support.h"

using namespace proto_capi;

namespace {

using TupleEdit = proto::Local<proto::Tuple> (*)(proto::Thread&, const proto::Tuple*, Value);
using TupleTrim = proto::Local<proto::Tuple> (*)(proto::Thread&, const proto::Tuple*);

proto_status pushed(proto_thread* t, proto_value tv, proto_value value, proto_value* out, TupleEdit edit) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = localBits(edit(thread, tuple(tv), Value::fromBits(value)));
    return PROTO_OK;
  });
}

proto_status popped(proto_thread* t, proto_value tv, proto_value* out, TupleTrim trim) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = localBits(trim(thread, tuple(tv)));
    return PROTO_OK;
  });
}

}  // namespace

extern "C" {

// ---- strings ------------------------------------------------------------------------

proto_status proto_string_from_utf8(proto_thread* t, const char* utf8, size_t length, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    if (length > 0) need(utf8, "utf8 (with length > 0)");
    *out = localBits(proto::strings::fromUtf8(thread, std::string_view(length > 0 ? utf8 : "", length)));
    return PROTO_OK;
  });
}

proto_status proto_string_to_utf8(proto_value s, char* buffer, size_t capacity, size_t* length_out) {
  return guard([&] {
    need(length_out, "length_out");
    const proto::String* str = string(s);
    size_t bytes = proto::strings::byteLength(str);
    *length_out = bytes;
    if (!buffer || capacity < bytes + 1)
      return fail(PROTO_E_BUFFER_TOO_SMALL,
                  ("proto_string_to_utf8: the string needs " + std::to_string(bytes + 1) +
                   " bytes with its NUL, the buffer has " + std::to_string(buffer ? capacity : 0))
                      .c_str());
    size_t at = 0;
    proto::strings::forEachChunk(str, [&](std::string_view chunk) {
      std::memcpy(buffer + at, chunk.data(), chunk.size());
      at += chunk.size();
    });
    buffer[at] = '\0';
    return PROTO_OK;
  });
}

proto_status proto_string_length(proto_value s, size_t* code_points_out, size_t* bytes_out) {
  return guard([&] {
    proto::strings::Lengths l = proto::strings::lengths(string(s));
    if (code_points_out) *code_points_out = l.codePoints;
    if (bytes_out) *bytes_out = l.bytes;
    return PROTO_OK;
  });
}

proto_status proto_string_concat(proto_thread* t, proto_value a, proto_value b, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = localBits(proto::strings::concat(thread, string(a), string(b)));
    return PROTO_OK;
  });
}

proto_status proto_string_slice(proto_thread* t, proto_value s, size_t begin, size_t end, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = localBits(proto::strings::slice(thread, string(s), begin, end));
    return PROTO_OK;
  });
}

proto_status proto_string_insert(proto_thread* t, proto_value s, size_t at, proto_value text,
                                 proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = localBits(proto::strings::insert(thread, string(s), at, string(text)));
    return PROTO_OK;
  });
}

proto_status proto_string_erase(proto_thread* t, proto_value s, size_t begin, size_t end, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = localBits(proto::strings::erase(thread, string(s), begin, end));
    return PROTO_OK;
  });
}

proto_status proto_string_find(proto_value s, proto_value needle, size_t from, size_t* index_out) {
  return guard([&] {
    need(index_out, "index_out");
    std::optional<std::size_t> at = proto::strings::find(string(s), string(needle), from);
    *index_out = at ? *at : PROTO_NOT_FOUND;
    return PROTO_OK;
  });
}

proto_status proto_string_from_utf16(proto_thread* t, const uint16_t* utf16, size_t length,
                                     proto_value* out) {
  static_assert(sizeof(char16_t) == sizeof(uint16_t) && alignof(char16_t) == alignof(uint16_t));
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    if (length > 0) need(utf16, "utf16 (with length > 0)");
    std::u16string_view units(length > 0 ? reinterpret_cast<const char16_t*>(utf16) : u"", length);
    *out = localBits(proto::strings::fromUtf16(thread, units));
    return PROTO_OK;
  });
}

proto_status proto_string_to_utf16(proto_value s, uint16_t* buffer, size_t capacity, size_t* length_out) {
  return guard([&] {
    need(length_out, "length_out");
    const proto::String* str = string(s);
    size_t units = proto::strings::utf16Length(str);
    *length_out = units;
    if (units > 0 && (!buffer || capacity < units))
      return fail(PROTO_E_BUFFER_TOO_SMALL,
                  ("proto_string_to_utf16: the string needs " + std::to_string(units) +
                   " UTF-16 units, the buffer has " + std::to_string(buffer ? capacity : 0))
                      .c_str());
    std::u16string text = proto::strings::toUtf16(str);
    if (units > 0) std::memcpy(buffer, text.data(), units * sizeof(uint16_t));
    return PROTO_OK;
  });
}

proto_status proto_string_utf16_length(proto_value s, size_t* units_out) {
  return guard([&] {
    need(units_out, "units_out");
    *units_out = proto::strings::utf16Length(string(s));
    return PROTO_OK;
  });
}

// ---- tuples -------------------------------------------------------------------------

proto_status proto_tuple_new(proto_thread* t, const proto_value* values, size_t count, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    if (count > 0) need(values, "values (with count > 0)");
    static_assert(sizeof(Value) == sizeof(proto_value) && alignof(Value) == alignof(proto_value));
    std::vector<Value> vs(count);
    for (size_t i = 0; i < count; ++i) vs[i] = Value::fromBits(values[i]);
    *out = localBits(proto::tuples::fromValues(thread, std::span<const Value>(vs)));
    return PROTO_OK;
  });
}

proto_status proto_tuple_to_values(proto_value tv, proto_value* buffer, size_t capacity, size_t* count_out) {
  return guard([&] {
    need(count_out, "count_out");
    const proto::Tuple* tup = tuple(tv);
    size_t n = proto::tuples::size(tup);
    *count_out = n;
    if (n > 0 && (!buffer || capacity < n))
      return fail(PROTO_E_BUFFER_TOO_SMALL,
                  ("proto_tuple_to_values: the tuple holds " + std::to_string(n) +
                   " values, the buffer has room for " + std::to_string(buffer ? capacity : 0))
                      .c_str());
    size_t at = 0;
    proto::tuples::forEach(tup, [&](Value v) { buffer[at++] = v.bits(); });
    return PROTO_OK;
  });
}

proto_status proto_tuple_length(proto_value tv, size_t* count_out) {
  return guard([&] {
    need(count_out, "count_out");
    *count_out = proto::tuples::size(tuple(tv));
    return PROTO_OK;
  });
}

proto_status proto_tuple_at(proto_thread* t, proto_value tv, size_t index, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = rooted(thread, proto::tuples::at(tuple(tv), index));
    return PROTO_OK;
  });
}

proto_status proto_tuple_concat(proto_thread* t, proto_value a, proto_value b, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = localBits(proto::tuples::concat(thread, tuple(a), tuple(b)));
    return PROTO_OK;
  });
}

proto_status proto_tuple_slice(proto_thread* t, proto_value tv, size_t begin, size_t end, proto_value* out) {
  return guard([&] {
    proto::Thread& thread = use(t);
    need(out, "out");
    *out = localBits(proto::tuples::slice(thread, tuple(tv), begin, end));
    return PROTO_OK;
  });
}

proto_status proto_tuple_push_back(proto_thread* t, proto_value tv, proto_value value, proto_value* out) {
  return pushed(t, tv, value, out, &proto::tuples::pushBack);
}

proto_status proto_tuple_push_front(proto_thread* t, proto_value tv, proto_value value, proto_value* out) {
  return pushed(t, tv, value, out, &proto::tuples::pushFront);
}

proto_status proto_tuple_pop_back(proto_thread* t, proto_value tv, proto_value* out) {
  return popped(t, tv, out, &proto::tuples::popBack);
}

proto_status proto_tuple_pop_front(proto_thread* t, proto_value tv, proto_value* out) {
  return popped(t, tv, out, &proto::tuples::popFront);
}

}  // extern "C"
