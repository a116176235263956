// A bounded lock-free single-producer single-consumer ring that works across
// processes.
//
// Same promises as MpmcRing (mpmc_ring.hpp): fixed capacity, elements inline,
// no pointers, no heap, lock-free atomics only, and all-zero memory is a valid
// empty ring, so it may live in a MAP_SHARED region used by forked processes.
// Exactly one producer and one consumer at a time (threads or processes).
//
// Counts are free-running 64-bit numbers (they never wrap in practice), so
// every slot is usable and "full" is write - read == Capacity.
//
// Five rules, each measured faster (the numbers: docs/MEASUREMENTS.md):
// - The consumer never reads a producer index: each slot carries its
//   message's number + 1, so a message crosses in one line transfer, not two.
// - The consumer's published read count, the one shared index, has a cache
//   line to itself: a producer polling it then costs the consumer nothing.
// - The consumer publishes every Capacity / 4 pops, and at once when it finds
//   the ring empty (a producer waiting for room always gets it): fewer index
//   transfers, at the cost of up to Capacity / 4 - 1 slots of apparent room.
// - Number and value share a line when they fit (slots packed); larger
//   values keep their numbers apart and start on lines of their own, so the
//   copies run on whole aligned lines.
// - The copies of values above 56 B (line_copy.hpp): values of up to 8 lines
//   are prefetched whole; larger ones are copied with `rep movsb`, prefetched
//   (up to 32 lines) only when the consumer has just found the ring empty,
//   never when it pops from a backlog.
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

#include "benches/rings/cache_line.hpp"
#include "benches/rings/line_copy.hpp"
#include "benches/rings/ring_wait.hpp"

namespace primbench::rings {

template <class T, std::size_t Capacity>
class SpscRing : public WaitingOps<SpscRing<T, Capacity>, T> {
  static_assert(Capacity >= 1, "a ring holds at least one element");

 public:
  // value_type, push / pop / push_until / pop_until and the element checks
  // come from WaitingOps (ring_wait.hpp).

  static constexpr std::size_t capacity() noexcept { return Capacity; }
  // Room freed by pops reaches the producer after at most this many pops (or
  // at once when the consumer finds the ring empty): see the header comment.
  static constexpr std::size_t read_publish_every() noexcept { return kReadPublishEvery; }

  SpscRing() noexcept {
    static_assert(alignof(SpscRing) == kCacheLine, "the ring starts on a cache line");
    static_assert(sizeof(ProducerLine) == kCacheLine && sizeof(ConsumerLine) == kCacheLine &&
                      sizeof(PublishedRead) == kCacheLine,
                  "each side's state and the shared index own their cache lines");
    static_assert(sizeof(SpscRing) == 3 * kCacheLine + sizeof(Slots), "nothing is stored beside the slots");
    static_assert(sizeof(Slots) == Slots::kBytes, "the slots are laid out as their comment says");
    static_assert(std::is_trivially_destructible_v<SpscRing>, "a shared region is unmapped, never destroyed");
  }
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  // Producer only. False, changing nothing, when full.
  bool try_push(const T& value) noexcept {
    const std::uint64_t write = producer_.write.load(std::memory_order_relaxed);
    if (write - producer_.read_seen == Capacity) {
      producer_.read_seen = read_.count.load(std::memory_order_acquire);
      if (write - producer_.read_seen == Capacity) return false;
    }
    const std::size_t at = write % Capacity;
    slots_.write(at, value);
    slots_.number(at).store(write + 1, std::memory_order_release);
    // Read only by size_approx: the consumer never looks, so this line stays
    // in the producer's cache and the store costs no transfer.
    producer_.write.store(write + 1, std::memory_order_relaxed);
    return true;
  }

  // Consumer only. False, changing nothing, when empty.
  bool try_pop(T& out) noexcept {
    const std::uint64_t read = consumer_.next;
    const std::size_t at = read % Capacity;
    if (slots_.number(at).load(std::memory_order_acquire) != read + 1) {
      publish_read(read);  // about to wait: the producer may be waiting for room
      if constexpr (Slots::kReadsAfterWaitDiffer) consumer_.found_empty = true;
      return false;
    }
    if constexpr (Slots::kReadsAfterWaitDiffer) {
      slots_.read(at, out, consumer_.found_empty);
      consumer_.found_empty = false;
    } else {
      slots_.read(at, out, false);
    }
    consumer_.next = read + 1;
    if ((read + 1) % kReadPublishEvery == 0) publish_read(read + 1);
    return true;
  }

  // Pushes minus published pops: up to kReadPublishEvery - 1 above the
  // elements really queued, and racy by nature when called by a third party.
  std::size_t size_approx() const noexcept {
    const std::uint64_t read = read_.count.load(std::memory_order_acquire);
    const std::uint64_t write = producer_.write.load(std::memory_order_acquire);
    return write > read ? static_cast<std::size_t>(write - read) : 0;
  }

 private:
  // Each slot holds a message number + 1 (0: never written) and a value. Only
  // one producer and one consumer touch them, so small slots are packed: a
  // line that carries several messages crosses between the cores once for
  // all of them. Layouts: see the header comment.
  static constexpr bool kNumbersApart = sizeof(std::uint64_t) + sizeof(T) > kCacheLine;
  // Values of up to this many lines are prefetched whole before each copy;
  // larger ones are copied out as a byte string, prefetched whole first only
  // when the consumer has just found the ring empty and values have at most
  // kPrefetchedAfterWaitLinesMax lines (beyond 32 it slowed round trips).
  static constexpr std::size_t kPrefetchedLinesMax = 8;
  static constexpr std::size_t kPrefetchedAfterWaitLinesMax = 32;

  // (The unused parameter makes the second layout a partial specialisation:
  // GCC allows no explicit one inside a class.)
  template <bool Apart, class = void>
  struct SlotArray {  // packed: [number value][number value]...
    struct Slot {
      std::atomic<std::uint64_t> number{0};
      T value;
    };
    static_assert(sizeof(Slot) == sizeof(std::uint64_t) + sizeof(T) || alignof(T) > alignof(std::uint64_t),
                  "no padding inside a small slot");
    static constexpr std::size_t kBytes = (Capacity * sizeof(Slot) + kCacheLine - 1) / kCacheLine * kCacheLine;
    static constexpr bool kReadsAfterWaitDiffer = false;
    std::atomic<std::uint64_t>& number(std::size_t i) noexcept { return slots[i].number; }
    void write(std::size_t i, const T& value) noexcept { slots[i].value = value; }
    void read(std::size_t i, T& out, bool /*after_wait*/) const noexcept { out = slots[i].value; }
    alignas(kCacheLine) Slot slots[Capacity];
  };
  template <class Unused>
  struct SlotArray<true, Unused> {  // apart: [numbers, 8 per line][value on its own lines]...
    struct alignas(kCacheLine) LineAlignedValue {
      T value;
    };
    static constexpr std::size_t kNumberBytes =
        (Capacity * sizeof(std::uint64_t) + kCacheLine - 1) / kCacheLine * kCacheLine;
    static constexpr std::size_t kBytes = kNumberBytes + Capacity * sizeof(LineAlignedValue);
    std::atomic<std::uint64_t>& number(std::size_t i) noexcept { return numbers[i]; }
    // How the copies run: see "The copies" in the header comment.
    static constexpr bool kPrefetchLines = sizeof(T) <= kPrefetchedLinesMax * kCacheLine;
    static constexpr bool kReadsAfterWaitDiffer =
        !kPrefetchLines && sizeof(T) <= kPrefetchedAfterWaitLinesMax * kCacheLine;
    void write(std::size_t i, const T& value) noexcept {
      if constexpr (kPrefetchLines) prefetch_for_write(&values[i], sizeof(T));
      values[i].value = value;
    }
    // after_wait: the consumer found the ring empty before this value came.
    void read(std::size_t i, T& out, bool after_wait) const noexcept {
      if constexpr (kPrefetchLines) {
        prefetch_for_read(&values[i], sizeof(T));
        out = values[i].value;
      } else {
        if (kReadsAfterWaitDiffer && after_wait) prefetch_for_read(&values[i], sizeof(T));
        copy_bytes_as_string(&out, &values[i].value, sizeof(T));
      }
    }
    alignas(kCacheLine) std::atomic<std::uint64_t> numbers[Capacity];
    alignas(kCacheLine) LineAlignedValue values[Capacity];
  };
  using Slots = SlotArray<kNumbersApart>;
  struct alignas(kCacheLine) ProducerLine {
    std::atomic<std::uint64_t> write{0};  // pushes so far (atomic for size_approx only)
    std::uint64_t read_seen = 0;          // the last published read count the producer saw
  };
  struct alignas(kCacheLine) ConsumerLine {
    std::uint64_t next = 0;       // the next message to pop
    std::uint64_t published = 0;  // the last count stored into read_
    bool found_empty = false;     // the last try_pop found no value (written only where reads use it)
  };
  struct alignas(kCacheLine) PublishedRead {
    std::atomic<std::uint64_t> count{0};  // every message below it has been popped: its slot is free
  };

  static constexpr std::uint64_t kReadPublishEvery = Capacity >= 8 ? Capacity / 4 : 1;
  static_assert(kReadPublishEvery >= 1 && kReadPublishEvery <= Capacity);

  void publish_read(std::uint64_t read) noexcept {
    if (consumer_.published == read) return;  // no store, so no transfer, while waiting on an empty ring
    consumer_.published = read;
    read_.count.store(read, std::memory_order_release);
  }

  ProducerLine producer_;
  ConsumerLine consumer_;
  PublishedRead read_;
  Slots slots_;
};

}  // namespace primbench::rings
