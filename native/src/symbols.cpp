// symbols.cpp — the runtime's symbol table (see symbols.h).
#include "symbols.h"

#include <proto/error.h>

namespace proto::internal {

SymbolTable::SymbolTable() {
  for (auto& c : chunks_) c.store(nullptr, std::memory_order_relaxed);
}

SymbolTable::~SymbolTable() {
  for (auto& c : chunks_) delete[] c.load(std::memory_order_relaxed);
}

Symbol SymbolTable::intern(std::string_view name) {
  std::lock_guard lock(mutex_);
  if (auto it = ids_.find(name); it != ids_.end()) return Symbol{it->second};
  std::uint32_t id = count_.load(std::memory_order_relaxed) + 1;
  std::uint32_t chunk = id >> kChunkBits;
  if (chunk >= kMaxChunks) throw Error(ErrorCode::kOutOfMemory, "symbol table is full (16M symbols)");
  std::string* c = chunks_[chunk].load(std::memory_order_relaxed);
  if (!c) {
    c = new std::string[kChunkSize];
    chunks_[chunk].store(c, std::memory_order_release);
  }
  c[id & (kChunkSize - 1)] = std::string(name);
  ids_.emplace(std::string(name), id);
  count_.store(id, std::memory_order_release);
  return Symbol{id};
}

const std::string* SymbolTable::name(Symbol symbol) const noexcept {
  if (symbol.id == 0 || symbol.id > count_.load(std::memory_order_acquire)) return nullptr;
  const std::string* c = chunks_[symbol.id >> kChunkBits].load(std::memory_order_acquire);
  return &c[symbol.id & (kChunkSize - 1)];
}

}  // namespace proto::internal
