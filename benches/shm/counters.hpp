// Shared-memory counters and arrays (the `Value` / `Array` analogues), as
// workloads for run_workload (workload_run.hpp). Each ends in an exact count
// that verify() checks: a lost increment or write is an error entry.
//   ContendedAdd            N workers fetch_add one shared word
//   PrivateCounters<Layout> each worker increments its own word; the words are
//                           adjacent in one line (false sharing) or one per line;
//                           no per-op latency: an increment is too short to time
//   ReadMostlyArray         N workers read a small shared array; worker 0 also
//                           writes one element on 1 of every 64 of its operations
#pragma once

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <new>
#include <span>
#include <string>

#include "benches/shm/workload_run.hpp"
#include "harness/workers.hpp"

namespace primbench::shm {

inline constexpr std::uint64_t kCounterBatch = 64;  // ops per timed sample: the clock costs ~20 ns, an uncontended op ~1

struct ContendedAdd {
  struct alignas(64) Counter {
    std::atomic<std::uint64_t> value{0};
  };
  static_assert(sizeof(Counter) == 64, "nothing else shares the counter's line");

  std::size_t shared_bytes() const { return sizeof(Counter) + alignof(Counter); }
  void prepare(void* shared) const { new (aligned_in<Counter>(shared)) Counter{}; }
  void work(WorkerContext& ctx, std::uint64_t ops) const {
    Counter& counter = *aligned_in<Counter>(ctx.shared);
    timed_op_batches(ctx.slot->latency, ops, kCounterBatch, [&](std::uint64_t n) {
      for (std::uint64_t i = 0; i < n; ++i) counter.value.fetch_add(1, std::memory_order_relaxed);
    });
  }
  std::string verify(void* shared, std::span<WorkerSlot> slots, std::uint64_t ops) const {
    const std::uint64_t got = aligned_in<Counter>(shared)->value.load();
    const std::uint64_t expected = slots.size() * ops;
    if (got == expected) return {};
    return fmt::format("shared counter ended at {}, expected {} workers x {} increments = {}", got, slots.size(), ops,
                       expected);
  }
  nlohmann::json describe() const {
    return {{"operation", "fetch_add(1, relaxed) on one shared word"},
            {"batch", kCounterBatch},
            {"check", "counter == workers x ops_per_worker"}};
  }
};

// Worker i's word shares a 64-byte line with the words of up to 7 neighbours.
struct AdjacentCounters {
  static constexpr std::string_view name = "adjacent";
  struct alignas(64) Line {
    std::atomic<std::uint64_t> word[8];
  };
  static_assert(sizeof(Line) == 64, "eight counters, one cache line");
  using Unit = Line;
  static std::size_t units(unsigned workers) { return (workers + 7) / 8; }
  static std::atomic<std::uint64_t>& counter(Line* lines, unsigned worker) { return lines[worker / 8].word[worker % 8]; }
  static constexpr const char* layout = "8 counters per 64-byte line, worker i at word i";
};

// Worker i's word alone in a 128-byte block: 128, not 64, because Intel's
// adjacent-line prefetcher fetches lines in pairs, which would bring the
// neighbours' traffic back.
struct PaddedCounters {
  static constexpr std::string_view name = "padded";
  struct alignas(128) Slot {
    std::atomic<std::uint64_t> word;
  };
  static_assert(sizeof(Slot) == 128, "one counter per pair of cache lines");
  using Unit = Slot;
  static std::size_t units(unsigned workers) { return workers; }
  static std::atomic<std::uint64_t>& counter(Slot* slots, unsigned worker) { return slots[worker].word; }
  static constexpr const char* layout = "one counter per 128-byte block";
};

template <typename Layout>
struct PrivateCounters {
  using Unit = typename Layout::Unit;
  unsigned workers = 1;

  std::size_t shared_bytes() const { return sizeof(Unit) * Layout::units(workers) + alignof(Unit); }
  void prepare(void* shared) const {
    Unit* units = aligned_in<Unit>(shared);
    for (std::size_t i = 0; i < Layout::units(workers); ++i) new (&units[i]) Unit{};
  }
  void work(WorkerContext& ctx, std::uint64_t ops) const {
    // The owner is the only writer: a plain load + store, no read-modify-write,
    // so whatever slows it down is the line moving, not the instruction.
    // Untimed: a batch of 64 increments takes about as long as one clock read,
    // so its mean per increment came out as 0 or 1 ns whatever the layout; the
    // cost per increment is the entry's time (the span over the ops).
    std::atomic<std::uint64_t>& mine = Layout::counter(aligned_in<Unit>(ctx.shared), ctx.index);
    for (std::uint64_t i = 0; i < ops; ++i) mine.store(mine.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  std::string verify(void* shared, std::span<WorkerSlot> slots, std::uint64_t ops) const {
    for (unsigned w = 0; w < slots.size(); ++w) {
      const std::uint64_t got = Layout::counter(aligned_in<Unit>(shared), w).load();
      if (got != ops) return fmt::format("worker {}'s counter ended at {}, expected {}", w, got, ops);
    }
    return {};
  }
  nlohmann::json describe() const {
    return {{"operation", "own counter: relaxed load + store"},
            {"layout", Layout::layout},
            {"latency", "not recorded: an increment is shorter than a clock read; the time per increment is the entry's"},
            {"check", "every worker's counter == ops_per_worker"}};
  }
};

struct ReadMostlyArray {
  static constexpr unsigned kLines = 64;            // 4 KiB: stays in every reader's L1
  static constexpr std::uint64_t kWriteEvery = 64;  // worker 0: one write per 64 of its operations
  struct alignas(64) Line {
    std::atomic<std::uint64_t> value{0};
  };
  static_assert(sizeof(Line) == 64, "one element per cache line");
  unsigned workers = 1;

  std::size_t shared_bytes() const { return sizeof(Line) * kLines + alignof(Line); }
  void prepare(void* shared) const {
    Line* lines = aligned_in<Line>(shared);
    for (unsigned i = 0; i < kLines; ++i) new (&lines[i]) Line{};
  }
  void work(WorkerContext& ctx, std::uint64_t ops) const {
    Line* lines = aligned_in<Line>(ctx.shared);
    const bool writer = ctx.index == 0;
    std::uint64_t op = 0, sum = 0, writes = 0;
    timed_op_batches(ctx.slot->latency, ops, kCounterBatch, [&](std::uint64_t n) {
      for (std::uint64_t i = 0; i < n; ++i, ++op) {
        if (writer && op % kWriteEvery == kWriteEvery - 1) {
          // Only worker 0 writes, so load + store counts exactly; the written
          // element walks the array so that every reader's lines go stale.
          std::atomic<std::uint64_t>& v = lines[(op / kWriteEvery) % kLines].value;
          v.store(v.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
          ++writes;
        } else {
          sum += lines[op % kLines].value.load(std::memory_order_relaxed);
        }
      }
    });
    benchmark::DoNotOptimize(sum);
    ctx.slot->counters[0] = static_cast<double>(writes);
  }
  std::string verify(void* shared, std::span<WorkerSlot> slots, std::uint64_t ops) const {
    std::uint64_t total = 0;
    for (unsigned i = 0; i < kLines; ++i) total += aligned_in<Line>(shared)[i].value.load();
    const std::uint64_t expected = ops / kWriteEvery;
    const auto written = static_cast<std::uint64_t>(slots[0].counters[0]);
    if (written != expected || total != expected)
      return fmt::format("read-mostly array: the writer counted {} writes and the array sums to {}, expected {}",
                         written, total, expected);
    return {};
  }
  nlohmann::json describe() const {
    return {{"operation", "load one 64-byte element of a 4 KiB shared array; worker 0 also stores"},
            {"array_bytes", kLines * sizeof(Line)},
            {"write_every", kWriteEvery},
            {"writer", "worker 0, one store per 64 of its operations (the other 63 are loads)"},
            {"write_ratio", 1.0 / static_cast<double>(kWriteEvery * workers)},
            {"batch", kCounterBatch},
            {"check", "the array sums to the writer's write count == ops_per_worker / 64"}};
  }
};

}  // namespace primbench::shm
