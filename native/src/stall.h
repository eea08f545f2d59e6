// stall.h — how the runtime times what it costs a mutator thread (owner of the
// lock helper every mutator-side runtime lock goes through).
//
// Every interval in which an attached thread is held up by memory management
// is a stall (proto::StallKind): it is timed from the thread's own side and
// charged to the thread's current frame and to the runtime's statistics
// (ThreadState::noteStall). Locks are the quiet case: a mutex that a thread
// finds taken puts it to sleep, and nothing else would see it. So runtime
// locks that mutators take (cell table, page lists, root table) are taken
// with lockCounted(): try first, and only if that fails time the wait and
// charge it as kLockWait to the calling thread, if it is attached.
#pragma once

#include <chrono>
#include <mutex>

namespace proto::internal {

// Charges a lock wait of `ms` that began at `start` to the calling thread, if
// it is an attached thread (the collector thread is not: its waits cost no
// frame anything).
void noteLockWait(std::chrono::steady_clock::time_point start, double ms) noexcept;
// The start of a lock wait (ThreadState::stallBegin for an attached thread).
std::chrono::steady_clock::time_point beginLockWait() noexcept;

template <class Mutex>
std::unique_lock<Mutex> lockCounted(Mutex& mutex) {
  std::unique_lock<Mutex> lock(mutex, std::try_to_lock);
  if (!lock.owns_lock()) [[unlikely]] {
    auto t0 = beginLockWait();
    lock.lock();
    noteLockWait(t0,
                 std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return lock;
}

}  // namespace proto::internal
