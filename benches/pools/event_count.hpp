// Blocking on top of a lock-free ring: an "event count" that lets a consumer
// sleep on a futex when the ring is empty, as the workers and the result
// collector of a real pool do, instead of burning a PU that a submitter or
// another worker may need (a pool with as many workers as PUs leaves none spare).
//
// Lives in shared memory (plain atomics, valid when zero-filled; the futex
// calls are the non-private ones, so they work across processes).
//
// Why no wake-up is lost: a waiter registers (waiters++), reads the epoch and
// tries once more before sleeping on "epoch unchanged"; a notifier publishes
// (the ring push) before epoch++, then wakes if anyone is registered. All four
// are sequentially consistent, so either the notifier sees the registration
// and wakes, or the waiter's last try sees the push, or its futex_wait finds
// the epoch already changed and returns at once.
#pragma once

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <ctime>

#include "harness/futex.hpp"
#include "harness/spin_wait.hpp"

namespace primbench::pools {

struct alignas(64) EventCount {
  std::atomic<std::uint32_t> epoch{0};
  std::atomic<std::uint32_t> waiters{0};

  // After making something available: wakes one sleeper (or all).
  void notify(bool all = false) noexcept {
    epoch.fetch_add(1, std::memory_order_seq_cst);
    if (waiters.load(std::memory_order_seq_cst) != 0) futex_wake(&epoch, all ? INT_MAX : 1);
  }

  // Calls try_take() until it returns true: polls it `spins` times with a
  // pause, then sleeps between tries. Returns false if `give_up()` becomes
  // true (checked at least every `recheck`) or at the deadline.
  template <typename TryTake, typename GiveUp>
  bool wait(TryTake&& try_take, GiveUp&& give_up, std::uint32_t spins, std::chrono::steady_clock::time_point deadline,
            std::chrono::milliseconds recheck = std::chrono::milliseconds(50)) noexcept {
    for (std::uint32_t n = 0; n < spins; ++n) {
      if (try_take()) return true;
      cpu_relax();
    }
    for (;;) {
      if (try_take()) return true;
      if (give_up() || std::chrono::steady_clock::now() >= deadline) return false;
      waiters.fetch_add(1, std::memory_order_seq_cst);
      const std::uint32_t seen = epoch.load(std::memory_order_seq_cst);
      if (try_take()) {
        waiters.fetch_sub(1, std::memory_order_seq_cst);
        return true;
      }
      const timespec timeout{0, static_cast<long>(std::chrono::nanoseconds(recheck).count())};
      futex_wait(&epoch, seen, &timeout);
      waiters.fetch_sub(1, std::memory_order_seq_cst);
    }
  }
};
static_assert(sizeof(EventCount) == 64, "an event count owns its cache line");

}  // namespace primbench::pools
