// Contended throughput, fairness and acquire wait of one lock under N workers.
//
// Each worker loops: acquire, check the stop condition, do `critical_ns` of
// busy work inside, release, do `gap_ns` of busy work outside (BusyWork: real
// work, not sleeps). The stop condition is a plain (non-atomic) counter that
// only writers increment, under the lock; the run ends when it reaches its
// target, so the workers compete for a fixed number of acquisitions and how
// many each one won shows the lock's fairness. Mutual exclusion is checked on
// every run: the counter must end exactly at the sum of the workers' own
// counts, and a reader must never see it change during its shared section.
//
// Reader-writer locks acquire shared with probability kReadPercent %; their
// stop target counts writes only (readers cannot update a plain counter), so
// the number of acquisitions is close to, not exactly, the one asked for; the
// result says how many were made.
//
// Every kWaitSampleEvery-th acquisition is timed (Clock::now() around lock()):
// its acquire wait goes into the worker's histogram. Sampling keeps the two
// clock reads from slowing the loop being measured.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "benches/locks/busy_work.hpp"
#include "benches/locks/fairness.hpp"
#include "benches/locks/group_run.hpp"
#include "benches/locks/lock_adapters.hpp"
#include "harness/clock.hpp"

namespace primbench::locks {

inline constexpr std::uint64_t kWaitSampleEvery = 16;

struct ContendedParams {
  std::uint64_t acquisitions = 0;  // asked for, over all workers
  double critical_ns = 50;         // busy work while holding the lock
  double gap_ns = 100;             // busy work between a release and the next acquire
};

// Slot counters each worker fills.
enum ContendedCounter : unsigned { kAcquisitions = 0, kWrites = 1, kTornReads = 2 };

template <typename Lock>
struct alignas(64) ContendedState {
  Lock lock;
  // The data the lock protects lives on its own line, as it usually does, so
  // each hand-over moves it as well as the lock word.
  alignas(64) std::uint64_t writes = 0;  // plain on purpose: touched only under the lock
  std::uint64_t write_target = 0;        // set before the workers start

  void init(bool process_shared) { lock.init(process_shared); }
  void destroy() { lock.destroy(); }
};

// Decides, per acquisition, between shared and exclusive (always exclusive for
// plain locks). xorshift64: cheap, and seeded per worker so they differ.
template <typename Lock>
class AcquisitionMix {
 public:
  explicit AcquisitionMix(unsigned worker) : state_(0x9E3779B97F4A7C15ULL * (worker + 1)) {}
  bool next_is_shared() noexcept {
    if constexpr (ReaderWriterLock<Lock>) {
      state_ ^= state_ << 13;
      state_ ^= state_ >> 7;
      state_ ^= state_ << 17;
      return state_ % 100 < Lock::kReadPercent;
    } else {
      return false;
    }
  }

 private:
  std::uint64_t state_;
};

template <typename Lock>
void acquire(Lock& lock, bool shared) {
  if constexpr (ReaderWriterLock<Lock>) {
    if (shared) return lock.lock_shared();
  }
  lock.lock();
}

template <typename Lock>
void release(Lock& lock, bool shared) {
  if constexpr (ReaderWriterLock<Lock>) {
    if (shared) return lock.unlock_shared();
  }
  lock.unlock();
}

template <typename Lock>
std::uint64_t write_target_for(std::uint64_t acquisitions) {
  if constexpr (ReaderWriterLock<Lock>) {
    const std::uint64_t writes = acquisitions * (100 - Lock::kReadPercent) / 100;
    return writes > 0 ? writes : 1;
  } else {
    return acquisitions;
  }
}

template <typename Lock>
void contend(ContendedState<Lock>& s, WorkerContext& ctx, std::uint64_t critical_steps, std::uint64_t gap_steps) {
  AcquisitionMix<Lock> mix(ctx.index);
  std::uint64_t acquisitions = 0, writes = 0, torn_reads = 0;
  for (;;) {
    const bool shared = mix.next_is_shared();
    const bool sampled = acquisitions % kWaitSampleEvery == 0;
    const std::uint64_t asked_at = sampled ? Clock::now() : 0;
    acquire(s.lock, shared);
    if (sampled) ctx.slot->latency.record_rounded(Clock::to_ns(Clock::now() - asked_at));
    if (s.writes >= s.write_target) {
      release(s.lock, shared);
      break;
    }
    if (shared) {
      const std::uint64_t seen = s.writes;
      BusyWork::run(critical_steps);
      // volatile: the compiler must really look again (a correct lock makes it equal).
      torn_reads += *static_cast<volatile std::uint64_t*>(&s.writes) != seen;
    } else {
      ++s.writes;
      ++writes;
      BusyWork::run(critical_steps);
    }
    release(s.lock, shared);
    ++acquisitions;
    BusyWork::run(gap_steps);
  }
  ctx.slot->counters[kAcquisitions] = static_cast<double>(acquisitions);
  ctx.slot->counters[kWrites] = static_cast<double>(writes);
  ctx.slot->counters[kTornReads] = static_cast<double>(torn_reads);
}

// Empty when the run kept mutual exclusion; otherwise the error the benchmark
// reports, naming the lock, the expected and the actual count.
inline std::string mutual_exclusion_error(std::string_view lock, std::uint64_t expected_writes,
                                          std::uint64_t counted_writes, std::uint64_t torn_reads) {
  if (counted_writes != expected_writes)
    return fmt::format("mutual exclusion broken under {}: the counter incremented under the lock ended at {}, "
                       "expected {} (the workers' own counts)",
                       lock, counted_writes, expected_writes);
  if (torn_reads != 0)
    return fmt::format("mutual exclusion broken under {}: {} shared sections saw the counter change under them",
                       lock, torn_reads);
  return {};
}

template <typename Lock>
GroupRun run_contended(const Topology& topo, const GroupOptions& options, const ContendedParams& params) {
  const BusyWork& work = BusyWork::calibrated();  // before the fork, so workers inherit it
  GroupWithState<ContendedState<Lock>> run_state(topo, options);
  ContendedState<Lock>& s = run_state.state();
  s.write_target = write_target_for<Lock>(params.acquisitions);
  const std::uint64_t critical_steps = work.steps_for_ns(params.critical_ns);
  const std::uint64_t gap_steps = work.steps_for_ns(params.gap_ns);

  GroupRun out;
  out.wall = run_state.run([critical_steps, gap_steps](ContendedState<Lock>& state, WorkerContext& ctx) {
    contend(state, ctx, critical_steps, gap_steps);
  });
  std::vector<std::uint64_t> per_worker;
  std::uint64_t writes = 0, torn_reads = 0;
  for (const WorkerSlot& slot : run_state.group().slots()) {
    per_worker.push_back(static_cast<std::uint64_t>(slot.counters[kAcquisitions]));
    writes += static_cast<std::uint64_t>(slot.counters[kWrites]);
    torn_reads += static_cast<std::uint64_t>(slot.counters[kTornReads]);
  }
  out.error = mutual_exclusion_error(Lock::kName, writes, s.writes, torn_reads);
  if (out.error.empty() && s.writes != s.write_target)
    out.error = fmt::format("{}: the workers stopped at {} writes, the target was {}", Lock::kName, s.writes,
                            s.write_target);
  const Fairness fair = fairness_of(per_worker);
  out.operations = fair.total;
  out.counters = {{"fairness_cv", fair.cv}, {"min_share", fair.min_share}, {"max_share", fair.max_share}};
  out.latency = run_state.group().merged_latency();
  out.workers = run_state.group().placements();
  out.extra = {{"critical_ns", params.critical_ns},
               {"gap_ns", params.gap_ns},
               {"work", {{"kind", "dependent 64-bit multiply-add chain, calibrated against the clock"},
                         {"steps_per_ns", work.steps_per_ns()},
                         {"critical_steps", critical_steps},
                         {"gap_steps", gap_steps}}},
               {"acquisitions_per_worker", per_worker},
               {"fairness", to_json(fair)},
               {"writes", s.writes},
               {"wait_sampled_every", kWaitSampleEvery}};
  if constexpr (ReaderWriterLock<Lock>) out.extra["read_percent"] = Lock::kReadPercent;
  return out;
}

}  // namespace primbench::locks
