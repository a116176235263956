// A raw futex mutex: three states, no spinning, the kernel only when contended.
//
//   0  unlocked
//   1  locked, nobody asleep
//   2  locked, and someone may be asleep in futex_wait
//
// The uncontended path is one CAS to lock and one exchange to unlock; a waiter
// marks the word 2 before sleeping, so the holder knows it must wake one. A
// woken waiter takes the lock in state 2 (it cannot know whether others still
// sleep), which costs at most one needless wake-up. The futex calls are the
// shared (non-PRIVATE) ones, so the lock works between processes.
#pragma once

#include <atomic>
#include <cstdint>

#include "harness/futex.hpp"

namespace primbench::locks {

class FutexLock {
 public:
  void lock() noexcept {
    std::uint32_t state = 0;
    if (word_.compare_exchange_strong(state, 1, std::memory_order_acquire, std::memory_order_relaxed)) return;
    if (state != 2) state = word_.exchange(2, std::memory_order_acquire);
    while (state != 0) {
      futex_wait(&word_, 2);
      state = word_.exchange(2, std::memory_order_acquire);
    }
  }
  void unlock() noexcept {
    if (word_.exchange(0, std::memory_order_release) == 2) futex_wake(&word_, 1);
  }

 private:
  std::atomic<std::uint32_t> word_{0};
};

static_assert(sizeof(FutexLock) == 4);

}  // namespace primbench::locks
