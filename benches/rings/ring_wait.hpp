// How the rings' waiting operations wait: poll with a CPU pause, then yield.
//
// Shared by SpscRing and MpmcRing so that both wait the same way as the rest
// of primbench (harness/spin_wait.hpp): a waiter whose partner may be
// time-sharing its PU must pass a spin budget of 0 and yield at once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <type_traits>

#include "harness/spin_wait.hpp"

namespace primbench::rings {

// Retries `attempt` until it returns true. Polls with a pause for
// `spins_before_yield` failures, then yields the PU on every further failure.
template <typename Attempt>
void retry_until_done(Attempt&& attempt, std::uint32_t spins_before_yield) noexcept {
  spin_until(attempt, spins_before_yield);
}

// As retry_until_done, but gives up at `deadline` (checked only once polling
// has turned to yielding, so the fast path reads no clock). True when done.
template <typename Attempt>
bool retry_until_deadline(Attempt&& attempt, std::uint32_t spins_before_yield,
                          std::chrono::steady_clock::time_point deadline) noexcept {
  for (std::uint32_t n = 0; !attempt(); ++n) {
    if (n < spins_before_yield) {
      cpu_relax();
      continue;
    }
    if (std::chrono::steady_clock::now() >= deadline) return attempt();
    sched_yield();
  }
  return true;
}

// The waiting half of a ring's API, written once over the ring's try_push /
// try_pop (CRTP: no virtual calls, no state, so the ring's layout is unchanged),
// and what both rings ask of their elements.
template <class Ring, class T>
class WaitingOps {
  static_assert(std::is_trivially_copyable_v<T>, "elements are copied bytewise and may cross processes");
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
                "a lock-based atomic would not work between processes");

 public:
  using value_type = T;

  // Waits while full / empty: polls with a pause, then yields (pass 0 when a
  // partner may be time-sharing this PU).
  void push(const T& value, std::uint32_t spins_before_yield = kSpinsBeforeYield) noexcept {
    retry_until_done([&] { return ring().try_push(value); }, spins_before_yield);
  }
  void pop(T& out, std::uint32_t spins_before_yield = kSpinsBeforeYield) noexcept {
    retry_until_done([&] { return ring().try_pop(out); }, spins_before_yield);
  }
  // False when the deadline passed first (nothing was queued / taken).
  bool push_until(const T& value, std::chrono::steady_clock::time_point deadline,
                  std::uint32_t spins_before_yield = kSpinsBeforeYield) noexcept {
    return retry_until_deadline([&] { return ring().try_push(value); }, spins_before_yield, deadline);
  }
  bool pop_until(T& out, std::chrono::steady_clock::time_point deadline,
                 std::uint32_t spins_before_yield = kSpinsBeforeYield) noexcept {
    return retry_until_deadline([&] { return ring().try_pop(out); }, spins_before_yield, deadline);
  }

 private:
  Ring& ring() noexcept { return static_cast<Ring&>(*this); }
};

}  // namespace primbench::rings
