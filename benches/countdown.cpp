// Countdown: a 64-bit counter counted down from 100,000,000 to 0, the
// seeds' CPU-bound scaling test, as threads and as processes.
//
//   countdown/split/<threads|processes>/<policy>/w<N>/manual_time  N workers, each count/N
//   countdown/full/<threads|processes>/<policy>/w<N>/manual_time   N workers, each the whole count
//
// split/threads/<policy>/w1 is "one thread doing all of it". The time is the
// wall time of one whole countdown (gate open to last worker done, manual
// time). Every entry also measures, in the same body, one thread counting the
// whole count on the plan's first PU, and process entries the same shares as
// threads on the same PUs, so that speedup, parallel efficiency and the
// process/thread ratio are in the entry itself, not in a neighbour's. Which
// workers share a core is recorded per N: the SMT knee is in the data.
// Every worker's counter must end at exactly 0, or the entry is an error.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <numeric>
#include <optional>

#include "benches/countdown/countdown_run.hpp"
#include "benches/countdown/worker_sweep.hpp"
#include "harness/bench_record.hpp"
#include "harness/bench_registry.hpp"

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

// A few runs of the same countdown: the wall times and the last run's details.
struct Series {
  std::vector<std::int64_t> walls_ns;
  CountdownOutcome last;
  double median_ns() const {
    std::vector<std::int64_t> sorted = walls_ns;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = sorted.size();
    return n % 2 ? static_cast<double>(sorted[n / 2]) : (static_cast<double>(sorted[n / 2 - 1]) + static_cast<double>(sorted[n / 2])) / 2;
  }
  void add(CountdownOutcome run) {
    walls_ns.push_back(run.wall.count());
    last = std::move(run);
  }
};

// What each entry is compared with, measured in the same benchmark process
// (a single run is at the mercy of one preemption: the median of a few):
// one thread counting the whole count, and for processes the same shares as threads.
constexpr int kReferenceRuns = 3;
struct References {
  Series baseline;
  std::optional<Series> as_threads;
};

References measure_references(const Topology& topo, ExecMode mode, const WorkerPlan& plan, std::uint64_t count,
                              const std::vector<std::uint64_t>& shares, const std::string& label) {
  References r;
  if (mode == ExecMode::processes) r.as_threads.emplace();
  for (int i = 0; i < kReferenceRuns; ++i) {
    r.baseline.add(checked_run(topo, ExecMode::threads, {plan.pus.front()}, {count}, label + " (one-thread baseline)"));
    if (r.as_threads) r.as_threads->add(checked_run(topo, ExecMode::threads, plan.pus, shares, label + " (as threads)"));
  }
  return r;
}

void bm_countdown(benchmark::State& state, const std::string& name, Split split, ExecMode mode, Policy policy,
                  unsigned workers) {
  const BenchEnvironment& env = bench_environment();
  const Topology& topo = *env.topo;
  const std::uint64_t count = countdown_count(env.config.quick);
  try {
    const WorkerPlan plan = plan_workers(topo, {workers, policy, {}, false});
    const auto shares = countdown::countdown_shares(count, workers, split);
    const std::string label = fmt::format("{} [{}]", name, to_string(policy));

    // Google Benchmark calls the body again while it sizes the run: the
    // references are measured on the first call only.
    static std::map<std::string, References> measured;
    if (!measured.count(name)) measured.emplace(name, measure_references(topo, mode, plan, count, shares, label));
    const References& refs = measured.at(name);

    LatencyHistogram walls;
    Series runs;
    for (auto _ : state) {
      runs.add(checked_run(topo, mode, plan.pus, shares, label));
      state.SetIterationTime(std::chrono::duration<double>(runs.last.wall).count());
      walls.record(static_cast<std::uint64_t>(runs.last.wall.count()));
    }

    // Speedup is work done per unit of time against the one-thread baseline
    // (`full` does N counts' worth of work in its wall time), from medians.
    const double wall = runs.median_ns();
    const double work_factor = split == Split::full ? workers : 1.0;
    const double speedup = refs.baseline.median_ns() * work_factor / wall;
    const double efficiency = speedup / workers;
    const nlohmann::json sharing = sweep::describe_core_sharing(topo, plan.pus);
    const double max_share = static_cast<double>(*std::max_element(shares.begin(), shares.end()));
    state.counters["speedup"] = speedup;
    state.counters["efficiency"] = efficiency;
    state.counters["workers"] = workers;
    state.counters["cores_used"] = sharing["cores_used"].get<double>();
    state.counters["workers_sharing_a_core"] = sharing["workers_sharing_a_core"].get<double>();
    state.counters["ns_per_step"] = wall / max_share;  // one decrement on the busiest worker
    state.counters["baseline_ms"] = refs.baseline.median_ns() / 1e6;
    const CountdownOutcome& last = runs.last;
    const CountdownOutcome& one = refs.baseline.last;
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
                                                  {"runs_wall_ns", refs.baseline.walls_ns},
                                                  {"median_wall_ns", refs.baseline.median_ns()},
                                                  {"cpu_ns", one.cpu_ns.front()},
                                                  {"placement", to_json(one.placements.front())}}},
                         {"speedup", speedup},
                         {"speedup_means", split == Split::full ? "N x baseline median wall / median wall (N counts of work)"
                                                                 : "baseline median wall / median wall (the same total work)"},
                         {"parallel_efficiency", efficiency},
                         {"core_sharing", sharing}};
    if (refs.as_threads) {
      const double ratio = wall / refs.as_threads->median_ns();
      state.counters["process_thread_ratio"] = ratio;
      extra["as_threads"] = {{"runs_wall_ns", refs.as_threads->walls_ns}, {"median_wall_ns", refs.as_threads->median_ns()},
                             {"worker_cpu_ns", refs.as_threads->last.cpu_ns}};
      extra["process_thread_ratio"] = ratio;
    }
    publish_placement_counter(state, last.placements);
    record_bench(name + "/manual_time",
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
          register_bench(name, [=](benchmark::State& s, const std::string& nm) { bm_countdown(s, nm, split, mode, policy, n); })
              ->UseManualTime()  // GB appends "/manual_time" to the name; the record is filed under the full name
              ->Unit(benchmark::kMillisecond);
        }
      }
}

}  // namespace
}  // namespace primbench

PRIMBENCH_FAMILY("countdown", primbench::register_countdown);
