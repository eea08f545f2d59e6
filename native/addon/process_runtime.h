// process_runtime.h — the one proto::Runtime of the process, shared by every
// Node environment (the main thread and each worker_threads worker), and the
// process-wide tables that must outlive any single environment: shared tokens
// and retired numeric blocks.
//
// Why a static: a worker is a separate Node environment with its own instance
// data, yet objects and cells must be visible to all of them, so they must live
// in one heap. The runtime is therefore created lazily by the first environment
// that asks for it (guarded by a mutex) and never destroyed: a wrapper's
// Persistent may be dropped by a finalizer during an environment's teardown,
// after that environment's thread detached, and at process exit other workers
// may still be attached. Everything per-environment (the attached thread, the
// JS constructors) lives in ProtoAddon's instance data instead.
#pragma once

#include <proto/runtime.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <variant>
#include <vector>

namespace proto_addon {

// A numeric block that JavaScript may view. Every ArrayBuffer over it holds a
// reference; the block returns to the runtime only when the last one is
// collected, so JS can never read or write a block after it was reused
// (invariants 6 and 7).
struct SharedBlock {
  explicit SharedBlock(proto::NumericBlock b) : block(b) {}
  ~SharedBlock();
  SharedBlock(const SharedBlock&) = delete;
  SharedBlock& operator=(const SharedBlock&) = delete;
  proto::NumericBlock block;
};

using SharedObject = std::shared_ptr<proto::Persistent<proto::Object>>;
using SharedEntry = std::variant<SharedObject, std::shared_ptr<SharedBlock>>;

class ProcessRuntime {
 public:
  // The runtime, created with `options` if it does not exist yet; `created`
  // says which. Options of a later call are ignored (the caller reconciles).
  static ProcessRuntime& obtain(const proto::RuntimeOptions& options, bool& created);
  // The runtime if some environment created it, else null.
  static ProcessRuntime* existing() noexcept;

  proto::Runtime& runtime() noexcept { return *runtime_; }

  // ---- share tokens: how environments hand each other objects and blocks ----
  std::uint64_t share(SharedEntry entry);
  std::optional<SharedEntry> lookup(std::uint64_t token);
  bool unshare(std::uint64_t token);
  std::size_t sharedCount();

  // ---- numeric blocks viewed by JS ----
  void registerBlock(const std::shared_ptr<SharedBlock>& block);
  std::shared_ptr<SharedBlock> blockAt(const void* data);
  // Called when the last view of a block died (any thread, any environment).
  void retire(const proto::NumericBlock& block);
  // Frees retired blocks; the caller's thread is inside the runtime.
  void drainRetired(proto::Thread& thread);
  bool hasRetired() const noexcept { return hasRetired_.load(std::memory_order_acquire); }

  // Live Persistents held by JS wrappers, all environments (for tests/stats).
  std::atomic<std::int64_t> wrappers{0};
  // Native bytes those wrappers are charged to V8 for (all environments).
  std::atomic<std::int64_t> wrapperBytes{0};
  // Environments with an attached proto thread (main thread and workers).
  std::atomic<std::int64_t> attachedEnvironments{0};

 private:
  explicit ProcessRuntime(const proto::RuntimeOptions& options);
  std::unique_ptr<proto::Runtime> runtime_;

  std::mutex mutex_;  // guards the tables below; never taken on a hot path
  std::uint64_t nextToken_ = 1;
  std::unordered_map<std::uint64_t, SharedEntry> shared_;
  std::unordered_map<const void*, std::weak_ptr<SharedBlock>> blocks_;
  std::vector<proto::NumericBlock> retired_;
  std::atomic<bool> hasRetired_{false};
};

}  // namespace proto_addon
