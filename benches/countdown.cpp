// Countdown: a 64-bit counter counted down from 100,000,000 to 0, the
// seeds' CPU-bound scaling test, as threads and as processes.
//
//   countdown/split/<threads|processes>/<policy>/w<N>/manual_time  N workers, each count/N
//   countdown/full/<threads|processes>/<policy>/w<N>/manual_time   N workers, each the whole count
//
// split/threads/<policy>/w1 is "one thread doing all of it". The time is the
// wall time of one whole countdown (gate open to last worker done, manual
// time). Every run is paired with one thread counting the whole count on the
// plan's first PU just before it, and process runs also with the same shares
// as threads on the same PUs, so that speedup, parallel efficiency and the
// process/thread ratio are in the entry itself, not in a neighbour's. Which
// workers share a core is recorded per N: the SMT knee is in the data.
// Every worker's counter must end at exactly 0, or the entry is an error.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <optional>
#include <span>

#include "benches/countdown/countdown_run.hpp"
#include "benches/countdown/worker_sweep.hpp"
#include "harness/bench_record.hpp"
#include "harness/bench_registry.hpp"
#include "basics/statistics.hpp"

namespace primbench {
namespace {

using countdown::CountdownOutcome;
using countdown::Split;

constexpr std::uint64_t kDefaultCount = 100'000'000;  // the seeds' count
constexpr std::uint64_t kQuickCount = 10'000'000;
constexpr const char* kCountEnv = "PRIMBENCH_COUNTDOWN_COUNT";  // overrides either

std::uint64_t countdown_count(bool quick) {
  if (const char* env = std::getenv(kCountEnv); env && *env) {
    char* end = nullptr;
    const unsigned long long n = std::strtoull(env, &end, 10);
    if (end && *end == '\0' && n > 0) return n;
  }
  return quick ? kQuickCount : kDefaultCount;
}

double ns(std::chrono::nanoseconds d) { return static_cast<double>(d.count()); }

// Runs one countdown and throws when a worker's counter did not end at 0.
CountdownOutcome checked_run(const Topology& topo, ExecMode mode, const std::vector<unsigned>& pus,
                             const std::vector<std::uint64_t>& shares, const std::string& label) {
  CountdownOutcome out = countdown::run_countdown(topo, mode, pus, shares, label);
  if (const std::string problem = countdown::countdown_problem(out, shares); !problem.empty())
    throw std::runtime_error(fmt::format("{}: {}", label, problem));
  return out;
}

// An entry whose loop never ran reports 0, not an exception.
double median_or_zero(std::span<const double> values) { return values.empty() ? 0.0 : median_of(values); }

// Runs of the same countdown: the wall times and the last run's details.
struct Series {
  std::vector<std::int64_t> walls_ns;
  CountdownOutcome last;
  double median_ns() const { return median_or_zero(std::vector<double>(walls_ns.begin(), walls_ns.end())); }
  void add(CountdownOutcome run) {
    walls_ns.push_back(run.wall.count());
    last = std::move(run);
  }
};

// How fast one step ran, per worker and run: CPU time over its share. It is a
// property of the core, not of the plan, so it should be the same in every
// run; on a virtual machine it is not always: a vCPU whose physical core's
// other hyperthread is busy on the host (invisible from the guest, and not
// steal time) runs this loop at about half speed, for seconds at a time.
struct StepSpeeds {
  std::vector<double> ns;
  void add(const CountdownOutcome& run, const std::vector<std::uint64_t>& shares) {
    for (std::size_t w = 0; w < run.cpu_ns.size() && w < shares.size(); ++w)
      if (shares[w] > 0 && run.cpu_ns[w] > 0) ns.push_back(static_cast<double>(run.cpu_ns[w]) / static_cast<double>(shares[w]));
  }
  // 0 when no worker reported CPU time (then no spread is claimed either).
  double fastest() const { return ns.empty() ? 0.0 : *std::min_element(ns.begin(), ns.end()); }
  double slowest() const { return ns.empty() ? 0.0 : *std::max_element(ns.begin(), ns.end()); }
  double spread() const { return ns.empty() ? 1.0 : slowest() / fastest(); }
};

// Above this, runs of one entry did not run at one speed: flagged.
constexpr double kStepSpeedSpread = 1.3;

void bm_countdown(benchmark::State& state, const std::string& name, Split split, ExecMode mode, Policy policy,
                  unsigned workers) {
  const BenchEnvironment& env = bench_environment();
  const Topology& topo = *env.topo;
  const std::uint64_t count = countdown_count(env.config.quick);
  try {
    const WorkerPlan plan = plan_workers(topo, {workers, policy, {}, false});
    const auto shares = countdown::countdown_shares(count, workers, split);
    const std::string label = fmt::format("{} [{}]", name, to_string(policy));
    const double work_factor = split == Split::full ? workers : 1.0;

    // Every measured run is paired with the run it is compared with, taken
    // just before it: one thread counting the whole count on the plan's
    // first PU, and for processes the same shares as threads on the same
    // PUs. The machine's speed drifts (above): a baseline measured once, up
    // front, made a w2 speedup read 0.9 when the baseline happened to run
    // twice as fast as the runs after it. Each pair shares its conditions;
    // the entry reports the median of the pairs' ratios.
    LatencyHistogram walls;
    Series runs, baseline, as_threads;
    std::vector<double> speedups, process_thread_ratios;
    StepSpeeds steps;
    for (auto _ : state) {
      baseline.add(checked_run(topo, ExecMode::threads, {plan.pus.front()}, {count}, label + " (one-thread baseline)"));
      steps.add(baseline.last, {count});
      if (mode == ExecMode::processes) {
        as_threads.add(checked_run(topo, ExecMode::threads, plan.pus, shares, label + " (as threads)"));
        steps.add(as_threads.last, shares);
      }
      runs.add(checked_run(topo, mode, plan.pus, shares, label));
      steps.add(runs.last, shares);
      state.SetIterationTime(std::chrono::duration<double>(runs.last.wall).count());
      walls.record(static_cast<std::uint64_t>(runs.last.wall.count()));
      // Speedup is work done per unit of time against the baseline (`full`
      // does N counts' worth of work in its wall time).
      speedups.push_back(ns(baseline.last.wall) * work_factor / ns(runs.last.wall));
      if (mode == ExecMode::processes) process_thread_ratios.push_back(ns(runs.last.wall) / ns(as_threads.last.wall));
    }

    const double wall = runs.median_ns();
    const double speedup = median_or_zero(speedups);
    const double efficiency = speedup / workers;
    const nlohmann::json sharing = sweep::describe_core_sharing(topo, plan.pus);
    const double max_share = static_cast<double>(*std::max_element(shares.begin(), shares.end()));
    state.counters["speedup"] = speedup;
    state.counters["efficiency"] = efficiency;
    state.counters["workers"] = workers;
    state.counters["cores_used"] = sharing["cores_used"].get<double>();
    state.counters["workers_sharing_a_core"] = sharing["workers_sharing_a_core"].get<double>();
    state.counters["ns_per_step"] = wall / max_share;  // one decrement on the busiest worker
    state.counters["baseline_ms"] = baseline.median_ns() / 1e6;
    state.counters["step_speed_spread"] = steps.spread();
    const CountdownOutcome& last = runs.last;
    const CountdownOutcome& one = baseline.last;
    const double cpu_total = std::accumulate(last.cpu_ns.begin(), last.cpu_ns.end(), 0.0);
    nlohmann::json extra{{"count", count},
                         {"split", to_string(split)},
                         {"workers", workers},
                         {"policy", to_string(policy)},
                         {"shares", shares},
                         {"loop", "dependent 64-bit decrement per step, counter behind an empty asm volatile (\"+r\")"},
                         {"all_workers_ended_at_zero", true},
                         {"runs_wall_ns", runs.walls_ns},
                         {"median_wall_ns", wall},
                         {"worker_cpu_ns", last.cpu_ns},
                         {"cpu_over_wall", cpu_total / ns(last.wall)},
                         {"baseline_one_thread", {{"pu", plan.pus.front()}, {"count", count},
                                                  {"runs_wall_ns", baseline.walls_ns},
                                                  {"median_wall_ns", baseline.median_ns()},
                                                  {"cpu_ns", one.cpu_ns.front()},
                                                  {"placement", to_json(one.placements.front())}}},
                         {"speedup", speedup},
                         {"speedups_by_run", speedups},
                         {"speedup_means", split == Split::full
                                               ? "median over runs of N x the paired baseline's wall / the run's wall (N counts of work)"
                                               : "median over runs of the paired baseline's wall / the run's wall (the same total work)"},
                         {"parallel_efficiency", efficiency},
                         {"step_ns", {{"fastest", steps.fastest()}, {"slowest", steps.slowest()}, {"spread", steps.spread()},
                                      {"means", "each worker's CPU time / its share, over every run and baseline"}}},
                         {"core_sharing", sharing}};
    if (steps.spread() > kStepSpeedSpread)
      extra["noise"] = fmt::format(
          "one countdown step took {:.2f} to {:.2f} ns across this entry's runs ({:.1f}x): the cores' speed changed "
          "while it ran (on a VM, typically another guest on the host's sibling hyperthread); the speedup pairs each "
          "run with a baseline taken just before it",
          steps.fastest(), steps.slowest(), steps.spread());
    if (mode == ExecMode::processes) {
      const double ratio = median_or_zero(process_thread_ratios);
      state.counters["process_thread_ratio"] = ratio;
      extra["as_threads"] = {{"runs_wall_ns", as_threads.walls_ns}, {"median_wall_ns", as_threads.median_ns()},
                             {"worker_cpu_ns", as_threads.last.cpu_ns}};
      extra["process_thread_ratio"] = ratio;
      extra["process_thread_ratios_by_run"] = process_thread_ratios;
    }
    publish_placement_counter(state, last.placements);
    record_bench(name,
                 BenchRecord{"countdown", std::string(to_string(mode)), std::string(to_string(policy)), last.placements,
                             plan.oversubscribed, walls,
                             "wall time of one whole countdown (gate open to last worker done)", std::move(extra)});
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

void register_countdown(const BenchEnvironment& env) {
  const Topology& topo = *env.topo;
  const unsigned cores = sweep::policy_capacity(topo, Policy::cores);
  for (Split split : {Split::split, Split::full})
    for (ExecMode mode : {ExecMode::threads, ExecMode::processes})
      for (Policy policy : sweep::kSweepPolicies) {
        const unsigned capacity = sweep::policy_capacity(topo, policy);
        for (unsigned n : sweep::worker_counts(capacity, cores, env.config.quick)) {
          const std::string name = fmt::format("countdown/{}/{}/{}{}", countdown::to_string(split), to_string(mode),
                                               to_string(policy), sweep::workers_suffix(n));
          // GB appends "/manual_time" to the name; the run loop files the record under it
          register_bench(
              name, [=](benchmark::State& s, const std::string& nm) { bm_countdown(s, nm, split, mode, policy, n); },
              TimeBase::manual)
              ->Unit(benchmark::kMillisecond);
        }
      }
}

}  // namespace
}  // namespace primbench

PRIMBENCH_FAMILY("countdown", primbench::register_countdown);
