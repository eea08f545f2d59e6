// proto/value.h — the 64-bit value every slot, cell and tuple element holds.
//
// Representation (NaN-boxing). A double is stored as its own IEEE-754 bits;
// every NaN is canonicalised to 0x7FF8'0000'0000'0000 on the way in. That
// leaves all bit patterns whose top 16 bits are 0xFFF9..0xFFFF free, and the
// other kinds live there, the tag in the top 16 bits, the payload below:
//
//   0xFFF9  int32      payload = the integer (low 32 bits)
//   0xFFFA  special    payload 0 = nil, 2 = false, 3 = true, 4 = missing
//   0xFFFB  symbol     payload = interned symbol id (low 32 bits)
//   0xFFFC  reference  payload = 48-bit address of a heap object
//   0xFFFD  cell       payload = 48-bit address of a value cell (internal:
//                      only object slots of mutable attributes hold these)
//
// So a JS number becomes a Value with no allocation, and a value can be
// compared, hashed and copied as a plain integer. `missing` is a marker that
// lookups return; it is never stored.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>

namespace proto {

// The representation above assumes IEEE-754 doubles and addresses that fit
// the 48-bit payload: any 32-bit target (wasm32) does, and 64-bit targets
// hand user space at most 48 bits (checked where pages are mapped).
static_assert(sizeof(double) == 8 && std::numeric_limits<double>::is_iec559,
              "NaN-boxing needs 64-bit IEEE-754 doubles");
static_assert(sizeof(std::uintptr_t) == 4 || sizeof(std::uintptr_t) == 8,
              "a Value payload holds a 32- or 64-bit address (48 bits used)");

namespace internal {
// std::bit_cast where the standard library has it; the compiler builtin it is
// made of where it does not (emscripten 3.1.6's libc++).
template <class To, class From>
constexpr To bitCast(const From& from) noexcept {
#if defined(__cpp_lib_bit_cast)
  return std::bit_cast<To>(from);
#else
  return __builtin_bit_cast(To, from);
#endif
}
struct HeapObject;
}  // namespace internal

// An interned name. Ids are dense, start at 1 and are never reused within a
// runtime; 0 is "no symbol". Obtain one from Runtime::symbol().
struct Symbol {
  std::uint32_t id = 0;
  constexpr bool valid() const noexcept { return id != 0; }
  friend constexpr bool operator==(Symbol, Symbol) = default;
};

enum class ValueKind : std::uint8_t { kNumber, kInt, kNil, kBool, kMissing, kSymbol, kReference, kCell };

const char* valueKindName(ValueKind kind) noexcept;

class Value {
 public:
  static constexpr std::uint64_t kCanonicalNaN = 0x7FF8'0000'0000'0000ull;
  static constexpr std::uint64_t kTagShift = 48;
  static constexpr std::uint64_t kPayloadMask = (1ull << kTagShift) - 1;
  static constexpr std::uint64_t kTagInt = 0xFFF9, kTagSpecial = 0xFFFA, kTagSymbol = 0xFFFB,
                                 kTagRef = 0xFFFC, kTagCell = 0xFFFD;

  constexpr Value() noexcept : bits_(tagged(kTagSpecial, 0)) {}  // nil

  static constexpr Value number(double d) noexcept {
    return Value(d != d ? kCanonicalNaN : internal::bitCast<std::uint64_t>(d));
  }
  static constexpr Value integer(std::int32_t i) noexcept {
    return Value(tagged(kTagInt, static_cast<std::uint32_t>(i)));
  }
  static constexpr Value nil() noexcept { return Value(tagged(kTagSpecial, 0)); }
  static constexpr Value boolean(bool b) noexcept { return Value(tagged(kTagSpecial, b ? 3 : 2)); }
  static constexpr Value missing() noexcept { return Value(tagged(kTagSpecial, 4)); }
  static constexpr Value symbol(Symbol s) noexcept { return Value(tagged(kTagSymbol, s.id)); }
  static Value reference(const internal::HeapObject* object) noexcept {
    return Value(tagged(kTagRef, reinterpret_cast<std::uintptr_t>(object)));
  }
  static constexpr Value fromBits(std::uint64_t bits) noexcept { return Value(bits); }

  constexpr std::uint64_t bits() const noexcept { return bits_; }
  constexpr std::uint64_t tag() const noexcept { return bits_ >> kTagShift; }

  constexpr bool isNumber() const noexcept { return tag() < kTagInt; }
  constexpr bool isInt() const noexcept { return tag() == kTagInt; }
  // A double or an int: anything toDouble() accepts.
  constexpr bool isNumeric() const noexcept { return tag() <= kTagInt; }
  constexpr bool isNil() const noexcept { return bits_ == nil().bits_; }
  constexpr bool isBool() const noexcept { return (bits_ | 1) == boolean(true).bits_; }
  constexpr bool isMissing() const noexcept { return bits_ == missing().bits_; }
  constexpr bool isSymbol() const noexcept { return tag() == kTagSymbol; }
  constexpr bool isReference() const noexcept { return tag() == kTagRef; }
  constexpr bool isCell() const noexcept { return tag() == kTagCell; }

  ValueKind kind() const noexcept;

  // Unchecked accessors: the caller has tested the kind. The checked forms in
  // proto/runtime.h (proto::toNumber and friends) throw kWrongKind instead.
  constexpr double asNumberUnchecked() const noexcept { return internal::bitCast<double>(bits_); }
  constexpr std::int32_t asIntUnchecked() const noexcept {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(bits_));
  }
  constexpr double toDoubleUnchecked() const noexcept {
    return isInt() ? static_cast<double>(asIntUnchecked()) : asNumberUnchecked();
  }
  constexpr bool asBoolUnchecked() const noexcept { return (bits_ & 1) != 0; }
  constexpr Symbol asSymbolUnchecked() const noexcept { return Symbol{static_cast<std::uint32_t>(bits_)}; }
  internal::HeapObject* asReferenceUnchecked() const noexcept {
    return reinterpret_cast<internal::HeapObject*>(static_cast<std::uintptr_t>(bits_ & kPayloadMask));
  }
  void* asCellAddressUnchecked() const noexcept {
    return reinterpret_cast<void*>(static_cast<std::uintptr_t>(bits_ & kPayloadMask));
  }

  friend constexpr bool operator==(Value a, Value b) noexcept { return a.bits_ == b.bits_; }

 private:
  friend class Runtime;
  static constexpr std::uint64_t tagged(std::uint64_t tag, std::uint64_t payload) noexcept {
    return (tag << kTagShift) | payload;
  }
  static Value cellAddress(const void* cell) noexcept {
    return Value(tagged(kTagCell, reinterpret_cast<std::uintptr_t>(cell)));
  }
  explicit constexpr Value(std::uint64_t bits) noexcept : bits_(bits) {}
  std::uint64_t bits_;

  friend struct ValueAccess;
};

// Internal constructor access for the runtime's own files.
struct ValueAccess {
  static Value cell(const void* address) noexcept { return Value::cellAddress(address); }
};

}  // namespace proto
