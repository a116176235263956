// How the locks and sync measurements reach Google Benchmark and the result
// file: registration (names, placement classes, worker counts), the
// uncontended loop, and the report of a multi-worker run. Both family files
// use it, so each measure is registered and reported the same way.
#pragma once

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "benches/locks/group_run.hpp"
#include "benches/locks/placed.hpp"
#include "benches/locks/wakeup.hpp"
#include "harness/batch_timing.hpp"
#include "harness/bench_record.hpp"
#include "harness/bench_registry.hpp"
#include "harness/pinning.hpp"
#include "harness/shm_segment.hpp"

namespace primbench::locks {

// Uncontended operations per clock read (timed_batches): the two reads cost
// about as much as one lock + unlock, so 64 of them make that overhead < 2 %.
inline constexpr std::uint64_t kUncontendedBatch = 64;

// Google Benchmark appends this to the name of a benchmark that reports
// manual time; records are filed under the name its results carry.
inline constexpr const char* kManualTimeSuffix = "/manual_time";

inline WorkerPlan compact_plan(const BenchEnvironment& env, unsigned workers) {
  return plan_workers(*env.topo, WorkerRequest{workers, Policy::compact, {}, false});
}

// A sweep from `fewest` workers: powers of two, then every allowed PU. In
// --quick only the largest count (the most contended) is kept.
inline std::vector<unsigned> worker_counts(const BenchEnvironment& env, unsigned fewest) {
  const auto most = static_cast<unsigned>(env.topo->allowed_pus().size());
  if (most < fewest) return {};
  if (env.config.quick) return {most};
  std::vector<unsigned> counts;
  for (unsigned n = fewest; n < most; n *= 2) counts.push_back(n);
  counts.push_back(most);
  return counts;
}

// The placement classes a two-sided measurement is registered for: all of
// them (absent ones as unavailable entries) by default; in --quick one present
// class, the nearest cross-PU one (same-pu when nothing else is present).
inline std::vector<PairClassPlan> wakeup_classes(const BenchEnvironment& env) {
  if (!env.config.quick) return env.pairs.classes;
  const PairClassPlan* pick = nullptr;
  for (const PairClassPlan& plan : env.pairs.classes)
    if (plan.present && (pick == nullptr || pick->cls == PairClass::same_pu)) pick = &plan;
  if (pick == nullptr) return {};
  return {*pick};
}

// Reports one group run. The workers run before Google Benchmark's loop (they
// are not on this thread), and the loop only hands over their wall time as
// manual time. GB counts max_iterations operations; scaling the time by
// max_iterations / operations makes its time per operation wall / operations
// (the two counts differ only for reader-writer mixes, see contended.hpp).
template <typename Measure>
void report_group_run(benchmark::State& state, const std::string& name, BenchRecord record, Measure&& measure) {
  GroupRun run;
  try {
    run = measure(static_cast<std::uint64_t>(state.max_iterations));
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  if (!run.error.empty()) {
    state.SkipWithError(run.error.c_str());
    return;
  }
  const double wall_s = static_cast<double>(std::max<std::int64_t>(run.wall.count(), 1)) * 1e-9;
  const double operations = static_cast<double>(std::max<std::uint64_t>(run.operations, 1));
  const double iteration_seconds = wall_s * static_cast<double>(state.max_iterations) / operations;
  while (state.KeepRunningBatch(state.max_iterations)) state.SetIterationTime(iteration_seconds);
  publish_latency_counters(state, run.latency);
  publish_placement_counter(state, run.workers);
  state.counters["ops_per_s"] = operations / wall_s;
  for (const auto& [counter, value] : run.counters) state.counters[counter] = value;
  record.workers = std::move(run.workers);
  if (run.latency.count() > 0) record.latency = run.latency;
  record.extra.update(run.extra);
  record.extra["operations"] = run.operations;
  record.extra["wall_ns"] = run.wall.count();
  record_bench(name + kManualTimeSuffix, std::move(record));
}

// Measures one group run of `operations` operations with these options.
using GroupMeasure = std::function<GroupRun(const GroupOptions&, std::uint64_t operations)>;

// One entry per worker count of the sweep, the workers placed compactly;
// name_for(n) names the entry for n workers. Without enough PUs for `fewest`,
// one unavailable entry says so.
inline void register_compact_sweep(const BenchEnvironment& env, ExecMode mode, unsigned fewest,
                                   const std::function<std::string(unsigned)>& name_for, const BenchRecord& base,
                                   GroupMeasure measure) {
  const std::vector<unsigned> counts = worker_counts(env, fewest);
  if (counts.empty())
    register_unavailable(name_for(fewest), fmt::format("needs {} allowed PUs, the machine has {}", fewest,
                                                       env.topo->allowed_pus().size()));
  for (unsigned workers : counts) {
    const WorkerPlan plan = compact_plan(env, workers);
    BenchRecord record = base;
    record.placement = "compact";
    record.oversubscribed = plan.oversubscribed;
    register_bench(name_for(workers), [mode, plan, record, measure](benchmark::State& state, const std::string& n) {
      report_group_run(state, n, record, [&](std::uint64_t operations) {
        return measure(GroupOptions{mode, plan.pus, n}, operations);
      });
    }, TimeBase::manual);
  }
}

// "<family>/wakeup/<mode>/<class>/<primitive>": HandOff's wake-up latency
// (wakeup.hpp) on the representative pair of each class (see wakeup_classes).
template <typename HandOff>
void register_wakeup(const BenchEnvironment& env, ExecMode mode, const BenchRecord& base) {
  for (const PairClassPlan& plan : wakeup_classes(env)) {
    const std::string name = fmt::format("{}/{}", bench_name(base.family, "wakeup", mode, plan.cls), HandOff::kName);
    if (!plan.present) {
      register_unavailable(name, fmt::format("placement class {} is absent: {}", to_string(plan.cls), plan.reason));
      continue;
    }
    const PuPair pair = plan.pairs.front();
    BenchRecord record = base;
    record.placement = std::string(to_string(plan.cls));
    register_bench(name, [mode, pair, record](benchmark::State& state, const std::string& n) {
      report_group_run(state, n, record, [&](std::uint64_t rounds) {
        return run_wakeup<HandOff>(*bench_environment().topo, GroupOptions{mode, {pair.a, pair.b}, n}, rounds);
      });
    }, TimeBase::manual);
  }
}

// Uncontended cost: one worker (the benchmark's own thread, pinned to the first
// compact PU) repeats op(prim), timed in batches. In processes mode the
// primitive is the process-shared variant, in a shared-memory segment; in
// threads mode the same memory is simply private to the one process.
template <typename Prim, typename Op, typename... InitArgs>
void measure_uncontended(benchmark::State& state, const std::string& name, BenchRecord record, Op op,
                         InitArgs... init_args) {
  const BenchEnvironment& env = bench_environment();
  try {
    const unsigned pu = compact_plan(env, 1).pus.front();
    ScopedThreadPin pin(*env.topo, pu);
    SharedSegment memory = SharedSegment::create("uncontended", sizeof(Prim));
    memory.unlink();
    Placed<Prim> prim(memory.data(), memory.size(), record.mode == "processes", init_args...);
    LatencyHistogram hist;
    timed_batches(state, hist, kUncontendedBatch, [&](std::uint64_t n) {
      for (std::uint64_t i = 0; i < n; ++i) op(*prim);
    });
    publish_latency_counters(state, hist);
    record.workers = {pin.observe()};
    publish_placement_counter(state, record.workers);
    record.placement = "compact";
    record.latency = hist;
    record.latency_kind = fmt::format("one uncontended use (mean of a batch of {})", kUncontendedBatch);
    record.extra["batch"] = kUncontendedBatch;
    record_bench(name, std::move(record));
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

}  // namespace primbench::locks
