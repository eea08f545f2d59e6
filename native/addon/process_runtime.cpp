// process_runtime.cpp — the process-wide runtime and its shared tables (see
// process_runtime.h for why this is the addon's one static).
#include "process_runtime.h"

namespace proto_addon {

namespace {
std::mutex gCreateMutex;
std::atomic<ProcessRuntime*> gInstance{nullptr};
}  // namespace

SharedBlock::~SharedBlock() {
  if (ProcessRuntime* p = ProcessRuntime::existing()) p->retire(block);
}

ProcessRuntime::ProcessRuntime(const proto::RuntimeOptions& options)
    : runtime_(std::make_unique<proto::Runtime>(options)) {}

ProcessRuntime& ProcessRuntime::obtain(const proto::RuntimeOptions& options, bool& created) {
  created = false;
  if (ProcessRuntime* p = gInstance.load(std::memory_order_acquire)) return *p;
  std::lock_guard lock(gCreateMutex);
  if (ProcessRuntime* p = gInstance.load(std::memory_order_acquire)) return *p;
  // Deliberately leaked: see the header.
  auto* p = new ProcessRuntime(options);
  gInstance.store(p, std::memory_order_release);
  created = true;
  return *p;
}

ProcessRuntime* ProcessRuntime::existing() noexcept { return gInstance.load(std::memory_order_acquire); }

std::uint64_t ProcessRuntime::share(SharedEntry entry) {
  std::lock_guard lock(mutex_);
  std::uint64_t token = nextToken_++;
  shared_.emplace(token, std::move(entry));
  return token;
}

std::optional<SharedEntry> ProcessRuntime::lookup(std::uint64_t token) {
  std::lock_guard lock(mutex_);
  auto it = shared_.find(token);
  if (it == shared_.end()) return std::nullopt;
  return it->second;
}

bool ProcessRuntime::unshare(std::uint64_t token) {
  SharedEntry dropped;  // destroyed after the lock is released
  std::lock_guard lock(mutex_);
  auto it = shared_.find(token);
  if (it == shared_.end()) return false;
  dropped = std::move(it->second);
  shared_.erase(it);
  return true;
}

std::size_t ProcessRuntime::sharedCount() {
  std::lock_guard lock(mutex_);
  return shared_.size();
}

void ProcessRuntime::registerBlock(const std::shared_ptr<SharedBlock>& block) {
  std::lock_guard lock(mutex_);
  blocks_[block->block.data] = block;
}

std::shared_ptr<SharedBlock> ProcessRuntime::blockAt(const void* data) {
  std::lock_guard lock(mutex_);
  auto it = blocks_.find(data);
  return it == blocks_.end() ? nullptr : it->second.lock();
}

void ProcessRuntime::retire(const proto::NumericBlock& block) {
  std::lock_guard lock(mutex_);
  auto it = blocks_.find(block.data);
  if (it != blocks_.end() && it->second.expired()) blocks_.erase(it);
  retired_.push_back(block);
  hasRetired_.store(true, std::memory_order_release);
}

void ProcessRuntime::drainRetired(proto::Thread& thread) {
  std::vector<proto::NumericBlock> blocks;
  {
    std::lock_guard lock(mutex_);
    blocks.swap(retired_);
    hasRetired_.store(false, std::memory_order_release);
  }
  for (proto::NumericBlock& b : blocks) thread.freeNumericBlock(b);
}

}  // namespace proto_addon
