// A bounded lock-free single-producer single-consumer ring that works across
// processes.
//
// Same promises as MpmcRing (mpmc_ring.hpp): fixed capacity, elements inline,
// no pointers, no heap, lock-free atomics only, and all-zero memory is a valid
// empty ring, so it may live in a MAP_SHARED region used by forked processes.
// Exactly one producer and one consumer at a time (threads or processes).
//
// Indices are free-running 64-bit counts (they never wrap in practice), so
// every slot is usable and "full" is write - read == Capacity. Each side keeps
// a private copy of the other side's index and re-reads the shared one only
// when that copy says full / empty: in steady streaming the sides touch each
// other's cache line once per lap instead of once per element.
//
// Usage:
//   auto& ring = *new (region) SpscRing<Msg, 1024>{};
//   producer: ring.push(msg);          // waits while full
//   consumer: Msg m; ring.pop(m);      // waits while empty
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "benches/rings/mpmc_ring.hpp"  // kCacheLine
#include "benches/rings/ring_wait.hpp"

namespace primbench::rings {

template <class T, std::size_t Capacity>
class SpscRing : public WaitingOps<SpscRing<T, Capacity>, T> {
  static_assert(Capacity >= 1, "a ring holds at least one element");
  static_assert(std::is_trivially_copyable_v<T>, "elements are copied bytewise and may cross processes");
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
                "a lock-based atomic would not work between processes");

 public:
  using value_type = T;
  // Waiting push / pop / push_until / pop_until come from WaitingOps (ring_wait.hpp).

  static constexpr std::size_t capacity() noexcept { return Capacity; }

  SpscRing() noexcept {
    static_assert(alignof(SpscRing) == kCacheLine, "the ring starts on a cache line");
    static_assert(sizeof(ProducerLine) == kCacheLine && sizeof(ConsumerLine) == kCacheLine,
                  "producer and consumer indices live on separate cache lines");
    static_assert(sizeof(SpscRing) == 2 * kCacheLine + (Capacity * sizeof(T) + kCacheLine - 1) / kCacheLine * kCacheLine,
                  "the slots start on their own cache line and nothing else is stored");
    static_assert(std::is_trivially_destructible_v<SpscRing>, "a shared region is unmapped, never destroyed");
  }
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  // Producer only. False, changing nothing, when full.
  bool try_push(const T& value) noexcept {
    const std::uint64_t write = producer_.write.load(std::memory_order_relaxed);
    if (write - producer_.read_seen == Capacity) {
      producer_.read_seen = consumer_.read.load(std::memory_order_acquire);
      if (write - producer_.read_seen == Capacity) return false;
    }
    slots_[write % Capacity] = value;
    producer_.write.store(write + 1, std::memory_order_release);
    return true;
  }

  // Consumer only. False, changing nothing, when empty.
  bool try_pop(T& out) noexcept {
    const std::uint64_t read = consumer_.read.load(std::memory_order_relaxed);
    if (read == consumer_.write_seen) {
      consumer_.write_seen = producer_.write.load(std::memory_order_acquire);
      if (read == consumer_.write_seen) return false;
    }
    out = slots_[read % Capacity];
    consumer_.read.store(read + 1, std::memory_order_release);
    return true;
  }

  std::size_t size_approx() const noexcept {
    const std::uint64_t read = consumer_.read.load(std::memory_order_acquire);
    const std::uint64_t write = producer_.write.load(std::memory_order_acquire);
    return write > read ? static_cast<std::size_t>(write - read) : 0;
  }

 private:
  // Each side's index shares a line only with that side's private copy of the
  // other index: written by one side, read by the other once per lap.
  struct alignas(kCacheLine) ProducerLine {
    std::atomic<std::uint64_t> write{0};
    std::uint64_t read_seen = 0;  // producer-private
  };
  struct alignas(kCacheLine) ConsumerLine {
    std::atomic<std::uint64_t> read{0};
    std::uint64_t write_seen = 0;  // consumer-private
  };

  ProducerLine producer_;
  ConsumerLine consumer_;
  alignas(kCacheLine) T slots_[Capacity];
};

}  // namespace primbench::rings
