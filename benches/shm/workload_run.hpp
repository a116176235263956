// The measuring code every worker-group benchmark of the shm and server
// families shares, written once: a workload (what each worker does, and how
// its result is checked) runs on pinned workers, threads or processes, for
// Google Benchmark's iteration count, and comes back timed and verified.
//
// A workload is a small class:
//   std::size_t shared_bytes() const;          // zeroed shared region it needs
//   void prepare(void* shared) const;          // before any worker starts
//   void work(WorkerContext&, std::uint64_t ops) const;   // one worker's share
//   std::string verify(void* shared, std::span<WorkerSlot>, std::uint64_t ops) const;
//                                              // "" when every count is exact
//   nlohmann::json describe() const;           // what it measures and checks, for the record
// and optionally
//   std::chrono::nanoseconds timed_span(std::span<WorkerSlot>, std::chrono::nanoseconds wall) const;
// when only part of the run is the measurement (default: gate open to last finish).
#pragma once

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "harness/bench_record.hpp"
#include "harness/bench_registry.hpp"
#include "harness/clock.hpp"
#include "harness/latency_histogram.hpp"
#include "harness/workers.hpp"

namespace primbench::shm {

// Worker counts a sweep visits: every N up to 8, then powers of two and the
// allowed PU count itself; quick mode keeps the two ends.
inline std::vector<unsigned> sweep_counts(unsigned pus, bool quick) {
  std::vector<unsigned> counts;
  if (pus == 0) return counts;
  if (quick) {
    counts = {1, pus};
  } else {
    for (unsigned n = 1; n <= pus; n = n < 8 ? n + 1 : n * 2) counts.push_back(n);
    counts.push_back(pus);
  }
  std::sort(counts.begin(), counts.end());
  counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
  return counts;
}

// The first T-aligned address in a shared region (which is only guaranteed
// cache-line aligned); reserve alignof(T) extra bytes for it.
template <typename T>
T* aligned_in(void* shared) {
  const auto at = reinterpret_cast<std::uintptr_t>(shared);
  return reinterpret_cast<T*>((at + alignof(T) - 1) / alignof(T) * alignof(T));
}

// Per-op latency inside a worker, for operations too short to time one by
// one: the clock is read once per batch, its own overhead subtracted, and the
// batch mean recorded (the worker-side twin of harness/batch_timing.hpp).
template <typename Fn>
void timed_op_batches(LatencyHistogram& hist, std::uint64_t ops, std::uint64_t batch, Fn&& run) {
  const double overhead_ns = clock_info().read_overhead_ns;
  for (std::uint64_t done = 0; done < ops;) {
    const std::uint64_t n = std::min(batch, ops - done);
    const std::uint64_t t0 = Clock::now();
    run(n);
    const std::uint64_t t1 = Clock::now();
    hist.record_rounded((Clock::to_ns(t1 - t0) - overhead_ns) / static_cast<double>(n));
    done += n;
  }
}

struct GroupRun {
  std::chrono::nanoseconds timed{0};  // the measured span; the benchmark reports timed / ops
  std::uint64_t ops = 0;              // per worker
  std::vector<ObservedPlacement> placements;
  LatencyHistogram latency;           // merged from every worker's slot
  std::string error;                  // the first inexact count; empty when all were exact
};

template <typename Workload>
GroupRun run_workload(const Topology& topo, ExecMode mode, const std::vector<unsigned>& pus, std::uint64_t ops,
                      const std::string& label, const Workload& workload) {
  clock_init();  // calibrate once here, not in every worker
  WorkerGroup group(topo, {mode, pus, workload.shared_bytes(), label, default_worker_deadline()});
  workload.prepare(group.shared());
  GroupRun run;
  run.ops = ops;
  const std::chrono::nanoseconds wall = group.run([&workload, ops](WorkerContext& ctx) { workload.work(ctx, ops); });
  if constexpr (requires { workload.timed_span(group.slots(), wall); })
    run.timed = workload.timed_span(group.slots(), wall);
  else
    run.timed = wall;
  run.error = workload.verify(group.shared(), group.slots(), ops);
  run.placements = group.placements();
  run.latency = group.merged_latency();
  return run;
}

// What the result file says about one workload benchmark besides the numbers.
struct WorkloadBench {
  std::string family;          // "shm", "server"
  ExecMode mode = ExecMode::threads;
  std::string placement;       // pair class or worker policy
  std::vector<unsigned> pus;   // one per worker
  bool oversubscribed = false;
  unsigned counted_workers = 0;  // workers that each do `ops` counted operations
  double bytes_per_op = 0;       // > 0: also publish bytes_per_second
  std::string latency_kind;
  nlohmann::json extra = nlohmann::json::object();
};

// The Google Benchmark body: one fresh worker group per call, `ops` =
// the iteration count Google Benchmark asks for, manual time = the measured
// span, so the reported time is per operation of one worker. `make()` builds
// the workload anew for every call (a workload may own sockets).
template <typename MakeWorkload>
void bench_workload(benchmark::State& state, const std::string& name, const WorkloadBench& spec, MakeWorkload make) {
  try {
    GroupRun run;
    nlohmann::json described;
    while (state.KeepRunningBatch(state.max_iterations)) {
      const auto workload = make();
      run = run_workload(*bench_environment().topo, spec.mode, spec.pus, static_cast<std::uint64_t>(state.max_iterations),
                         name, workload);
      described = workload.describe();
      state.SetIterationTime(std::chrono::duration<double>(run.timed).count());
    }
    if (!run.error.empty()) {
      state.SkipWithError(run.error.c_str());
      return;
    }
    const double seconds = std::chrono::duration<double>(run.timed).count();
    const double ops = static_cast<double>(run.ops);
    state.counters["workers"] = static_cast<double>(spec.pus.size());
    state.counters["ops_per_s"] = seconds > 0 ? ops * spec.counted_workers / seconds : 0.0;
    if (spec.bytes_per_op > 0) state.counters["bytes_per_second"] = seconds > 0 ? ops * spec.bytes_per_op / seconds : 0.0;
    publish_latency_counters(state, run.latency);
    publish_placement_counter(state, run.placements);
    nlohmann::json extra = spec.extra;
    extra.update(described);
    extra["pus"] = spec.pus;
    extra["ops_per_worker"] = run.ops;
    record_bench(name, BenchRecord{spec.family, std::string(to_string(spec.mode)), spec.placement, run.placements,
                                   spec.oversubscribed, run.latency, spec.latency_kind, std::move(extra)});
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

template <typename MakeWorkload>
benchmark::internal::Benchmark* register_workload(const std::string& name, WorkloadBench spec, MakeWorkload make) {
  return register_bench(name, [spec = std::move(spec), make](benchmark::State& state, const std::string& n) {
           bench_workload(state, n, spec, make);
         }, TimeBase::manual);
}

// "<family>/<what>/<mode>/<policy>/n<N>": the name of a sweep entry.
inline std::string sweep_name(std::string_view family, std::string_view what, ExecMode mode, Policy policy, unsigned n) {
  return fmt::format("{}/{}/{}/{}/n{}", family, what, to_string(mode), to_string(policy), n);
}

}  // namespace primbench::shm
