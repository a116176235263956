// Ticket lock: FIFO by construction.
//
// A waiter takes the next ticket and spins until it is served; release serves
// the next ticket. Unlike a test-and-set lock it cannot starve anyone, and
// unlike one it cannot let a running waiter overtake a preempted one either,
// which is what the contended fairness and throughput numbers show. Both
// counters share one cache line on purpose (the classic layout: a release is
// one store to the line every waiter polls). Spinning follows the harness
// policy (pause, then yield). Valid when zero-filled; process-shareable.
#pragma once

#include <atomic>
#include <cstdint>

#include "harness/spin_wait.hpp"

namespace primbench::locks {

class TicketLock {
 public:
  void lock() noexcept {
    const std::uint32_t ticket = next_.fetch_add(1, std::memory_order_relaxed);
    spin_until([&] { return serving_.load(std::memory_order_acquire) == ticket; });
  }
  void unlock() noexcept {
    // Only the holder writes serving_, so a load + store is enough (no RMW).
    serving_.store(serving_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }

 private:
  std::atomic<std::uint32_t> next_{0};     // the next ticket to hand out
  std::atomic<std::uint32_t> serving_{0};  // the ticket allowed in
};

static_assert(sizeof(TicketLock) == 8, "both counters in one 8-byte block, so in one cache line");

}  // namespace primbench::locks
