// A bounded lock-free multi-producer multi-consumer ring that works across
// processes.
//
// Process-shareable by construction: fixed capacity, elements stored inline,
// no pointers, no heap, only lock-free atomics, and an all-zero block of
// memory is already a valid empty ring. So a ring may be placement-new'ed into
// a MAP_SHARED region before fork (or simply used in a freshly zeroed one,
// such as a WorkerGroup's shared region) and then used by every process that
// maps it, at any address.
//
// Algorithm: each slot carries a "turn" word. The ring's head and tail are
// free-running tickets; ticket t maps to slot t % Capacity on lap
// t / Capacity. On lap L a slot is writable when its turn is 2L and readable
// when it is 2L + 1; a reader hands it to lap L + 1 by storing 2L + 2. Turn 0
// is "writable on lap 0", which is what makes zeroed memory a valid ring.
// Producers and consumers claim tickets with a CAS on head / tail only once the
// slot is ready, so a try_* that fails has changed nothing, and a waiting
// push/pop can give up (deadline) without leaving a claimed, never-filled slot.
//
// Usage:
//   MpmcRing<Task, 1024>& ring = *new (region) MpmcRing<Task, 1024>{};  // before fork
//   ring.push(task);                  // any process: waits (spins, then yields) while full
//   Task t; ring.pop(t);              // waits while empty
//   if (ring.try_pop(t)) ...          // never waits
//   if (!ring.pop_until(t, std::chrono::steady_clock::now() + 1s)) ...   // timed out
// A process that dies never leaves the ring inconsistent except while it is
// between claiming a ticket and releasing the slot (a few instructions).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "benches/rings/cache_line.hpp"
#include "benches/rings/ring_wait.hpp"

namespace primbench::rings {

template <class T, std::size_t Capacity>
class MpmcRing : public WaitingOps<MpmcRing<T, Capacity>, T> {
  static_assert(Capacity >= 1, "a ring holds at least one element");

 public:
  // value_type, push / pop / push_until / pop_until and the element checks
  // come from WaitingOps (ring_wait.hpp).

  static constexpr std::size_t capacity() noexcept { return Capacity; }

  // Equivalent to zero-filling the ring's bytes; the layout promises are
  // checked here, where the class is complete.
  MpmcRing() noexcept {
    static_assert(alignof(MpmcRing) == kCacheLine, "the ring starts on a cache line");
    static_assert(sizeof(Slot) % kCacheLine == 0, "each slot fills whole cache lines");
    static_assert(sizeof(MpmcRing) == 2 * kCacheLine + Capacity * sizeof(Slot),
                  "head, tail and the slots each own their cache lines, nothing else is stored");
    static_assert(std::is_trivially_destructible_v<MpmcRing>, "a shared region is unmapped, never destroyed");
  }
  MpmcRing(const MpmcRing&) = delete;
  MpmcRing& operator=(const MpmcRing&) = delete;

  // True when the element was queued; false, changing nothing, when full.
  bool try_push(const T& value) noexcept {
    std::uint64_t ticket = head_.load(std::memory_order_acquire);
    for (;;) {
      Slot& slot = slot_of(ticket);
      if (slot.turn.load(std::memory_order_acquire) == write_turn(ticket)) {
        if (head_.compare_exchange_strong(ticket, ticket + 1, std::memory_order_relaxed)) {
          slot.value = value;
          slot.turn.store(write_turn(ticket) + 1, std::memory_order_release);
          return true;
        }
        // CAS failure reloaded `ticket`: another producer took it; try the next.
      } else {
        const std::uint64_t seen = ticket;
        ticket = head_.load(std::memory_order_acquire);
        if (ticket == seen) return false;  // the slot is still unread: full
      }
    }
  }

  // True when an element was taken into `out`; false, changing nothing, when empty.
  bool try_pop(T& out) noexcept {
    std::uint64_t ticket = tail_.load(std::memory_order_acquire);
    for (;;) {
      Slot& slot = slot_of(ticket);
      if (slot.turn.load(std::memory_order_acquire) == write_turn(ticket) + 1) {
        if (tail_.compare_exchange_strong(ticket, ticket + 1, std::memory_order_relaxed)) {
          out = slot.value;
          slot.turn.store(write_turn(ticket) + 2, std::memory_order_release);
          return true;
        }
      } else {
        const std::uint64_t seen = ticket;
        ticket = tail_.load(std::memory_order_acquire);
        if (ticket == seen) return false;  // the slot is not written yet: empty
      }
    }
  }

  // Elements queued, as seen at some moment during the call (racy by nature).
  std::size_t size_approx() const noexcept {
    const std::uint64_t tail = tail_.load(std::memory_order_acquire);
    const std::uint64_t head = head_.load(std::memory_order_acquire);
    return head > tail ? static_cast<std::size_t>(head - tail) : 0;
  }

 private:
  // One slot per cache line (or more, for large T): neighbouring slots are
  // written by different producers at once and must not share a line.
  struct alignas(kCacheLine) Slot {
    std::atomic<std::uint64_t> turn{0};
    T value;
  };

  static constexpr std::uint64_t write_turn(std::uint64_t ticket) noexcept { return 2 * (ticket / Capacity); }
  Slot& slot_of(std::uint64_t ticket) noexcept { return slots_[ticket % Capacity]; }

  // Producers hammer head_, consumers tail_: separate lines so that the two
  // sides do not invalidate each other's ticket on every operation.
  alignas(kCacheLine) std::atomic<std::uint64_t> head_{0};
  alignas(kCacheLine) std::atomic<std::uint64_t> tail_{0};
  Slot slots_[Capacity];
};

}  // namespace primbench::rings
