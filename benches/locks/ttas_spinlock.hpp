// Test-and-test-and-set spinlock.
//
// Waiters spin on a plain load, so the line stays shared in their caches while
// the lock is held, and only try the exchange once it looks free: one cache
// line transfer per release instead of one per poll. Spinning uses the harness
// policy (pause, then yield after kSpinsBeforeYield polls) so that a waiter
// time-sharing the holder's PU lets the holder run. Plain 32-bit atomic: valid
// when zero-filled and usable between processes in shared memory.
#pragma once

#include <atomic>
#include <cstdint>

#include "harness/spin_wait.hpp"

namespace primbench::locks {

class TtasSpinLock {
 public:
  void lock() noexcept {
    while (locked_.exchange(1, std::memory_order_acquire) != 0)
      spin_until([this] { return locked_.load(std::memory_order_relaxed) == 0; });
  }
  bool try_lock() noexcept {
    return locked_.load(std::memory_order_relaxed) == 0 && locked_.exchange(1, std::memory_order_acquire) == 0;
  }
  void unlock() noexcept { locked_.store(0, std::memory_order_release); }

 private:
  std::atomic<std::uint32_t> locked_{0};
};

static_assert(sizeof(TtasSpinLock) == 4 && std::atomic<std::uint32_t>::is_always_lock_free);

}  // namespace primbench::locks
