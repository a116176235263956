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
// when that copy says full / empty.
//
// The consumer publishes its index every kReadPublishEvery pops, and at once
// whenever it finds the ring empty (so a producer waiting for room always
// gets it). When the consumer is the slower side the ring stays full, and a
// per-pop publication made the producer fetch the consumer's line for every
// single push: 8-byte streaming ran at 0.4x moodycamel's ReaderWriterQueue.
// Batching costs the producer at most kReadPublishEvery - 1 slots of
// apparent room. The producer still publishes every push: the consumer must
// see each message as soon as it is there (round-trip latency).
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
  // Room freed by pops reaches the producer after at most this many pops (or
  // at once when the consumer finds the ring empty): see the header comment.
  static constexpr std::size_t read_publish_every() noexcept { return kReadPublishEvery; }

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
    const std::uint64_t read = consumer_.next;
    if (read == consumer_.write_seen) {
      consumer_.write_seen = producer_.write.load(std::memory_order_acquire);
      if (read == consumer_.write_seen) {
        publish_read(read);  // about to wait: the producer may be waiting for room
        return false;
      }
    }
    out = slots_[read % Capacity];
    consumer_.next = read + 1;
    if ((read + 1) % kReadPublishEvery == 0) publish_read(read + 1);
    return true;
  }

  // Pops published so far; up to kReadPublishEvery - 1 behind the pops done.
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
    std::atomic<std::uint64_t> read{0};  // published: every slot below it is free
    std::uint64_t next = 0;        // consumer-private: the next slot to pop
    std::uint64_t write_seen = 0;  // consumer-private
  };

  static constexpr std::uint64_t kReadPublishEvery = Capacity >= 256 ? 32 : (Capacity >= 8 ? Capacity / 8 : 1);
  static_assert(kReadPublishEvery >= 1 && kReadPublishEvery <= Capacity);

  void publish_read(std::uint64_t read) noexcept {
    if (consumer_.read.load(std::memory_order_relaxed) != read) consumer_.read.store(read, std::memory_order_release);
  }

  ProducerLine producer_;
  ConsumerLine consumer_;
  alignas(kCacheLine) T slots_[Capacity];
};

}  // namespace primbench::rings
