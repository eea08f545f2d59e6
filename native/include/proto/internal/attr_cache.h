// proto/internal/attr_cache.h — the per-thread attribute cache.
//
// Invariant 2 (cache validity; docs/architecture.md): an entry maps (object address, symbol) to the
// slot value that a full walk of the object's prototype chain finds — own or
// inherited at any depth, or "missing". Objects are immutable, so an entry
// stays right for the object's whole life. Addresses are reused only after
// the sweeper frees an object, and every thread clears its cache in the GC
// handshake that precedes each sweep (by bumping `epoch`, O(1)); so a freed
// address never produces a stale hit.
//
// Only the owning thread touches its cache; the collector clears it on the
// thread's behalf only while the thread is outside the runtime.
#pragma once

#include <cstdint>
#include <cstring>

namespace proto::internal {

struct ObjectData;

class AttrCache {
 public:
  static constexpr std::uint32_t kEntries = 2048;  // 48 KiB: fits L2, hot lines stay in L1

  struct Entry {
    const ObjectData* object;
    std::uint32_t symbol;
    std::uint32_t epoch;
    std::uint64_t value;  // Value bits: the slot value, a cell address, or missing
  };

  AttrCache() noexcept { std::memset(entries_, 0, sizeof(entries_)); }

  static std::uint32_t indexOf(const ObjectData* object, std::uint32_t symbol) noexcept {
    auto a = static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(object) >> 4);
    return (a ^ (symbol * 0x9E3779B1u) ^ (a >> 11)) & (kEntries - 1);
  }

  // The slot value bits on a hit; false on a miss.
  bool probe(const ObjectData* object, std::uint32_t symbol, std::uint64_t& value) const noexcept {
    const Entry& e = entries_[indexOf(object, symbol)];
    if (e.object == object && e.symbol == symbol && e.epoch == epoch_) {
      value = e.value;
      return true;
    }
    return false;
  }

  void fill(const ObjectData* object, std::uint32_t symbol, std::uint64_t value) noexcept {
    entries_[indexOf(object, symbol)] = Entry{object, symbol, epoch_, value};
  }

  // O(1) invalidation: entries of older epochs never hit. On wrap-around the
  // table is wiped so that a very old entry cannot come back to life.
  void clear() noexcept {
    if (++epoch_ == 0) {
      std::memset(entries_, 0, sizeof(entries_));
      epoch_ = 1;
    }
  }

  std::uint32_t epoch() const noexcept { return epoch_; }

 private:
  std::uint32_t epoch_ = 1;
  Entry entries_[kEntries];
};

}  // namespace proto::internal
