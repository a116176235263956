// Copying a buffer from one process to another through shared memory, as a
// workload for run_workload (workload_run.hpp): worker 0 (the producer) copies
// its private buffer into the shared one and posts it; worker 1 (the consumer)
// copies it out into its own private buffer and acknowledges. One operation is
// one whole transfer, producer copy + hand-off + consumer copy + hand-off.
//
// Checks: every transfer carries its sequence number in its first and last 8
// bytes, checked by the consumer (a stale or torn block is caught); the first
// and the last transfer are also checksummed whole on both sides, outside the
// timed span, and the two checksums must agree.
#pragma once

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <new>
#include <span>
#include <string>
#include <vector>

#include "benches/shm/workload_run.hpp"
#include "harness/clock.hpp"
#include "harness/spin_wait.hpp"
#include "harness/workers.hpp"

namespace primbench::shm {

inline constexpr std::size_t kCopyMinBytes = 16;  // room for the two sequence stamps

// Word-wise FNV-1a style hash (with a 64-bit odd multiplier): fast enough for
// 16 MiB, and a flipped bit anywhere changes it.
inline std::uint64_t buffer_checksum(std::span<const unsigned char> bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    h = (h ^ w) * 0x100000001b3ULL;
  }
  for (; i < bytes.size(); ++i) h = (h ^ bytes[i]) * 0x100000001b3ULL;
  return h;
}

class SharedCopy {
 public:
  struct alignas(64) Control {
    std::atomic<std::uint64_t> posted{0};             // producer: the transfer in the buffer
    alignas(64) std::atomic<std::uint64_t> taken{0};  // consumer: the transfer it copied out
    alignas(64) std::uint64_t bad_transfer = 0;       // consumer: first transfer with a wrong stamp
    std::uint64_t bad_stamp = 0;
    std::uint64_t sent_checksum[2] = {};      // producer: first and last transfer
    std::uint64_t received_checksum[2] = {};  // consumer: the same transfers
  };
  static constexpr std::size_t kPage = 4096;  // the buffer starts on a page of its own

  SharedCopy(std::size_t bytes, std::uint32_t spins, bool corrupt_first_transfer = false)
      : bytes_(bytes), spins_(spins), corrupt_first_(corrupt_first_transfer) {}

  std::size_t shared_bytes() const { return alignof(Control) + sizeof(Control) + kPage + bytes_; }
  void prepare(void* shared) const { new (control(shared)) Control{}; }

  void work(WorkerContext& ctx, std::uint64_t ops) const {
    if (ctx.index == 0)
      produce(ctx, ops);
    else
      consume(ctx, ops);
  }

  // The producer's own timed span: only the `ops` timed transfers.
  std::chrono::nanoseconds timed_span(std::span<WorkerSlot> slots, std::chrono::nanoseconds) const {
    return std::chrono::nanoseconds(static_cast<std::int64_t>(slots[0].counters[0]));
  }

  std::string verify(void* shared, std::span<WorkerSlot>, std::uint64_t ops) const {
    const Control& c = *control(shared);
    if (c.bad_transfer)
      return fmt::format("{}-byte copy, transfer {}: the received block is stamped {} (stale or torn)", bytes_,
                         c.bad_transfer, c.bad_stamp);
    for (int k = 0; k < 2; ++k)
      if (c.sent_checksum[k] != c.received_checksum[k])
        return fmt::format("{}-byte copy, {} transfer: checksum of the received buffer {:016x} != sent {:016x}", bytes_,
                           k == 0 ? "first" : "last", c.received_checksum[k], c.sent_checksum[k]);
    if (c.taken.load() != ops + 2)
      return fmt::format("{}-byte copy: {} transfers acknowledged, expected {}", bytes_, c.taken.load(), ops + 2);
    return {};
  }

  nlohmann::json describe() const {
    return {{"bytes", bytes_},
            {"operation", "producer memcpy into the shared buffer, post; consumer memcpy out, acknowledge"},
            {"shared_memory", "the worker group's POSIX shared memory segment (shm_open + mmap), unlinked at once"},
            {"check", "sequence stamps in every transfer; whole-buffer checksums of the first and last transfer"}};
  }

 private:
  static Control* control(void* shared) { return aligned_in<Control>(shared); }
  static unsigned char* buffer(void* shared) {
    const auto end_of_control = reinterpret_cast<std::uintptr_t>(control(shared) + 1);
    return reinterpret_cast<unsigned char*>((end_of_control + kPage - 1) / kPage * kPage);
  }

  void stamp(unsigned char* block, std::uint64_t seq) const {
    std::memcpy(block, &seq, 8);
    std::memcpy(block + bytes_ - 8, &seq, 8);
  }

  void produce(WorkerContext& ctx, std::uint64_t ops) const {
    Control& c = *control(ctx.shared);
    unsigned char* shared = buffer(ctx.shared);
    std::vector<unsigned char> src(bytes_);
    std::uint64_t x = bytes_ | 1;
    for (std::size_t at = 0; at < bytes_; at += 8) {  // xorshift words: no two alike, so a misplaced chunk shows
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      std::memcpy(src.data() + at, &x, std::min<std::size_t>(8, bytes_ - at));
    }
    auto transfer = [&](std::uint64_t seq) {
      stamp(src.data(), seq);
      std::memcpy(shared, src.data(), bytes_);
      if (seq == 1 && corrupt_first_) shared[bytes_ / 2] ^= 0x10;  // tests: the check must catch this
      c.posted.store(seq, std::memory_order_release);
      spin_until([&] { return c.taken.load(std::memory_order_acquire) == seq; }, spins_);
    };
    auto verified_transfer = [&](std::uint64_t seq, int k) {
      stamp(src.data(), seq);
      c.sent_checksum[k] = buffer_checksum(src);
      transfer(seq);
    };
    const double overhead_ns = clock_info().read_overhead_ns;
    verified_transfer(1, 0);
    const std::uint64_t start = Clock::now();
    for (std::uint64_t seq = 2; seq < ops + 2; ++seq) {
      const std::uint64_t t0 = Clock::now();
      transfer(seq);
      ctx.slot->latency.record_rounded(Clock::to_ns(Clock::now() - t0) - overhead_ns);
    }
    ctx.slot->counters[0] = Clock::to_ns(Clock::now() - start);
    verified_transfer(ops + 2, 1);
  }

  void consume(WorkerContext& ctx, std::uint64_t ops) const {
    Control& c = *control(ctx.shared);
    const unsigned char* shared = buffer(ctx.shared);
    std::vector<unsigned char> dst(bytes_);
    for (std::uint64_t seq = 1; seq <= ops + 2; ++seq) {
      spin_until([&] { return c.posted.load(std::memory_order_acquire) == seq; }, spins_);
      std::memcpy(dst.data(), shared, bytes_);
      std::uint64_t head, tail;
      std::memcpy(&head, dst.data(), 8);
      std::memcpy(&tail, dst.data() + bytes_ - 8, 8);
      if ((head != seq || tail != seq) && c.bad_transfer == 0) {
        c.bad_transfer = seq;
        c.bad_stamp = head != seq ? head : tail;
      }
      if (seq == 1 || seq == ops + 2) c.received_checksum[seq == 1 ? 0 : 1] = buffer_checksum(dst);
      c.taken.store(seq, std::memory_order_release);
    }
  }

  std::size_t bytes_;
  std::uint32_t spins_;
  bool corrupt_first_;
};

}  // namespace primbench::shm
