// Thin wrappers over futex(2) for words that may live in shared memory.
//
// The non-PRIVATE operations are used on purpose: a futex in a MAP_SHARED
// segment is waited on by different processes, which the PRIVATE variants
// would not wake.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <ctime>

namespace primbench {

static_assert(sizeof(std::atomic<std::uint32_t>) == 4 && std::atomic<std::uint32_t>::is_always_lock_free,
              "futex words must be plain 32-bit integers");

// Sleeps while *word == expected (or until timeout / a spurious wake-up).
inline long futex_wait(std::atomic<std::uint32_t>* word, std::uint32_t expected,
                       const timespec* relative_timeout = nullptr) {
  return syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAIT, expected, relative_timeout, nullptr, 0);
}

// Wakes up to `count` waiters; returns how many were woken.
inline long futex_wake(std::atomic<std::uint32_t>* word, int count) {
  return syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAKE, count, nullptr, nullptr, 0);
}

}  // namespace primbench
