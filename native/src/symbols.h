// symbols.h — the runtime's symbol table (owner of interned names).
//
// Interning takes a mutex (it is not on any hot path: names are resolved
// once, then symbols are compared as integers). Reading a name by id takes
// no lock: names live in fixed chunks published with release stores and
// never move or change.
#pragma once

#include <proto/value.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace proto::internal {

class SymbolTable {
 public:
  SymbolTable();
  ~SymbolTable();
  Symbol intern(std::string_view name);
  // nullptr for ids never handed out.
  const std::string* name(Symbol symbol) const noexcept;
  std::uint32_t size() const noexcept { return count_.load(std::memory_order_acquire); }

 private:
  static constexpr std::uint32_t kChunkBits = 12;
  static constexpr std::uint32_t kChunkSize = 1u << kChunkBits;
  static constexpr std::uint32_t kMaxChunks = 4096;  // 16M symbols

  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::mutex mutex_;
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> ids_;
  std::atomic<std::string*> chunks_[kMaxChunks];
  std::atomic<std::uint32_t> count_{0};  // ids 1..count_ are valid
};

}  // namespace proto::internal
