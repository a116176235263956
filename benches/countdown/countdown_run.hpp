// One countdown run: N pinned workers (threads or processes) released
// together, each counting its share down to zero; the wall time is the
// WorkerGroup's, from the gate opening to the last worker finishing.
//
// Each worker writes what it was asked to count and where its counter ended
// into its own cache line of the group's shared region, so the parent checks
// the work of process workers exactly as it checks threads.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <new>
#include <string>
#include <vector>

#include "benches/countdown/countdown_loop.hpp"
#include "harness/workers.hpp"

namespace primbench::countdown {

// split: the count is divided among the workers (the same total work for any
// N, so the wall time shows the speedup); full: every worker counts the whole
// count (N times the work: the seeds' "each thread counts 100M").
enum class Split { split, full };

inline const char* to_string(Split s) { return s == Split::split ? "split" : "full"; }

// What each worker counts. A split count's remainder goes one each to the
// first workers, so the shares always add up to the count exactly.
inline std::vector<std::uint64_t> countdown_shares(std::uint64_t count, unsigned workers, Split split) {
  std::vector<std::uint64_t> shares(workers, split == Split::full ? count : count / workers);
  if (split == Split::split)
    for (unsigned w = 0; w < count % workers; ++w) ++shares[w];
  return shares;
}

struct alignas(64) WorkerCount {
  std::uint64_t asked = 0;  // the share the worker started from
  std::uint64_t ended = 0;  // where its counter ended
  std::uint64_t finished = 0;
};
static_assert(sizeof(WorkerCount) == 64, "one worker's report per cache line: workers must not share lines");

struct CountdownOutcome {
  std::chrono::nanoseconds wall{};
  std::vector<WorkerCount> counts;
  std::vector<std::int64_t> cpu_ns;  // each worker's CPU time over its countdown
  std::vector<ObservedPlacement> placements;
};

// Throws WorkerFailure when a worker fails, crashes or misses the deadline.
inline CountdownOutcome run_countdown(const Topology& topo, ExecMode mode, const std::vector<unsigned>& pus,
                                      const std::vector<std::uint64_t>& shares, const std::string& label) {
  WorkerGroup group(topo, {mode, pus, sizeof(WorkerCount) * pus.size(), label, default_worker_deadline()});
  auto* reports = static_cast<WorkerCount*>(group.shared());
  for (std::size_t w = 0; w < pus.size(); ++w) new (&reports[w]) WorkerCount{};
  CountdownOutcome out;
  out.wall = group.run([&shares](WorkerContext& ctx) {
    WorkerCount& mine = static_cast<WorkerCount*>(ctx.shared)[ctx.index];
    mine.asked = shares[ctx.index];
    mine.ended = count_down(mine.asked);
    mine.finished = 1;
  });
  out.counts.assign(reports, reports + pus.size());
  for (const WorkerSlot& slot : group.slots()) out.cpu_ns.push_back(slot.cpu_time_ns);
  out.placements = group.placements();
  return out;
}

// Empty when every worker counted exactly its share down to exactly 0;
// otherwise what went wrong, naming the worker.
inline std::string countdown_problem(const CountdownOutcome& out, const std::vector<std::uint64_t>& shares) {
  if (out.counts.size() != shares.size())
    return fmt::format("{} worker reports for {} workers", out.counts.size(), shares.size());
  for (std::size_t w = 0; w < shares.size(); ++w) {
    const WorkerCount& c = out.counts[w];
    if (c.finished != 1) return fmt::format("worker {} never reported its countdown", w);
    if (c.asked != shares[w]) return fmt::format("worker {} counted from {}, expected {}", w, c.asked, shares[w]);
    if (c.ended != 0) return fmt::format("worker {} ended its countdown at {}, not 0", w, c.ended);
  }
  return {};
}

}  // namespace primbench::countdown
